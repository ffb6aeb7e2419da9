"""Diagrams in chromium: SVGs, text at least 10 px on a phone, not bright panels in dark mode.

Screenshots of every diagram (phone and desktop, light and dark) go to
artifacts/screenshots/diagrams/.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
import sitekit

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]

SCREENSHOTS = "diagrams"
SOURCES = sitekit.ROOT / "images" / "src"
SMALLEST_TEXT_PX = 10
# Mean brightness (0-255) of a screenshot, computed in the browser from the PNG itself.
BRIGHTNESS = """async (png) => {
  const picture = new Image();
  picture.src = "data:image/png;base64," + png;
  await picture.decode();
  const canvas = document.createElement("canvas");
  canvas.width = picture.width;
  canvas.height = picture.height;
  const context = canvas.getContext("2d");
  context.drawImage(picture, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += (data[i] + data[i + 1] + data[i + 2]) / 3;
  return sum / (data.length / 4);
}"""


def drawing(name: str) -> tuple[int, int]:
    """(width, smallest font size) of images/src/<name>.svg, in its own units."""
    svg = (SOURCES / f"{name}.svg").read_text(encoding="utf-8")
    width = re.search(r'<svg\b[^>]*\bwidth="(\d+)"', svg)
    assert width is not None, name
    return int(width.group(1)), min(int(size) for size in re.findall(r'font-size="(\d+)"', svg))


def test_diagrams_are_readable(
    site_dir: Path, base_url: str, page: Any, view: sitekit.View
) -> None:
    problems, seen = [], 0
    for path in sitekit.pages(site_dir):
        if 'class="diagram' not in (site_dir / path / "index.html").read_text("utf-8"):
            continue
        sitekit.visit(page, base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        if overflow > 0:
            problems.append(f"/{path}: the page scrolls sideways by {overflow} px")
        pictures = page.locator("img.diagram")
        for index in range(pictures.count()):
            picture = pictures.nth(index)
            src = picture.get_attribute("src") or ""
            name = Path(src).stem
            where = f"/{path} {name}"
            if not src.endswith(".svg"):
                problems.append(f"{where}: served as {src}, not as its SVG")
                continue
            shown = picture.evaluate("e => e.complete && e.naturalWidth > 0")
            drawn_width, smallest = drawing(name)
            rendered = picture.evaluate("e => e.getBoundingClientRect().width")
            text_px = smallest * rendered / drawn_width
            if not shown or text_px < SMALLEST_TEXT_PX:
                problems.append(f"{where}: smallest text {text_px:.1f} px (shown: {shown})")
            picture.scroll_into_view_if_needed()
            png = sitekit.screenshot(picture, SCREENSHOTS, f"{name}-{view}")
            brightness = page.evaluate(BRIGHTNESS, base64.b64encode(png).decode())
            if view.scheme == "dark" and brightness > 128:
                problems.append(f"{where}: a bright panel in dark mode ({brightness:.0f})")
            seen += 1
    assert seen >= 4  # the home page's flowchart and the chapters' three drawings
    assert not problems, "\n".join(problems)
