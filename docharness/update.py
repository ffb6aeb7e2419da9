"""`make update-docs`: write the real output back into a page's transcripts.

Only the expected output of the steps that ran is rewritten. Lines that still match stay as
written, `...` lines stay (absorbing what they matched), and real values bound to a value the
page shows are written back as the page's value, unless that value is ``unproven`` (no recorded
run printed it, see ``docharness.ledger``): then the real value takes its place, in the output
and in the prompts and commands that repeat it, the rest of each line staying as written.
Otherwise commands, comments and directives are untouched.

One run's values: a rewritten line shows, for each object the page already shows, the page's
value (a screen's cut digest as the same-length start of it); where the page's value is too
short to stand for what the run printed (only a short ID on the page, the long one printed),
the block is refused, naming the step, the value and the page line that shows the other.
A terminal's screen is aligned like other output: its `...` stays.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from docharness.fences import prefix
from docharness.model import CodeBlock, ExpectedLine, HarnessError, ScreenLines, Size, Step
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
from docharness.screen import DEFAULT_SIZE, canonical
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
    own: Mapping[int, Mapping[str, str]] | None = None,
) -> Updated:
    """The page text with each step's output replaced by its real output.

    ``outputs`` maps a step's line (its prompt's line) to the lines it printed; steps without
    an entry (not run) keep their output. An ``unproven`` value the run bound is replaced by
    its real value wherever the page shows it: output, prompts and commands.
    ``bindings`` are the page's, ``own`` each block's (block line -> page value -> real): a
    block's own value wins where two blocks show one page value for two objects.

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
    shown = _shown_hex(blocks, unproven)
    for block in blocks:
        indent = prefix(lines[block.line - 1])  # a list's indentation, a blockquote's `> `
        try:
            mine = {k: v for k, v in (own or {}).get(block.line, {}).items() if k not in unproven}
            known = Bindings({**bindings.values, **mine})
            ours, intended = _block_edits(block, outputs, known, unproven, shown)
        except MixedRuns as mixed:
            line = mixed.step.line if mixed.step is not None else block.line
            refused.append(Refused(line, _mixed_refusal(mixed, blocks)))
            continue
        problem = _reads_back(block, ours, intended)
        if problem is not None:
            refused.append(problem)
            continue
        edits += [(s, e, [indent + x if x else indent.rstrip() for x in new]) for s, e, new in ours]
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    return Updated("\n".join(lines), refused)


def _block_edits(
    block: CodeBlock,
    outputs: Mapping[int, Sequence[str]],
    bindings: Bindings,
    unproven: frozenset[str],
    shown: Sequence[str],
) -> tuple[list[tuple[int, int, list[str]]], dict[int, list[str]]]:
    """Each run step's edit (0-based [start, end) -> new lines) and its new output by step
    line. MixedRuns (naming the step) when a step's output cannot be written with one run's
    values."""
    edits: list[tuple[int, int, list[str]]] = []
    intended: dict[int, list[str]] = {}
    for step in block.steps:
        if step.line not in outputs:
            continue
        size = block.directives.terminal or DEFAULT_SIZE
        try:
            new = rewrite(
                step.expected,
                outputs[step.line],
                bindings,
                unproven,
                block.directives.unordered,
                size,
                shown,
            )
        except MixedRuns as mixed:
            raise MixedRuns(mixed.printed, mixed.page, step) from None
        if step.expected:
            start, end = step.expected[0].line - 1, step.expected[-1].line
        else:
            start = end = step.line + step.command.count("\n")
        edits.append((start, end, new))
        intended[step.line] = new
    return edits, intended


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
    size: Size = DEFAULT_SIZE,
    shown: Sequence[str] = (),
) -> list[str]:
    """New expected output for one step: the page's own lines where they still match (in any
    order for an `unordered` block), with the real value in place of each ``unproven`` one.

    A terminal's screen (``ScreenLines``, drawn on a terminal of ``size``) is compared as the
    run compared it (``screen.canonical``), and aligned like other output: its `...` stays.
    A rewritten line shows the page's value for each object the page already shows
    (``bindings``; ``shown``: the IDs and digests the page shows); MixedRuns when it cannot
    (see ``page_values``).
    """
    real = [line.rstrip() for line in actual if line.strip()]
    screen = isinstance(actual, ScreenLines)
    compared = [canonical(line, size) for line in real] if screen else real
    page = [ExpectedLine(canonical(e.text, size), e.line) for e in expected] if screen else expected
    tainted = any(t.text in unproven for line in expected for t in tokenize(line.text))
    if not tainted and match(page, compared, Bindings(bindings.values), any_order) is None:
        return [line.text for line in expected]
    return _align(expected, real, bindings, unproven, size if screen else None, shown)


class MixedRuns(Exception):
    """A real value the page shows, as another run's value, in a form too short to stand for
    this one: written, one page would show two runs' values for one object."""

    def __init__(self, printed: str, page: str, step: Step | None = None) -> None:
        super().__init__(f"{printed} is shown on the page as {page}, too short to stand for it")
        self.printed, self.page, self.step = printed, page, step


def page_values(line: str, bindings: Bindings, shown: Sequence[str] = ()) -> str:
    """A real line as the page writes it: each real value in the page's own value.

    A hex value (an ID, a digest, or one a terminal's width cut) that begins like a bound real
    value is written as the same-length start of that value's page counterpart, so a cut
    digest on a build screen and a `Deleted:` line below show the same image. When the page's
    value is too short for that (it shows only a short ID and this line the long one), MixedRuns:
    taking the real digits after the page's would write an ID no run printed. A longer value
    the page ``shown`` elsewhere that begins like a bound page value is the same object (the
    run checks that, ``normalise._fits``): it can stand for the printed one.
    """
    return _writer(bindings, shown)(line)


def _writer(bindings: Bindings, shown: Sequence[str]) -> Callable[[str], str]:
    """``page_values`` for many lines: the bound pairs are gathered once."""
    pairs = _hex_pairs(bindings, shown)

    def page_form(found: re.Match[str]) -> str:
        printed = found.group()
        related = [(p, ph, rh) for p, ph, rh in pairs if _same_start(printed, rh)]
        changed = [item for item in related if not _same_start(item[1], item[2])]
        if not changed:
            return printed  # a value the page does not show, or the same in both runs
        page, page_hex, _ = max(changed, key=lambda item: len(item[1]))
        if len(page_hex) < len(printed):
            raise MixedRuns(printed, page)
        return page_hex[: len(printed)]

    def write(line: str) -> str:
        return bindings.to_page(_HEX_RUN.sub(page_form, line) if pairs else line)

    return write


_HEX_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{12,64}(?![0-9A-Za-z])")
_SHORT = 12  # a short ID's digits: fewer in common say nothing of two values being one


def _hex_pairs(bindings: Bindings, shown: Sequence[str] = ()) -> list[tuple[str, str, str]]:
    """The bound (page value, its hex digits, the real value's hex digits), for IDs and
    digests: ``sha256:`` and a shortened digest's ``...`` left off; and a ``shown`` value not
    bound with the real digits of the bound value it begins like."""
    pairs = []
    for page, real in bindings.values.items():
        ph, rh = _hex_digits(page), _hex_digits(real)
        if ph is not None and rh is not None:
            pairs.append((page, ph, rh))
    for page in shown:
        digits = _hex_digits(page)
        if digits is None or page in bindings.values:
            continue
        pairs += [(page, digits, rh) for _, ph, rh in pairs[:] if _same_start(digits, ph)]
    return pairs


def _hex_digits(value: str) -> str | None:
    digits = value.removeprefix("sha256:").removesuffix(ELLIPSIS)
    return digits if len(digits) >= _SHORT and _HEX_RUN.fullmatch(digits) else None


def _same_start(one: str, other: str) -> bool:
    """Whether two hex values agree on the digits both have (at least a short ID's)."""
    size = min(len(one), len(other))
    return size >= _SHORT and one[:size] == other[:size]


def _shown_hex(blocks: Sequence[CodeBlock], unproven: frozenset[str]) -> list[str]:
    """The hex values (IDs, digests, digests a screen cut) the page's transcripts show, in
    output and container prompts; not the ``unproven`` ones, which the run's values replace."""
    found: dict[str, None] = {}
    for block in blocks:
        for step in block.steps:
            texts = [step.prompt] if step.in_container else []
            for text in texts + [line.text for line in step.expected]:
                for value in _HEX_RUN.findall(text):
                    if value not in unproven and f"sha256:{value}" not in unproven:
                        found[value] = None
    return list(found)


def _mixed_refusal(mixed: MixedRuns, blocks: Sequence[CodeBlock]) -> str:
    assert mixed.step is not None  # _block_edits names the step
    shown = _line_showing(mixed.page, blocks)
    where = f" (line {shown})" if shown is not None else ""
    return (
        f"`{mixed.step.command.splitlines()[0]}` printed {mixed.printed}, and the page shows "
        f"the same object as {mixed.page}{where}, another run's value too short to write here; "
        "this block was not updated, as it would show two runs' values for one object (write "
        f"one run's value in both places, this run's is {mixed.printed}; or remove the record "
        f"of {mixed.page} from the page's ledger: update mode then writes this run's value "
        "wherever the page shows it)"
    )


def _line_showing(value: str, blocks: Sequence[CodeBlock]) -> int | None:
    """The first line of the page's transcripts whose output or prompt shows ``value``."""
    for block in blocks:
        for step in block.steps:
            if value in step.prompt:
                return step.line
            for line in step.expected:
                if value in line.text:
                    return line.line
    return None


def _swap(page: str, real: str, unproven: frozenset[str]) -> str:
    """The page's line with the real value in place of each unproven one (the two lines
    matched, so their tokens pair up)."""
    pairs = zip(tokenize(page), tokenize(real), strict=True)
    return "".join(r.text if p.text in unproven else p.text for p, r in pairs)


# An edit's costs. A page line that no real line matches is better replaced in place than
# dropped: a `...` after it would absorb the real line for free, and a drop costing no more
# than a replacement let changed rows vanish into it (docker image history, 2026-12-07).
_REPLACE, _DROP, _ADD = 1, 2, 1


def _align(
    expected: Sequence[ExpectedLine],
    real: list[str],
    bindings: Bindings,
    unproven: frozenset[str] = frozenset(),
    screen: Size | None = None,
    shown: Sequence[str] = (),
) -> list[str]:
    """Edit-distance alignment where `...` absorbs any lines for free.

    A page line that matches its real line costs 0 and is kept; a replaced line costs
    _REPLACE, a dropped one _DROP, an added one _ADD. Ties prefer replacing a line in place,
    so the page keeps its shape. A kept page line shows the real value in place of an
    unproven one. On a ``screen`` lines are compared as ``screen.canonical`` has them.
    """
    n, m = len(expected), len(real)
    seen = [canonical(r, screen) for r in real] if screen else real
    page = [canonical(e.text, screen) if screen else e.text for e in expected]
    same = [[match_line(e, r, bindings.values) is not None for r in seen] for e in page]
    write = _writer(bindings, shown)
    far = _DROP * n + _ADD * m + 1
    cost = [[far] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0
    for i in range(n + 1):
        for j in range(m + 1):
            if i and is_ellipsis(expected[i - 1]):
                cost[i][j] = min(cost[i - 1][j], cost[i][j - 1] if j else far)
            elif i or j:
                cost[i][j] = min(
                    cost[i - 1][j - 1] + _REPLACE * (not same[i - 1][j - 1]) if i and j else far,
                    cost[i - 1][j] + _DROP if i else far,
                    cost[i][j - 1] + _ADD if j else far,
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
        elif i and j and cost[i][j] == cost[i - 1][j - 1] + _REPLACE * (not same[i - 1][j - 1]):
            kept = same[i - 1][j - 1]
            if kept and not screen:
                out.append(_swap(expected[i - 1].text, real[j - 1], unproven))
            elif kept and not any(t.text in unproven for t in tokenize(expected[i - 1].text)):
                out.append(expected[i - 1].text)
            else:  # changed; or a screen row showing an unproven value: the row as drawn
                out.append(write(real[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + _DROP:
            i -= 1
        else:
            out.append(write(real[j - 1]))
            j -= 1
    return out[::-1]


def unified_diff(old: str, new: str, path: Path | str) -> str:
    """The change to a page as a unified diff (empty when nothing changed); each line cut
    after SHOWN_CHARACTERS, as a failure's diff is (the page itself has the whole line)."""
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"a/{path}", f"b/{path}", lineterm=""
    )
    return "\n".join(shorten(line, SHOWN_CHARACTERS + 1) for line in diff)
