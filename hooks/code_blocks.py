"""Pair a page's fenced code blocks (Markdown source) with their rendered `<pre>` in the HTML.

Shared by the copy and badge hooks: the Markdown knows a block's language and the line of its
opening fence (the key of the test report), the HTML is where we attach things. The highlighter
may drop the language class, so blocks are matched by their text, in order.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# MkDocs does not put the repository on sys.path; the harness's fence scanner gives the very
# blocks and lines the test report uses.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from docharness.fences import Fence, fence_kind, find_fences, language_of  # noqa: E402

PRE = re.compile(r"<pre\b[^>]*>.*?</pre>", re.DOTALL)
# Pygments' inline line numbers are not part of the code's text.
LINENOS = re.compile(r'<span class="linenos"[^>]*>.*?</span>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")
HIGHLIGHT_DIV = re.compile(r'<div class="[^"]*\bhighlight\b[^"]*"[^>]*>')

log = logging.getLogger("mkdocs.hooks.code_blocks")


@dataclass(frozen=True)
class Rendered:
    """Where a fence ended up in the page's HTML."""

    fence: Fence
    language: str  # as the harness reads the info string
    block_start: int  # start of the outer highlight <div> (or of the <pre> without one)
    pre_start: int  # start of the <pre> tag
    block_end: int  # end of the outer highlight <div> (or of the <pre> without one)


def _normal(text: str) -> str:
    """Compare texts without trailing spaces and surrounding blank lines."""
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def pre_text(pre_html: str) -> str:
    """The code text of a rendered `<pre>` as the reader sees it."""
    return html.unescape(TAG.sub("", LINENOS.sub("", pre_html)))


def _code_text(pre_html: str) -> str:
    """A rendered `<pre>`'s text, compared as _normal does; worked out once per block's code
    (the copy and badge hooks both read every block, and the first adds to its `<pre>` tag)."""
    return _known_text(pre_html[pre_html.index(">") + 1 :])


@functools.lru_cache(maxsize=1024)
def _known_text(code_html: str) -> str:
    return _normal(pre_text(code_html))


def rendered(
    path: Path, markdown: str, page_html: str, tested_only: bool = False
) -> Iterator[Rendered]:
    """The page's fences (``tested_only``: those the harness runs, by language and body, as
    ``fences.fence_kind`` tells) with their rendered blocks, in order.

    A fence whose text no rendered block has is reported as a warning (an error under strict).
    """
    pres = list(PRE.finditer(page_html))
    texts = [_code_text(pre.group()) for pre in pres]
    cursor = 0
    for fence in find_fences(path, markdown):
        want = _normal("\n".join(fence.body))
        hit = next((k for k in range(cursor, len(pres)) if texts[k] == want), None)
        language = language_of(fence.info)
        if hit is not None:
            cursor = hit + 1
        if tested_only and fence_kind(fence) is None:
            continue
        if hit is None:
            log.warning("%s:%d: no rendered code block has this block's text", path, fence.line)
            continue
        pre = pres[hit]
        floor = pres[hit - 1].end() if hit else 0
        divs = list(HIGHLIGHT_DIV.finditer(page_html, floor, pre.start()))
        start = divs[-1].start() if divs else pre.start()
        # The highlight <div> holds the <pre> (and a title before it): it closes right after.
        closing = page_html.find("</div>", pre.end()) if divs else -1
        end = closing + len("</div>") if closing >= 0 else pre.end()
        yield Rendered(fence, language, start, pre.start(), end)
