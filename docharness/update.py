"""`make update-docs`: write the real output back into a page's transcripts.

Only the expected output of the steps that ran is rewritten. Lines that still match stay as
written, `...` lines stay (absorbing what they matched), and real values bound to a value the
page shows are written back as the page's value, unless that value is ``unproven`` (no recorded
run printed it, see ``docharness.ledger``): then the real value takes its place, in the output
and in the prompts and commands that repeat it, the rest of each line staying as written.
Otherwise commands, comments and directives are untouched.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from docharness.fences import prefix
from docharness.model import CodeBlock, ExpectedLine, HarnessError, ScreenLines
from docharness.normalise import (
    ELLIPSIS,
    SHOWN_CHARACTERS,
    Bindings,
    is_ellipsis,
    match,
    match_line,
    shorten,
    tokenize,
)
from docharness.transcript import COMMENT, parse_steps, reads_as_command


class Refused(NamedTuple):
    """A block update mode left as it was: the step's line and why."""

    line: int
    reason: str


class Updated(NamedTuple):
    """A page's new text, and the blocks left as they were."""

    text: str
    refused: list[Refused]


def update_text(
    text: str,
    blocks: Sequence[CodeBlock],
    outputs: Mapping[int, Sequence[str]],
    bindings: Bindings,
    unproven: frozenset[str] = frozenset(),
) -> str:
    """``update_blocks``' text; a block it would refuse is a HarnessError instead."""
    updated = update_blocks(text, blocks, outputs, bindings, unproven)
    if updated.refused:
        path = blocks[0].path if blocks else "page"
        raise HarnessError(path, updated.refused[0].line, updated.refused[0].reason)
    return updated.text


def update_blocks(
    text: str,
    blocks: Sequence[CodeBlock],
    outputs: Mapping[int, Sequence[str]],
    bindings: Bindings,
    unproven: frozenset[str] = frozenset(),
) -> Updated:
    """The page text with each step's output replaced by its real output.

    ``outputs`` maps a step's line (its prompt's line) to the lines it printed; steps without
    an entry (not run) keep their output. An ``unproven`` value the run bound is replaced by
    its real value wherever the page shows it: output, prompts and commands.

    A block whose new output the page would read back as something else (a command, a
    fence, a comment) is left as it was and named in ``refused``: written, a printed `$ `
    line would run at the next update.
    """
    lines = text.split("\n")
    if unproven:
        real = _real_values(bindings, unproven)
        bindings = Bindings({k: v for k, v in bindings.values.items() if k not in unproven})
        for block in blocks:
            for step in block.steps:
                first, last = step.line - 1, step.line + step.command.count("\n")
                lines[first:last] = [_replace_values(line, real) for line in lines[first:last]]
    edits: list[tuple[int, int, list[str]]] = []  # 0-based [start, end) -> new lines
    refused: list[Refused] = []
    for block in blocks:
        indent = prefix(lines[block.line - 1])  # a list's indentation, a blockquote's `> `
        ours: list[tuple[int, int, list[str]]] = []
        intended: dict[int, list[str]] = {}
        for step in block.steps:
            if step.line not in outputs:
                continue
            new = rewrite(
                step.expected, outputs[step.line], bindings, unproven, block.directives.unordered
            )
            if step.expected:
                start, end = step.expected[0].line - 1, step.expected[-1].line
            else:
                start = end = step.line + step.command.count("\n")
            ours.append((start, end, new))
            intended[step.line] = new
        problem = _reads_back(block, ours, intended)
        if problem is not None:
            refused.append(problem)
            continue
        edits += [(s, e, [indent + x if x else indent.rstrip() for x in new]) for s, e, new in ours]
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    return Updated("\n".join(lines), refused)


def _reads_back(
    block: CodeBlock, edits: list[tuple[int, int, list[str]]], intended: Mapping[int, list[str]]
) -> Refused | None:
    """Why the block, its edits applied, would not read back as the same steps with the new
    output; None when it would. The body is parsed as the transcript parser sees it (the
    fence's own lines); a fence-like line is refused first, as it would end the block."""
    if not edits:
        return None
    for step in block.steps:
        for line in intended.get(step.line, []):
            what = _syntax(line)
            if what is not None:
                return Refused(step.line, _refusal(step.command, line, what))
    body = block.source.removesuffix("\n").split("\n")
    for start, end, new in sorted(edits, reverse=True):
        body[start - block.line : end - block.line] = new  # body[0] is file line block.line + 1
    try:
        steps = parse_steps(block.path, "\n".join(body) + "\n", block.line + 1)
    except HarnessError as error:
        first = block.steps[0]
        return Refused(first.line, f"the new output would not read back: {error}")
    if len(steps) != len(block.steps):
        first = block.steps[0]
        return Refused(first.line, "the new output would read back as other commands")
    for old, again in zip(block.steps, steps, strict=True):
        want = intended.get(old.line, [e.text for e in old.expected])
        got = [e.text for e in again.expected]
        if got != want:
            differs = (w for i, w in enumerate(want) if i >= len(got) or got[i] != w)
            line = next(differs, got[len(want)] if len(got) > len(want) else "")
            what = "a comment" if COMMENT.match(line) else "something other than output"
            return Refused(old.line, _refusal(old.command, line, what))
    return None


def _syntax(line: str) -> str | None:
    """What a written output line would be read back as, if not output."""
    if reads_as_command(line):
        return "a command (it starts with a prompt)"
    if _FENCE.match(line):
        return "a code fence (it would end the block)"
    return None


def _refusal(command: str, line: str, what: str) -> str:
    shown = line if len(line) <= _QUOTED else line[:_QUOTED] + "…"
    return (
        f"`{command.splitlines()[0]}` printed a line the page would read back as {what}: "
        f"{shown!r}; this block was not updated (write its output by hand, shortening that "
        "line with `...` if it need not be shown)"
    )


_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})")
_QUOTED = 80  # characters of an output line a refusal quotes


def _real_values(bindings: Bindings, unproven: frozenset[str]) -> dict[str, str]:
    """Each unproven value the run bound -> its real value; an unproven long ID's short form
    too. A short form the page shows on its own authority (a recorded value) is not touched,
    although a long ID bound to it in another block may share its first 12 digits."""
    real = {k: v for k, v in bindings.values.items() if k in unproven}
    for page, value in list(real.items()):
        if len(page) == len(value) == 64 and page[:12] in unproven:
            real.setdefault(page[:12], value[:12])
    return real


def _replace_values(line: str, values: Mapping[str, str]) -> str:
    """``line`` with each of ``values``' keys, as a whole token, replaced by its value."""
    if not values:
        return line
    keys = sorted(values, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, keys)) + r")(?!\w)")
    return pattern.sub(lambda found: values[found.group()], line)


def rewrite(
    expected: Sequence[ExpectedLine],
    actual: Sequence[str],
    bindings: Bindings,
    unproven: frozenset[str] = frozenset(),
    any_order: bool = False,
) -> list[str]:
    """New expected output for one step: the page's own lines where they still match (in any
    order for an `unordered` block), with the real value in place of each ``unproven`` one; a
    terminal's screen (``ScreenLines``) that no longer matches, whole."""
    real = [line.rstrip() for line in actual if line.strip()]
    tainted = any(t.text in unproven for line in expected for t in tokenize(line.text))
    if not tainted and match(expected, real, Bindings(bindings.values), any_order) is None:
        return [line.text for line in expected]
    if isinstance(actual, ScreenLines):
        return [bindings.to_page(line) for line in real]
    return _align(expected, real, bindings, unproven)


def _swap(page: str, real: str, unproven: frozenset[str]) -> str:
    """The page's line with the real value in place of each unproven one (the two lines
    matched, so their tokens pair up)."""
    pairs = zip(tokenize(page), tokenize(real), strict=True)
    return "".join(r.text if p.text in unproven else p.text for p, r in pairs)


def _align(
    expected: Sequence[ExpectedLine],
    real: list[str],
    bindings: Bindings,
    unproven: frozenset[str] = frozenset(),
) -> list[str]:
    """Edit-distance alignment where `...` absorbs any lines for free.

    A page line that matches its real line costs 0 and is kept; a replaced, dropped or added
    line costs 1. Ties prefer replacing a line in place, so the page keeps its shape.
    A kept page line shows the real value in place of an unproven one.
    """
    n, m = len(expected), len(real)
    same = [[match_line(e.text, r, bindings.values) is not None for r in real] for e in expected]
    far = n + m + 1
    cost = [[far] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0
    for i in range(n + 1):
        for j in range(m + 1):
            if i and is_ellipsis(expected[i - 1]):
                cost[i][j] = min(cost[i - 1][j], cost[i][j - 1] if j else far)
            elif i or j:
                cost[i][j] = min(
                    cost[i - 1][j - 1] + (not same[i - 1][j - 1]) if i and j else far,
                    cost[i - 1][j] + 1 if i else far,
                    cost[i][j - 1] + 1 if j else far,
                )
    out: list[str] = []
    i, j = n, m
    while i or j:
        if i and is_ellipsis(expected[i - 1]):
            if j and cost[i][j] == cost[i][j - 1]:
                j -= 1
            else:
                out.append(ELLIPSIS)
                i -= 1
        elif i and j and cost[i][j] == cost[i - 1][j - 1] + (not same[i - 1][j - 1]):
            out.append(
                _swap(expected[i - 1].text, real[j - 1], unproven)
                if same[i - 1][j - 1]
                else bindings.to_page(real[j - 1])
            )
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            out.append(bindings.to_page(real[j - 1]))
            j -= 1
    return out[::-1]


def unified_diff(old: str, new: str, path: Path | str) -> str:
    """The change to a page as a unified diff (empty when nothing changed); each line cut
    after SHOWN_CHARACTERS, as a failure's diff is (the page itself has the whole line)."""
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"a/{path}", f"b/{path}", lineterm=""
    )
    return "\n".join(shorten(line, SHOWN_CHARACTERS + 1) for line in diff)
