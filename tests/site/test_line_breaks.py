"""Korean line breaking in chromium: no Hangul word is split across two lines, on any page.

Every text of the page counts (body, links, inline code, tables, admonitions, the nav drawer,
the table of contents), at a phone's width and a desktop's. Code blocks scroll instead of
wrapping and are left out. Screenshots go to artifacts/screenshots/line-breaks/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sitekit

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]

SCREENSHOTS = "line-breaks"

# Each run of two or more Hangul syllables: is it drawn on more than one line?
SPLIT_WORDS = """() => {
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("pre, script, style, noscript")) continue;
    // Closed panels (the phone's search) are laid out at width 0 but never seen so.
    if (!parent.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    for (const match of node.data.matchAll(/[가-힣]{2,}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (rects.some((r) => r.top >= rects[0].bottom - 1)) {
        const where = parent.closest("[class]");
        split.push(`${match[0]} (in <${parent.localName}> of .${where ? where.classList[0] : "?"}:`
          + ` "${node.data.trim().slice(0, 60)}")`);
      }
    }
  }
  return split;
}"""


def test_no_hangul_word_is_split_across_lines(
    site_dir: Path, base_url: str, page: Any, view: sitekit.View
) -> None:
    problems = []
    for path in sitekit.pages(site_dir):
        sitekit.visit(page, base_url + path)
        problems += [f"/{path}: {word}" for word in page.evaluate(SPLIT_WORDS)]
        sitekit.screenshot(page, SCREENSHOTS, f"{sitekit.shot_name(path)}-{view}", full_page=True)
    assert not problems, f"{len(problems)} split words at {view}:\n" + "\n".join(problems)
