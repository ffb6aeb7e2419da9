"""Compare the output a page shows with the real output, ignoring what varies between runs.

Each line is cut into tokens of a kind. Varying kinds (times, durations, sizes, some columns)
match any token of the same kind; bindable kinds (IDs, digests, PIDs, user names, namespace
numbers) match any value the first time, then the page's value stands for that real value for
the rest of the page.
Runs of spaces match runs of spaces, so realigned table columns still match.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from docharness.model import ExpectedLine

ELLIPSIS = "..."

# Token kinds.
LITERAL, SPACE = "literal", "space"
TIME, DURATION, SIZE, ANY = "time", "duration", "size", "any"
DIGEST, LONG_ID, ID, PID, USER = "digest", "long_id", "id", "pid", "user"
NAMESPACE = "namespace"  # the inode number in /proc/<pid>/ns links: `pid:[4026531836]`
BINDABLE = frozenset({DIGEST, LONG_ID, ID, PID, USER, NAMESPACE})
VARYING = frozenset({TIME, DURATION, SIZE, ANY})

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
_ISO = (
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|\s?[+-]\d{2}:?\d{2}(?:\s[A-Z]{2,5}(?![\w]))?)?)?"
)
# `ls -l` dates: Korean and C locales, recent (clock) or older (year) files.
_LS_DATE = rf"(?:\d{{1,2}}월\s+\d{{1,2}}일?|{_MONTH}\s+\d{{1,2}})\s+(?:\d{{1,2}}:\d{{2}}|\d{{4}})"
_SIZE = r"\d+(?:[.,]\d+)?(?:[kKMGTP]i?B|[kKMGTP]|B)"

_SPECIAL = re.compile(
    "|".join(
        [
            rf"(?P<{NAMESPACE}>(?<=[a-z]:\[)\d+(?=\]))",
            rf"(?P<{DIGEST}>(?<![\w])sha256:(?:[0-9a-f]{{64}}|[0-9a-f]+\.\.\.[0-9a-f]*))",
            rf"(?P<{LONG_ID}>(?<![0-9A-Za-z])[0-9a-f]{{64}}(?![0-9A-Za-z]))",
            rf"(?P<{ID}>(?<![0-9A-Za-z])[0-9a-f]{{12}}(?![0-9A-Za-z]))",
            rf"(?P<{TIME}>(?<![\w.:/-])(?:{_ISO}|{_LS_DATE}|{_CLOCK})(?![\w.:]))",
            rf"(?P<{DURATION}>(?<!\w)(?:Less than a second|About an? (?:minute|hour)"
            r"|\d+ (?:second|minute|hour|day|week|month|year)s?"
            # a test runner's timing: node --test's `✔ name (0.778921ms)`
            r"|\d+(?:\.\d+)?ms)(?!\w)"
            # BuildKit's plain progress: a step's time, `#8 DONE 0.4s`, `exporting layers 0.1s`.
            r"|(?<![\w.])\d+\.\d+s(?![\w.]))",
            rf"(?P<{SIZE}>(?<![\w.]){_SIZE}(?!\w))",
            rf"(?P<{SPACE}>[ \t]+)",
        ]
    )
)

# Whole-line shapes whose columns have meanings no single token shows: the kind of each
# named group is the group name without its trailing digit; `rest` is tokenised as usual.
_SHAPES = [
    # ps -ef: UID PID PPID C STIME TTY TIME CMD
    re.compile(
        rf"^(?P<{USER}>\S+)\s+(?P<{PID}1>\d+)\s+(?P<{PID}2>\d+)\s+(?P<{ANY}1>\d+)"
        rf"\s+(?P<{TIME}1>{_CLOCK}|{_MONTH}\d{{2}}|\d{{4}})\s+(?P<{ANY}2>\S+)"
        rf"\s+(?P<{TIME}2>(?:\d+-)?\d+:\d{{2}}:\d{{2}})(?P<rest>\s.*)$"
    ),
    # ls -l: mode links user group size date name (the link count varies by filesystem)
    re.compile(
        rf"^(?P<{LITERAL}>[-bcdlpsD][-rwxsStT]{{9}}[.+@]?)\s+(?P<{ANY}>\d+)\s+(?P<{USER}1>\S+)"
        rf"\s+(?P<{USER}2>\S+)\s+(?P<{SIZE}>\d+(?:[.,]\d+)?[KMGTP]?)\s+(?P<{TIME}>{_LS_DATE})"
        rf"(?P<rest>\s.*)$"
    ),
    # tar tv: mode owner/group size date time name (engines write 0/0 or root/root)
    re.compile(
        rf"^(?P<{LITERAL}>[-bcdlhpsD][-rwxsStT]{{9}})\s+(?P<{ANY}1>[^/\s]+)/(?P<{ANY}2>\S+)"
        rf"\s+(?P<{SIZE}>\d+)"
        rf"\s+(?P<{TIME}>\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}(?::\d{{2}})?)(?P<rest>\s.*)$"
    ),
    re.compile(rf"^total\s+(?P<{SIZE}>\d+(?:[.,]\d+)?[KMGTP]?)$"),
    # BuildKit's plain progress prints what a RUN step writes after the seconds since the
    # step started: `#10 0.512 Collecting six==1.17.0`.
    re.compile(rf"^#\d+ (?P<{DURATION}>\d+\.\d{{3}})(?P<rest> .*)?$"),
    # A line that is only a number of 3 to 7 digits is a PID (`echo $$`); small numbers
    # (a container's PID 1) and long ones (IDs) are left to the other kinds.
    re.compile(rf"^\s*(?P<{PID}>\d{{3,7}})\s*$"),
]


class Token(NamedTuple):
    """One piece of a line: its kind and its text."""

    kind: str
    text: str


# A line longer than this is one literal token, compared as it is: the tokenizer's regex took
# 15 s over one 50 MB line, and a value that varies cannot make such a line match anyway.
LONG_LINE = 10_000


def tokenize(line: str) -> list[Token]:
    """Cut a line (trailing whitespace ignored) into tokens."""
    line = line.rstrip()
    if len(line) > LONG_LINE:
        return [Token(LITERAL, line)]
    for shape in _SHAPES:
        found = shape.match(line)
        if found is not None:
            return list(_shape_tokens(found))
    return list(_tokens(line))


def _shape_tokens(found: re.Match[str]) -> Iterator[Token]:
    place = 0
    for name, text in found.groupdict().items():
        if text is None:
            continue
        start = found.start(name)
        yield from _tokens(found.string[place:start])
        if name == "rest":
            yield from _tokens(text)
        else:
            yield Token(name.rstrip("0123456789"), text)
        place = found.end(name)
    yield from _tokens(found.string[place:])


def _tokens(text: str) -> Iterator[Token]:
    place = 0
    for found in _SPECIAL.finditer(text):
        if found.start() > place:
            yield Token(LITERAL, text[place : found.start()])
        kind = found.lastgroup
        assert kind is not None  # every alternative is a named group
        yield Token(kind, found.group())
        place = found.end()
    if place < len(text):
        yield Token(LITERAL, text[place:])


_HEX = re.compile(r"[0-9a-f]{12,64}")


class Bindings:
    """Values the page shows (IDs, PIDs, digests, users) and the real values they stand for."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values: dict[str, str] = dict(values or {})

    def substitute(self, command: str) -> str:
        """The command with each bound page value, as a whole token, replaced by the real one.

        A bound 64-hex ID's 12-character short form is replaced too.
        """
        return _replace(_with_short_ids(self.values), command)

    def to_page(self, text: str) -> str:
        """The reverse of ``substitute``: real values written back as the page shows them.

        When several page values stand for one real value, a page value equal to it wins
        (`root` stays `root` even if the page also showed `yonghwan` for it).
        """
        reverse: dict[str, str] = {}
        for page, real in _with_short_ids(self.values).items():
            if len(real) < 3:  # a PPID of 1 bound to 1841: not every 1 of the output is it
                continue
            if reverse.get(real) != real:
                reverse[real] = page
        # A long ID whose short form alone is bound is left as printed: the page's short form
        # and this run's other 52 digits would be no run's ID (docharness.update refuses it).
        return _replace(reverse, text)


def _with_short_ids(values: Mapping[str, str]) -> dict[str, str]:
    short = {
        page[:12]: real[:12]
        for page, real in values.items()
        if len(page) == len(real) == 64 and _HEX.fullmatch(page)
    }
    return {**short, **values}


def _replace(values: Mapping[str, str], text: str) -> str:
    if not values:
        return text
    return _pattern(frozenset(values)).sub(lambda found: values[found.group()], text)


@lru_cache(maxsize=256)
def _pattern(keys: frozenset[str]) -> re.Pattern[str]:
    """Whole-token alternation of ``keys``, longest first (compiled once per set of keys)."""
    ordered = sorted(keys, key=lambda key: (-len(key), key))
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")


# A failure shows this many changed lines of its diff, then says how many more there are.
DIFF_LINES = 40
# ...and this many characters of each line, then how many more: one 50 MB line went whole
# into the message and the report.
SHOWN_CHARACTERS = 300
# Up to this many real lines difflib aligns the two sides; beyond, the part between the
# common first and last lines is one replaced hunk (difflib's memory grows with the output).
_ALIGNED_LINES = 5000


@dataclass(frozen=True)
class Mismatch:
    """Why expected output did not match: the page line to blame and a unified diff.

    ``line`` is None when the page shows no output but the command printed some.
    ``more`` counts the changed lines the (capped) diff leaves out, ``cut`` the lines it
    shows only the start of.
    """

    line: int | None
    diff: str
    more: int = 0
    cut: int = 0

    @property
    def shortened(self) -> bool:
        """Whether the diff leaves part of the output out (then the output is saved)."""
        return bool(self.more or self.cut)


def is_ellipsis(line: ExpectedLine) -> bool:
    """Whether an expected line is `...` (matches any number of lines)."""
    return line.text.strip() == ELLIPSIS


def match(
    expected: Sequence[ExpectedLine],
    actual: Sequence[str],
    bindings: Bindings,
    any_order: bool = False,
) -> Mismatch | None:
    """Compare a command's expected output with its real output; None when they match.

    Blank lines are ignored on both sides (a transcript's blank lines are layout: it may
    show or leave out the ones a command prints).
    With ``any_order`` each expected line must match a different real line, wherever it is
    (the `unordered` directive; `...` is refused at collection there).
    On a match, the new bindings are added to ``bindings``.

    ```python
    from docharness.model import ExpectedLine
    from docharness.normalise import Bindings, match

    page = [ExpectedLine("328d830cc003   nginx   Up 2 seconds", 12)]
    bindings = Bindings()
    assert match(page, ["9f3c1e2d4b5a   nginx   Up 3 minutes"], bindings) is None
    assert bindings.values == {"328d830cc003": "9f3c1e2d4b5a"}  # later lines must agree
    assert match(page, ["0123456789ab   nginx   Up 3 minutes"], bindings).line == 12
    ```
    """
    real = [line.rstrip() for line in actual if line.strip()]
    if any_order:
        return _match_any_order(expected, real, bindings)
    furthest = [0]
    # needed[i]: real lines the expected lines from i on consume at least (one per non-`...`
    # line); exact[i]: exactly that many, as no `...` follows. An ellipsis then tries only the
    # places where the rest can still fit, so a long output is matched in linear time.
    needed, exact = [0] * (len(expected) + 1), [True] * (len(expected) + 1)
    for i in range(len(expected) - 1, -1, -1):
        dots = is_ellipsis(expected[i])
        needed[i] = needed[i + 1] + (0 if dots else 1)
        exact[i] = exact[i + 1] and not dots

    def from_here(i: int, j: int, binds: dict[str, str]) -> dict[str, str] | None:
        if i == len(expected):
            if j == len(real):
                return binds
            furthest[0] = max(furthest[0], i)
            return None
        if is_ellipsis(expected[i]):
            last = len(real) - needed[i + 1]
            for k in range(last, last + 1) if exact[i + 1] else range(j, last + 1):
                done = from_here(i + 1, k, binds) if k >= j else None
                if done is not None:
                    return done
            return None
        bound = match_line(expected[i].text, real[j], binds) if j < len(real) else None
        if bound is None:
            furthest[0] = max(furthest[0], i)
            return None
        return from_here(i + 1, j + 1, bound)

    done = from_here(0, 0, bindings.values)
    if done is not None:
        bindings.values.update(done)
        return None
    line = expected[min(furthest[0], len(expected) - 1)].line if expected else None
    diff, more, cut = capped_diff([e.text for e in expected], real)
    return Mismatch(line, diff, more, cut)


def _match_any_order(
    expected: Sequence[ExpectedLine], real: list[str], bindings: Bindings
) -> Mismatch | None:
    """`match` when the real lines may come in any order: one real line for each expected."""
    unmatched = [0]  # expected lines matched on the deepest try, to blame the next one

    def from_here(i: int, used: frozenset[int], binds: dict[str, str]) -> dict[str, str] | None:
        if i == len(expected):
            return binds
        unmatched[0] = max(unmatched[0], i)
        for j, line in enumerate(real):
            if j in used:
                continue
            bound = match_line(expected[i].text, line, binds)
            done = None if bound is None else from_here(i + 1, used | {j}, bound)
            if done is not None:
                return done
        return None

    done = from_here(0, frozenset(), bindings.values) if len(expected) == len(real) else None
    if done is not None:
        bindings.values.update(done)
        return None
    line = expected[min(unmatched[0], len(expected) - 1)].line if expected else None
    diff, more, cut = capped_diff([e.text for e in expected], real)
    return Mismatch(line, diff, more, cut)


def shorten(line: str, limit: int = SHOWN_CHARACTERS) -> str:
    """The line, or its first ``limit`` characters and how many more there are."""
    if len(line) <= limit:
        return line
    return f"{line[:limit]}… ({len(line) - limit:,} more characters)"


def capped_diff(
    expected: Sequence[str], real: Sequence[str], limit: int = DIFF_LINES
) -> tuple[str, int, int]:
    """A unified diff showing at most ``limit`` changed lines, each cut at SHOWN_CHARACTERS;
    how many changed lines it leaves out, and how many lines it cut."""
    if len(real) <= _ALIGNED_LINES and len(expected) <= _ALIGNED_LINES:
        lines: Iterator[str] = difflib.unified_diff(
            expected, real, "expected (page)", "actual", lineterm=""
        )
    else:
        lines = _replaced(expected, real)
    shown: list[str] = []
    changed = more = cut = 0
    for text in lines:
        change = text[:1] in "+-" and not text.startswith(("--- ", "+++ "))
        if change and changed == limit:
            more += 1
            continue
        if more:  # past the limit: count changes, drop context and hunk headers
            continue
        changed += change
        short = shorten(text, SHOWN_CHARACTERS + 1)  # + the diff's own `+`, `-` or ` `
        cut += short is not text
        shown.append(short)
    return "\n".join(shown), more, cut


def _replaced(expected: Sequence[str], real: Sequence[str]) -> Iterator[str]:
    """One hunk replacing what lies between the common first and common last lines."""
    head = 0
    while head < min(len(expected), len(real)) and expected[head] == real[head]:
        head += 1
    tail = 0
    while tail < min(len(expected), len(real)) - head and expected[-1 - tail] == real[-1 - tail]:
        tail += 1
    context = max(0, head - 3)
    old, new = expected[head : len(expected) - tail], real[head : len(real) - tail]
    yield "--- expected (page)"
    yield "+++ actual"
    yield (
        f"@@ -{context + 1},{head - context + len(old)} "
        f"+{context + 1},{head - context + len(new)} @@"
    )
    yield from (" " + text for text in expected[context:head])
    yield from ("-" + text for text in old)
    yield from ("+" + text for text in new)


def match_line(expected: str, actual: str, binds: dict[str, str]) -> dict[str, str] | None:
    """Match one line; the bindings extended by it (a new dict if any), or None."""
    want, got = tokenize(expected), tokenize(actual)
    if len(want) != len(got):
        return None
    for (kind, page), (real_kind, real) in zip(want, got, strict=True):
        if kind != real_kind:
            return None
        if kind in BINDABLE:
            if not _fits(binds, page, real):
                return None
            if page not in binds:
                binds = {**binds, page: real}
        elif kind == LITERAL and _replace(_with_short_ids(binds), page) != real:
            return None
    return binds


def _fits(binds: Mapping[str, str], page: str, real: str) -> bool:
    """Whether page value -> real value agrees with the bindings (also short vs long IDs).

    Both ways: one object on the page must be one in the run, and one object in the run (a
    short ID and the long ID it begins) must be one on the page, or the page's values came
    from different runs, or one was typed.
    """
    if page in binds:
        return binds[page] == real
    page_hex, real_hex = _hex_part(page), _hex_part(real)
    if page_hex is None or real_hex is None:
        return True
    for known, value in binds.items():
        known_hex, value_hex = _hex_part(known), _hex_part(value)
        if known_hex is None or value_hex is None:
            continue
        size = min(len(known_hex), len(page_hex))
        same_on_page = known_hex[:size] == page_hex[:size]
        if same_on_page != (value_hex[:size] == real_hex[:size]):
            return False
    return True


def _hex_part(value: str) -> str | None:
    """An ID's hex digits (``sha256:`` left off: inspect's image ID is the long form of the
    short one `docker images` shows); None for any other value."""
    digits = value.removeprefix("sha256:")
    return digits if _HEX.fullmatch(digits) else None
