"""The data every harness module shares: what a page's code block holds once parsed.

Parsing (``fences``, ``directives``, ``transcript``) produces these objects; running
(``kinds``, ``shell``, ``interactive``) consumes them; ``report`` and ``update``
read them back. Line numbers are 1-based lines of the Markdown file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class BlockKind(Enum):
    """How a fenced block is treated."""

    TRANSCRIPT = "transcript"  # shell fence with at least one prompt: run it
    SYNOPSIS = "synopsis"  # shell fence without a prompt: check names against `docker ... --help`
    PYTHON = "python"  # python fence: run with Sybil's Python evaluator


@dataclass(frozen=True)
class Directive:
    """One `<!-- test: ... -->` comment in front of a block (or a page-level one).

    ``name`` is one of: skip, timeout, setup, teardown, requires, engine.
    ``value`` is the reason (skip), seconds as text (timeout), the requirement (requires),
    the engine range in its normal form (engine, e.g. ``<26``) or the code body
    (setup/teardown).
    """

    name: str
    value: str
    line: int


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


@dataclass
class CodeBlock:
    """A fenced code block of a page, parsed."""

    path: Path
    line: int  # line of the opening fence
    end_line: int  # line of the closing fence
    language: str  # shell, console, bash, sh or python
    info: str  # the whole info string, e.g. 'bash title="x"'
    source: str  # the fence's body
    kind: BlockKind
    directives: list[Directive] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)  # TRANSCRIPT only

    def directive(self, name: str) -> Directive | None:
        """The block's directive called ``name``, if any."""
        return next((d for d in self.directives if d.name == name), None)


class HarnessError(Exception):
    """Bad input: an unknown directive, a broken fence... Always names file and line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
