"""`<!-- test: ... -->` directives: parse them and find the line of the fence each one belongs to.

A directive is an HTML comment starting a line (indentation allowed) whose text begins with
``test:``. It belongs to the next fence: only blank lines and other directives may stand between.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docharness.engines import EngineRange, parse_store, quoted
from docharness.model import Code, Directives, HarnessError, Size

NAMES = (
    "skip",
    "timeout",
    "setup",
    "teardown",
    "requires",
    "engine",
    "store",
    "unordered",
    "terminal",
)
REQUIREMENTS = ("network",)
# The longest a block may be given: a typo such as `timeout 36000` must not stall a run for
# hours, and `inf`/`1e400` would overflow select() and leave the page's shell out of step.
MAX_TIMEOUT = 3600.0
# A terminal's size: `terminal 100x30` (columns x rows), within what a screen can show.
_SIZE = re.compile(r"(?P<columns>\d{1,3})x(?P<rows>\d{1,3})")
MIN_SIZE, MAX_SIZE = Size(20, 5), Size(500, 200)

_START = re.compile(r"^[ \t]*<!--\s*test\s*:(?P<rest>.*)$")
_NAME = re.compile(r"\s*(?P<name>\S*)(?P<value>.*)\Z", re.DOTALL)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")

Value = str | float | bool | Code | EngineRange | Size


@dataclass(frozen=True)
class _Directive:
    """One comment, its value already typed (the field of Directives it sets)."""

    name: str
    value: Value
    line: int


def parse_directives(
    path: Path, text: str, code_lines: Container[int] = ()
) -> dict[int, Directives]:
    """Map the line of the fence directives belong to -> those directives, typed.

    ``code_lines`` are the 1-based lines inside fenced blocks: comments there are code, not
    directives. Raises HarnessError for a malformed, unknown or unattached directive.

    ```python
    from pathlib import Path

    from docharness.directives import parse_directives
    from docharness.model import Directives

    page = "<!-- test: timeout 120 -->\\n\\n```console\\n$ docker pull mysql:5.7\\n```\\n"
    assert parse_directives(Path("page.md"), page) == {3: Directives(timeout=120.0, line=1)}
    ```
    """
    lines = text.split("\n")
    found: list[tuple[int, int, _Directive]] = []  # (first line, last line, directive)
    index = 0
    while index < len(lines):
        number = index + 1
        start = _START.match(lines[index])
        if start is None or number in code_lines:
            index += 1
            continue
        body, last = _comment_body(path, lines, index, start.group("rest"))
        found.append((number, last + 1, _directive(path, number, body)))
        index = last + 1

    attached: dict[int, list[_Directive]] = {}
    spans = {first: last for first, last, _ in found}
    for _, last, directive in found:
        target = _target(lines, last, spans)
        if target is None or not _FENCE.match(lines[target - 1]):
            raise HarnessError(path, directive.line, "directive not attached to a code block")
        attached.setdefault(target, []).append(directive)
    return {target: _typed(path, directives) for target, directives in attached.items()}


def _typed(path: Path, directives: list[_Directive]) -> Directives:
    """One fence's directives as one value; a second of the same name is an error."""
    values: dict[str, Any] = {}  # field name -> value, each typed by _directive
    for directive in directives:
        if directive.name in values:
            raise HarnessError(path, directive.line, f"second {directive.name} directive")
        values[directive.name] = directive.value
    return Directives(**values, line=directives[0].line)


def _comment_body(path: Path, lines: list[str], index: int, rest: str) -> tuple[str, int]:
    """The comment's text after ``test:`` and the 0-based index of its last line."""
    parts = [rest]
    last = index
    while "-->" not in parts[-1]:
        last += 1
        if last == len(lines):
            raise HarnessError(path, index + 1, "unclosed <!-- test: comment")
        parts.append(lines[last])
    joined = "\n".join(parts)
    body, _, after = joined.partition("-->")
    if after.strip():
        raise HarnessError(path, last + 1, "text after a directive's -->")
    return body, last


def _directive(path: Path, line: int, body: str) -> _Directive:
    """Validate one directive's name and value, and type the value."""
    parsed = _NAME.match(body)
    assert parsed is not None  # the pattern matches any text
    name, value = parsed.group("name"), parsed.group("value")
    if name not in NAMES:
        known = ", ".join(NAMES)
        raise HarnessError(path, line, f"unknown directive {quoted(name)} (known: {known})")
    if name in ("setup", "teardown"):
        code = textwrap.dedent(value.strip("\n").rstrip()).strip("\n")
        if not code.strip():
            raise HarnessError(path, line, f"{name} directive without code")
        return _Directive(name, Code(code, line), line)
    value = " ".join(value.split())
    if name == "unordered":
        if value:
            raise HarnessError(path, line, f"unordered takes no value: {quoted(value)}")
        return _Directive(name, True, line)
    if name == "terminal":
        return _Directive(name, _terminal_size(path, line, value), line)
    if name == "skip" and not value:
        raise HarnessError(path, line, "skip directive needs a reason")
    if name == "timeout":
        timeout = _seconds(value)
        if timeout is None:
            raise HarnessError(
                path,
                line,
                f"timeout must be a positive number of seconds, at most {MAX_TIMEOUT:g}: "
                f"{quoted(value)}",
            )
        return _Directive(name, timeout, line)
    if name == "requires" and value not in REQUIREMENTS:
        raise HarnessError(path, line, f"unknown requirement {quoted(value)} (known: network)")
    if name == "engine":
        try:
            return _Directive(name, EngineRange.parse(value), line)
        except ValueError as error:
            raise HarnessError(path, line, str(error)) from None
    if name == "store":
        try:
            return _Directive(name, parse_store(value), line)
        except ValueError as error:
            raise HarnessError(path, line, str(error)) from None
    return _Directive(name, value, line)


def _terminal_size(path: Path, line: int, value: str) -> Size:
    """A terminal directive's size: none given is a reader's 80x24."""
    if not value:
        return Size()
    found = _SIZE.fullmatch(value)
    size = Size(int(found["columns"]), int(found["rows"])) if found else None
    if size is None or not (
        MIN_SIZE.columns <= size.columns <= MAX_SIZE.columns
        and MIN_SIZE.rows <= size.rows <= MAX_SIZE.rows
    ):
        raise HarnessError(
            path,
            line,
            f"terminal takes a size COLUMNSxROWS from {MIN_SIZE} to {MAX_SIZE} "
            f"(`<!-- test: terminal 100x30 -->`), or none for 80x24: {quoted(value)}",
        )
    return size


def _seconds(text: str) -> float | None:
    """A timeout directive's value as seconds: finite, above 0, at most MAX_TIMEOUT; else None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 < value <= MAX_TIMEOUT else None


def _target(lines: list[str], after: int, spans: dict[int, int]) -> int | None:
    """The first line after line ``after`` that is neither blank nor a directive.

    ``spans`` maps each directive's first line to its last line.
    """
    number = after + 1
    while number <= len(lines):
        if number in spans:
            number = spans[number] + 1
        elif not lines[number - 1].strip():
            number += 1
        else:
            return number
    return None
