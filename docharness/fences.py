"""Find a page's fenced code blocks, classify them, and hand them to Sybil as regions.

Sybil's own Markdown lexer only collects fences whose info string is exactly the language, and
we also want fences nested in list items, content tabs and blockquotes, so we scan lines
ourselves.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sybil import Document, Region
from sybil.typing import Evaluator

from docharness.directives import parse_directives
from docharness.kinds import Kind, classify, tested_languages
from docharness.model import CodeBlock, Directives, HarnessError
from docharness.pagefile import read_source
from docharness.transcript import HOST_PROMPT

_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_QUOTE = re.compile(r"[ \t]*>[ \t]?")  # one blockquote marker (in a list item: indented)


@dataclass(frozen=True)
class Fence:
    """A fenced block as written: 1-based lines of its fences, indentation and body."""

    line: int
    end_line: int
    indent: str
    info: str
    body: list[str]
    quotes: int = 0  # how many blockquotes (`> `) it stands in


def read_page(path: Path) -> str:
    """A page's text: LF newlines, a UTF-8 byte order mark dropped (docharness.pagefile).

    Another encoding is a HarnessError naming the line: Sybil would raise a bare
    UnicodeDecodeError, and a kept mark would hide the first fence.
    """
    return read_source(path).text


def find_fences(path: Path, text: str) -> list[Fence]:
    """Every fenced block of the page, any language, in order, with its real lines.

    Fences in list items and content tabs (indented) and in blockquotes (`> `) count.
    Raises HarnessError for a fence that is never closed.

    ```python
    from pathlib import Path

    from docharness.fences import find_fences

    page = "Note:\\n\\n> ```console\\n> $ docker ps\\n> ```\\n"
    [fence] = find_fences(Path("page.md"), page)
    assert (fence.line, fence.end_line, fence.info) == (3, 5, "console")
    assert fence.body == ["$ docker ps"]
    ```
    """
    return list(_fences(path, text))


# The build's hooks (badges, copy buttons, stand-ins) each ask for the same page's fences, and
# get the same Fence objects: nothing changes a fence once found.
@functools.lru_cache(maxsize=4)
def _fences(path: Path, text: str) -> tuple[Fence, ...]:
    lines = text.split("\n")
    fences: list[Fence] = []
    index = 0
    while index < len(lines):
        quotes, rest = _unquote(lines[index])
        opening = _OPEN.match(rest)
        if opening is None or (opening["fence"][0] == "`" and "`" in opening["info"]):
            index += 1
            continue
        fence, indent = opening["fence"], opening["indent"]
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        # up to the closing fence only: unquoting every later line for each fence made a
        # page's scan quadratic in its length
        inner: list[str] = []
        for line in lines[index + 1 :]:
            rest = _unquote(line, quotes)[1]
            if close.match(rest):
                break
            inner.append(rest)
        else:
            raise HarnessError(path, index + 1, f"unclosed {fence} fence opened here")
        body = [_dedent(line, indent) for line in inner]
        info = opening["info"].strip()
        fences.append(Fence(index + 1, index + len(inner) + 2, indent, info, body, quotes))
        index += len(inner) + 2
    return tuple(fences)


def _unquote(line: str, most: int | None = None) -> tuple[int, str]:
    """Strip up to ``most`` blockquote markers (all by default): (markers stripped, rest)."""
    count = 0
    while most is None or count < most:
        marker = _QUOTE.match(line)
        if marker is None:
            break
        line, count = line[marker.end() :], count + 1
    return count, line


def prefix(fence_line: str) -> str:
    """What stands before an opening fence's backticks: indentation and `> ` markers."""
    rest = _unquote(fence_line)[1]
    return fence_line[: len(fence_line) - len(rest)] + rest[: len(rest) - len(rest.lstrip())]


# A fence of these shows a page's own source (a transcript inside its fence, a directive): its
# prompts are an example of how pages are written, not a transcript left untested.
PAGE_SOURCE_LANGUAGES = frozenset({"markdown", "md"})


def untested_transcripts(fences: list[Fence]) -> list[Fence]:
    """Fences of another language (or none) whose lines have prompts: they do not run.

    A page showing `$ docker ps` in a ``text`` fence is probably a transcript mislabelled; in a
    ``markdown`` fence it is page source, shown as such.
    """
    return [
        fence
        for fence in fences
        if language_of(fence.info) not in tested_languages() | PAGE_SOURCE_LANGUAGES
        and any(HOST_PROMPT.match(line) for line in fence.body)
    ]


def language_of(info: str) -> str:
    """The language named by an info string.

    `bash title="x"` -> bash, `{ .console }` -> console, `console?prompt=$` -> console.
    """
    info = info.strip()
    if info.startswith("{"):
        classes = re.findall(r"\.([\w+-]+)", info.strip("{}"))
        return classes[0].lower() if classes else ""
    first = info.split(maxsplit=1)[0] if info else ""
    return re.split(r"[{?]", first, maxsplit=1)[0].lower()


def parse_page(path: Path, text: str) -> list[CodeBlock]:
    """The page's shell and python blocks, classified, with their directives and steps."""
    fences = find_fences(path, text)
    inside = {n for fence in fences for n in range(fence.line + 1, fence.end_line)}
    directives = parse_directives(path, text, inside)
    blocks: list[CodeBlock] = []
    for fence in fences:
        attached = directives.pop(fence.line, None)
        block = _block(path, fence, attached or Directives())
        if block is None:
            if attached is not None:
                raise HarnessError(path, attached.line, "directive on a block that is not tested")
            continue
        blocks.append(block)
    return blocks


def _source(fence: Fence) -> str:
    return "\n".join(fence.body) + "\n" if fence.body else ""


def fence_kind(fence: Fence) -> Kind | None:
    """The kind of a fence, by its language and body; None: it is not tested (what collection
    runs and the site badges are the same fences)."""
    return classify(language_of(fence.info), _source(fence), fence.info)


def _block(path: Path, fence: Fence, directives: Directives) -> CodeBlock | None:
    language = language_of(fence.info)
    source = _source(fence)
    kind = classify(language, source, fence.info)
    if kind is None:
        return None
    language = kind.languages[language]
    block = CodeBlock(
        path, fence.line, fence.end_line, language, fence.info, source, kind.name, directives
    )
    if kind.prepare is not None:
        kind.prepare(block)
    return block


def _dedent(line: str, indent: str) -> str:
    """Remove up to the opening fence's indentation from a body line."""
    width = len(line) - len(line.lstrip(" \t"))
    return line[min(width, len(indent)) :]


class PageParser:
    """A Sybil parser: one region per collected block, spanning its fences.

    ``evaluator_for`` picks the evaluator of each block (the runner decides how blocks run).
    """

    def __init__(self, evaluator_for: Callable[[CodeBlock], Evaluator | None]) -> None:
        self.evaluator_for = evaluator_for

    def __call__(self, document: Document) -> Iterator[Region]:
        text = document.text
        starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        for block in parse_page(Path(document.path), text):
            end_line_start = starts[block.end_line - 1]
            end = text.find("\n", end_line_start)
            region_end = len(text) if end == -1 else end
            start = starts[block.line - 1]
            yield Region(start, region_end, parsed=block, evaluator=self.evaluator_for(block))
