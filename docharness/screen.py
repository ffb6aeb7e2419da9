"""Terminal views: the screen a reader's terminal shows after a command that redraws in place.

BuildKit (`[+] Building 2.1s (9/9) FINISHED` and its `=> [2/4] RUN …` rows), Compose
(`[+] Running 3/3` and its `✔ Container blog-db-1  Healthy` rows) and `docker pull`/`push`
(a row per layer, `0eb63e611a90: Pull complete`) redraw their progress when they write to a
terminal. What the reader copies is the final screen, which the VT emulator
``pyte`` renders from the bytes (lines scrolled off the top are kept, as a terminal's
scrollback keeps them). Nothing here parses escape sequences itself.

Comparing a screen with a page: both sides pass through ``canonical`` first. It keeps what
the program decides (rows, their order, names, `FINISHED`, `Healthy`) and evens out what the
terminal's width and the clock decide (spinner glyphs, where BuildKit cuts a long row name).
Times (`0.4s`) are durations to ``docharness.normalise`` already.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping

import pyte

from docharness.model import Size

DEFAULT_SIZE = Size()
# What a terminal keeps above the screen: more than any page shows, bounded for a runaway.
_SCROLLBACK = 10_000

# The header line of a terminal view: BuildKit's `[+] Building 2.1s (9/9) FINISHED`, Compose's
# `[+] Running 5/5`, `[+] Building 3.2s`, `[+] Pulling 2/2`, `[+] Stopping 1/1`. Plain progress
# never prints it: a page showing it claims the terminal view.
HEADER = re.compile(r"^\s*\[\+\] [A-Z][a-z]+\b")
# A BuildKit row: ` => name … 0.4s`; the name is cut to fit the width left by the time.
_ROW = re.compile(r"^(?P<lead>\s*=> )(?P<name>.*?)(?P<gap> +)(?P<time>\d+(?:\.\d+)?s)$")
# Room for BuildKit's gap, a time wider than any build of the notes takes (`999.9s`) and the
# last column BuildKit leaves empty: a name longer than the rest may be cut by some times.
_TIME_ROOM = 9
# Compose's spinner (braille dots) turns while a row runs; any glyph of it is one glyph.
_SPINNER = re.compile("[\u2801-\u28ff]")
_CUT_DIGEST = re.compile(r"sha256:[0-9a-f]+$")


# `docker pull`/`push` on a terminal: one row per layer, redrawn in place to its last state
# (`0eb63e611a90: Pull complete`). The plain printer writes each state on a line of its own,
# so its output shows the states on the way (`Pulling fs layer`, `Preparing`) too.
_LAYER = re.compile(r"^\s*[0-9a-f]{12}: (?P<state>\S.*?)\s*$")
_LAST_STATES = (
    "Pull complete",
    "Already exists",
    "Pushed",
    "Layer already exists",
    "Mounted from ",
)
_ON_THE_WAY = (
    "Pulling fs layer",
    "Waiting",
    "Downloading",
    "Verifying Checksum",
    "Download complete",
    "Extracting",
    "Preparing",
    "Pushing",
)


def claims_view(lines: Iterable[str]) -> bool:
    """Whether output lines show a terminal view: a `[+] …` header line, or layer rows of a
    pull or push in their last states only (the plain printer shows the states on the way)."""
    states = []
    for line in lines:
        if HEADER.match(line):
            return True
        layer = _LAYER.match(line)
        if layer is not None:
            states.append(layer["state"])
    return any(s.startswith(_LAST_STATES) for s in states) and not any(
        s.startswith(_ON_THE_WAY) for s in states
    )


def render(data: bytes, size: Size = DEFAULT_SIZE) -> list[str]:
    """The text of a terminal of ``size`` after ``data`` (``Emulator.lines``)."""
    emulator = Emulator(size)
    emulator.feed(data)
    return emulator.lines()


class Emulator:
    """A terminal fed bytes as they come (a long build's redraws are drawn while it runs)."""

    def __init__(self, size: Size = DEFAULT_SIZE) -> None:
        self.size = size
        self._screen = _Terminal(size)
        self._stream = pyte.ByteStream(self._screen)

    def feed(self, data: bytes) -> None:
        self._stream.feed(data)

    def lines(self) -> list[str]:
        """Scrollback, then the screen; trailing spaces and the blank lines at both ends left
        off. Broken UTF-8 and unknown escape sequences are drawn as the emulator draws them."""
        columns = self.size.columns
        lines = [_text(line, columns) for line in self._screen.scrolled]
        lines += [line.rstrip() for line in self._screen.display]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        return lines


class _Terminal(pyte.Screen):
    """A screen that keeps the lines scrolled off its top (a terminal's scrollback).

    pyte's own HistoryScreen keeps them too, for paging back, at five times the cost per line.
    A line that leaves is never drawn on again (pyte drops it): it is kept as it is."""

    def __init__(self, size: Size) -> None:
        super().__init__(size.columns, size.rows)
        self.scrolled: deque[Mapping[int, pyte.screens.Char]] = deque(maxlen=_SCROLLBACK)

    def index(self) -> None:
        """A line feed: at the bottom of a screen-wide scrolling region the top line leaves."""
        top, bottom = self.margins or pyte.screens.Margins(0, self.lines - 1)
        if top == 0 and self.cursor.y == bottom:
            self.scrolled.append(self.buffer[0])
        super().index()


def _text(line: Mapping[int, pyte.screens.Char], columns: int) -> str:
    """One line's text. A wide character's second cell holds no text (pyte leaves it
    empty), so joining the cells gives the line as ``Screen.display`` does."""
    return "".join(line[x].data for x in range(columns)).rstrip()


def canonical(line: str, size: Size = DEFAULT_SIZE) -> str:
    """A screen line with what the width and the clock decide evened out.

    A BuildKit row's name is cut where a time of any width would cut it, and a digest that the
    cut shortened reads as a shortened digest (`sha256:05f3…` then `...`, which any digest
    matches). Spinner glyphs are one glyph.

    ```python
    from docharness.screen import canonical

    short = " => [1/4] FROM docker.io/library/python:3.14@sha256:05f351bfa9fde3e7ff086  0.0s"
    long = " => [1/4] FROM docker.io/library/python:3.14@sha256:05f351bfa9fde3e7ff08  11.0s"
    assert canonical(short) == canonical(long).replace("11.0s", "0.0s")
    assert canonical(" ⠙ Container blog-web-1  Starting") == " ⠿ Container blog-web-1  Starting"
    ```
    """
    line = _SPINNER.sub("\u283f", line)
    row = _ROW.match(line)
    if row is None:
        return line
    lead, name = row["lead"], row["name"]
    room = max(size.columns - len(lead) - _TIME_ROOM, 1)
    if len(name) > room:
        name = name[:room]
        if _CUT_DIGEST.search(name):
            name += "..."
    return f"{lead}{name}{row['gap']}{row['time']}"
