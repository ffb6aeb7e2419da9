"""MkDocs hook: diagrams (SVGs drawn in images/src/) readable on a phone and in dark mode.

Each `<img>` of such an SVG gets the class `diagram`, plus what its drawing needs, read from
the SVG itself: `diagram--wide` when it is drawn wider than a phone (extra.css gives it a
minimum width on phones, in a sideways-scrolling frame, so that its smallest text stays at
least 10 px) and `diagram--light` when it paints a white background (dark mode shows it
inverted). Drawings with a transparent background and mid-tone colours need neither.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

SOURCES = Path(__file__).resolve().parents[1] / "images" / "src"
IMG = re.compile(r'<img\b[^>]*\bsrc="[^"]*?images/([\w.-]+)\.svg"[^>]*>')
WIDTH = re.compile(r'<svg\b[^>]*\bwidth="(\d+)"')
WHITE_BACKGROUND = re.compile(r'<rect width="(\d+)" height="\d+" fill="#(?:fff|ffffff)"')
PHONE = 400  # px: a drawing wider than this is shrunk below its own text size on a phone


@cache
def classes(name: str) -> tuple[str, ...]:
    """The classes of a drawing's `<img>`; () when images/src has no such SVG."""
    source = SOURCES / f"{name}.svg"
    if not source.is_file():
        return ()
    svg = source.read_text(encoding="utf-8")
    width = WIDTH.search(svg)
    found = ["diagram"]
    if width and int(width.group(1)) > PHONE:
        found.append("diagram--wide")
    background = WHITE_BACKGROUND.search(svg)
    if background and width and background.group(1) == width.group(1):
        found.append("diagram--light")
    return tuple(found)


def with_classes(page_html: str) -> str:
    def add(match: re.Match[str]) -> str:
        names = classes(match.group(1))
        if not names:
            return match.group(0)
        return match.group(0).replace("<img", f'<img class="{" ".join(names)}"', 1)

    return IMG.sub(add, page_html)


def on_page_content(html_text: str, **_: Any) -> str:
    return with_classes(html_text)
