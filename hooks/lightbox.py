"""MkDocs hook: pictures open in a lightbox, and only pages with a picture load one.

The mkdocs-glightbox plugin links its script and styles into every page, pictures or not, and
initialises it from an inline script that instant navigation does not run again. Instead this
hook wraps each picture in a `glightbox` link (the plugin's markup) and ships the plugin's
vendored files; assets/javascripts/glightbox-loader.js loads them on the first page that has
such a link, including pages reached by instant navigation.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import mkdocs_glightbox
from mkdocs.structure.files import File, Files

VENDORED = Path(mkdocs_glightbox.__file__).parent / "glightbox"
SHIPPED = {
    "glightbox.min.js": "assets/javascripts/glightbox.min.js",
    "glightbox.min.css": "assets/stylesheets/glightbox.min.css",
}
# A picture not already inside a link (a linked picture keeps its link).
IMG = re.compile(r"(<a\b[^>]*>\s*)?(<img\b[^>]*>)")
SRC = re.compile(r'\bsrc="([^"]+)"')


def wrapped(page_html: str) -> str:
    """``page_html`` with every unlinked `<img>` inside `<a class="glightbox" href=its src>`."""

    def wrap(match: re.Match[str]) -> str:
        src = SRC.search(match.group(2))
        if match.group(1) or src is None:
            return match.group(0)
        href = html.escape(html.unescape(src.group(1)))
        return f'<a class="glightbox" href="{href}" data-type="image">{match.group(2)}</a>'

    if "<img" not in page_html:  # most pages: no need to run the pattern over the whole page
        return page_html
    return IMG.sub(wrap, page_html)


def on_files(files: Files, config: Any) -> Files:
    for name, site_path in SHIPPED.items():
        files.append(File.generated(config, site_path, abs_src_path=str(VENDORED / name)))
    return files


def on_page_content(html_text: str, **_: Any) -> str:
    return wrapped(html_text)
