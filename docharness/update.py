"""`make update-docs`: write the real output back into a page's transcripts.

Only the expected output of the steps that ran is rewritten. Lines that still match stay as
written, `...` lines stay (absorbing what they matched), and real values bound to a value the
page shows are written back as the page's value, unless that value is ``unproven`` (no recorded
run printed it, see ``docharness.ledger``): then its lines are rewritten with the real value.
Commands, comments and directives are untouched.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path

from docharness.fences import prefix
from docharness.model import CodeBlock, ExpectedLine
from docharness.normalise import ELLIPSIS, Bindings, is_ellipsis, match, match_line, tokenize


def update_text(
    text: str,
    blocks: Sequence[CodeBlock],
    outputs: Mapping[int, Sequence[str]],
    bindings: Bindings,
    unproven: frozenset[str] = frozenset(),
) -> str:
    """The page text with each step's output replaced by its real output.

    ``outputs`` maps a step's line (its prompt's line) to the lines it printed; steps without
    an entry (not run) keep their output. A line showing an ``unproven`` value is replaced
    even where it matches, and no real value is written back as an unproven one.
    """
    if unproven:
        bindings = Bindings({k: v for k, v in bindings.values.items() if k not in unproven})
    lines = text.split("\n")
    edits: list[tuple[int, int, list[str]]] = []  # 0-based [start, end) -> new lines
    for block in blocks:
        indent = prefix(lines[block.line - 1])  # a list's indentation, a blockquote's `> `
        for step in block.steps:
            if step.line not in outputs:
                continue
            new = rewrite(step.expected, outputs[step.line], bindings, unproven)
            if step.expected:
                start, end = step.expected[0].line - 1, step.expected[-1].line
            else:
                start = end = step.line + step.command.count("\n")
            edits.append((start, end, [indent + line if line else indent.rstrip() for line in new]))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    return "\n".join(lines)


def rewrite(
    expected: Sequence[ExpectedLine],
    actual: Sequence[str],
    bindings: Bindings,
    unproven: frozenset[str] = frozenset(),
) -> list[str]:
    """New expected output for one step: the page's own lines where they still match."""
    real = [line.rstrip() for line in actual if line.strip()]
    tainted = [any(t.text in unproven for t in tokenize(line.text)) for line in expected]
    if not any(tainted) and match(expected, real, Bindings(bindings.values)) is None:
        return [line.text for line in expected]
    return _align(expected, real, bindings, tainted)


def _align(
    expected: Sequence[ExpectedLine],
    real: list[str],
    bindings: Bindings,
    tainted: Sequence[bool],
) -> list[str]:
    """Edit-distance alignment where `...` absorbs any lines for free.

    A page line that matches its real line costs 0 and is kept; a replaced, dropped or added
    line costs 1. Ties prefer replacing a line in place, so the page keeps its shape.
    A ``tainted`` page line (it shows an unproven value) never counts as matching.
    """
    n, m = len(expected), len(real)
    same = [
        [not bad and match_line(e.text, r, bindings.values) is not None for r in real]
        for e, bad in zip(expected, tainted, strict=True)
    ]
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
                expected[i - 1].text if same[i - 1][j - 1] else bindings.to_page(real[j - 1])
            )
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            out.append(bindings.to_page(real[j - 1]))
            j -= 1
    return out[::-1]


def unified_diff(old: str, new: str, path: Path | str) -> str:
    """The change to a page as a unified diff (empty when nothing changed)."""
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"a/{path}", f"b/{path}", lineterm=""
    )
    return "\n".join(diff)
