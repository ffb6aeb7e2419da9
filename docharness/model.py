"""The data every harness module shares: what a page's code block holds once parsed.

Parsing (``fences``, ``directives``, ``transcript``) produces these objects; running
(``kinds``, ``shell``, ``interactive``) consumes them; ``report`` and ``update``
read them back. Line numbers are 1-based lines of the Markdown file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docharness.engines import EngineRange


@dataclass(frozen=True)
class ExpectedLine:
    """One line of expected output; ``text == '...'`` matches any number of lines."""

    text: str
    line: int


@dataclass
class Step:
    """One command of a transcript with the output the page shows for it.

    ``prompt`` is the prompt as written (`$ `, `~ $ `, `/proc/1842 $ `, `root@abc:/# `).
    ``command`` is the command with continuation lines joined by newlines (backslashes kept).
    ``in_container`` is True when the prompt is a container prompt (typed into a pty session).
    """

    prompt: str
    command: str
    line: int
    expected: list[ExpectedLine] = field(default_factory=list)
    in_container: bool = False


@dataclass(frozen=True)
class Code:
    """A setup or teardown directive's body, from the directive's line.

    For a transcript block ``steps`` holds the body parsed as a transcript (at collection);
    a Python block runs ``text``.
    """

    text: str
    line: int
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Size:
    """A terminal's size in character cells (a reader's default: 80x24)."""

    columns: int = 80
    rows: int = 24

    def __str__(self) -> str:
        return f"{self.columns}x{self.rows}"


@dataclass(frozen=True)
class Directives:
    """A block's `<!-- test: ... -->` comments, parsed and checked once, at collection.

    ``skip`` is the reason; ``timeout`` seconds; ``requires`` a requirement (``network``);
    ``engine`` the engines the block is for; ``store`` the image store (classic,
    containerd); ``unordered``: each command's output lines may come in any order (the program
    prints them so); ``terminal``: every host command runs on a terminal of that size (one whose
    output the page shows as a terminal view does anyway, on 80x24 unless this says otherwise);
    ``line`` the first directive's line (0: none).
    """

    skip: str | None = None
    timeout: float | None = None
    setup: Code | None = None
    teardown: Code | None = None
    requires: str | None = None
    engine: EngineRange | None = None
    store: str | None = None
    unordered: bool = False
    terminal: Size | None = None
    line: int = 0


class ScreenLines(list[str]):
    """A terminal's final screen as a step's output lines: update mode compares its rows as
    the run did (``screen.canonical``) and keeps the page's `...` as for other output."""


@dataclass
class CodeBlock:
    """A fenced code block of a page, parsed."""

    path: Path
    line: int  # line of the opening fence
    end_line: int  # line of the closing fence
    language: str  # shell, console, bash, sh or python
    info: str  # the whole info string, e.g. 'bash title="x"'
    source: str  # the fence's body
    kind: str  # its kind's name (docharness.kinds), e.g. "transcript"
    directives: Directives = field(default_factory=Directives)
    steps: list[Step] = field(default_factory=list)  # a transcript's, parsed at collection


class HarnessError(Exception):
    """Bad input: an unknown directive, a broken fence... Always names file and line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
