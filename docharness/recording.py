"""A transcript block's terminal recording, in asciicast v2 (what asciinema's player plays).

One JSON header line (`version`, `width`, `height`, `timestamp`, `title`, `env`: only the keys
the format defines; the engine and the run's date are the report's), then `[time, "o", data]`
events: the page's prompt, the command typed at a reader's pace (synthetic keystrokes), then
the output with the times the harness read it at. A pipe's bare `\\n` becomes `\\r\\n`, as a
terminal's line discipline makes it; a pty's bytes are kept as they came.

Kept small and harmless: pauses longer than ``IDLE`` are cut to it, events closer than
``COALESCE`` are one, a step's output past ``STEP_BYTES`` keeps its start and its end around
a visible line that says how much was cut, broken UTF-8 decodes with U+FFFD, and every secret
the recorder was given reads as asterisks wherever it appears (split over events or not). The
file is written once, at the block's end: recording costs no subprocess and no write while
the block runs.
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import json
import os
import re
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from docharness.model import Size

TYPING = 0.04  # seconds per typed character: a steady reader's pace
IDLE = 2.0  # the longest pause a recording keeps (a 30 s `sleep` plays in 2 s)
COALESCE = 0.02  # events closer than this play as one (a frame at 50 fps)
STEP_BYTES = 32 * 1024  # a step's output kept; the rest is cut (all pages' goal: <= 3 MB)
MAX_WIDTH = 200  # the page shell's COLUMNS: no pipe output is wider
_ENV = {"TERM": "xterm-256color", "SHELL": "/bin/bash"}
_JSON = json.JSONEncoder(ensure_ascii=False)  # UTF-8 text as it is: Korean stays 3 bytes
_ECHO_SLACK = 64  # characters of a typed line's echo spread at most (bash's redraw escapes)


def cut_marker(left: int) -> str:
    """The line a recording shows where it cut a step's output (the reader sees it)."""
    return f"\x1b[0m\r\n[… 출력이 길어 녹화에서 {left:,}바이트를 생략했습니다 …]\r\n"


@dataclass
class Event:
    """One output event: seconds from the recording's start (before pauses are cut)."""

    time: float
    data: str


@dataclass
class Recorder:
    """Collects one block's events; ``cast`` is the asciicast text.

    Times handed to ``output`` are ``clock`` readings (``time.monotonic`` by default, as the
    shell's and the terminal's arrival times are); typing inserts time the command did not
    really take, so later output is shifted by it and stays in order.
    """

    title: str
    size: Size = field(default_factory=Size)
    secrets: tuple[str, ...] = ()
    clock: Callable[[], float] = time.monotonic
    events: list[Event] = field(default_factory=list)
    width: int = 0  # the widest line seen (columns), for the header
    _start: float = 0.0
    _shift: float = 0.0  # typing time inserted so far
    _kept: int = 0  # bytes of the current step's output kept
    _dropped: int = 0  # bytes of it cut
    _echo: tuple[int, int] | None = None  # a typed line's echo still to spread: (newlines, chars)
    _decoder: codecs.IncrementalDecoder = field(init=False)
    _column: int = 0  # the cursor's column after the text so far
    _stopped: bool = False

    def __post_init__(self) -> None:
        self._start = self.clock()
        self._started_at = int(time.time())  # the header's timestamp: when the block began
        self.width = self.size.columns
        self._decoder = _utf8()

    def _now(self) -> float:
        return self._at(self.clock())

    def _at(self, reading: float) -> float:
        """A clock reading as recording time: shifted by the typing, never before the last."""
        last = self.events[-1].time if self.events else 0.0
        return max(last, reading - self._start + self._shift)

    def _add(self, when: float, data: str, *, measure: bool = True) -> None:
        if not data or self._stopped:
            return
        if measure:
            self._measure(data)
        last = self.events[-1] if self.events else None
        if last is not None and when - last.time < COALESCE:
            last.data += data
        else:
            self.events.append(Event(when, data))

    def command(self, prompt: str, command: str) -> None:
        """The prompt, then the command typed key by key and Enter; a new step's output
        follows (its own budget of ``STEP_BYTES``)."""
        self._end_step()
        when = self._now()
        self._add(when, prompt)
        typed = when
        for char in command:
            typed += TYPING
            self._add(typed, "\r\n> " if char == "\n" else char)  # bash's PS2 on a new line
        typed += TYPING
        self._add(typed, "\r\n")
        self._shift += typed - when

    def typed_into_session(self, command: str, prompt: str | None = None) -> None:
        """The next output starts with the session terminal's own echo of ``command``: play
        that echo key by key (it arrived as one chunk), then the rest at its times. ``prompt``:
        the session's prompt, shown again on a line of its own (the block typed into another
        terminal meanwhile, which drew after it)."""
        self._end_step()
        if prompt is not None:
            self.fresh_line()
            self._add(self._now(), prompt)
        lines = command.count("\n") + 1
        self._echo = (lines, len(command) + lines * _ECHO_SLACK)

    def fresh_line(self) -> None:
        """Go to a new line unless the last output ended one (a switch of terminals)."""
        if self.events and not self.events[-1].data.endswith("\n"):
            self._add(self._now(), "\r\n")

    def output(
        self, at: float, data: bytes | str, *, pipe: bool = False, drawn: bool = False
    ) -> None:
        """Output read at clock reading ``at``; ``pipe``: a pipe's, whose `\\n` a terminal
        would show as `\\r\\n`; ``drawn``: by a program on a pty of the recording's size,
        so its lines fit (its escape sequences are not measured as text)."""
        if self._stopped:
            return
        raw = data.encode() if isinstance(data, str) else data
        room = STEP_BYTES - self._kept
        if room <= 0:
            self._dropped += len(raw)
            return
        if len(raw) > room:
            self._dropped += len(raw) - room
            raw = raw[:room]
        self._kept += len(raw)
        self._emit(at, raw, pipe=pipe, drawn=drawn)

    def _emit(self, at: float, raw: bytes, *, pipe: bool, drawn: bool) -> None:
        text = self._decoder.decode(raw)
        if pipe:
            text = text.replace("\n", "\r\n")
        when = self._at(at)
        if self._echo is not None:
            text, when = self._spread_echo(text, when)
        self._add(when, text, measure=not drawn)

    def _spread_echo(self, text: str, when: float) -> tuple[str, float]:
        """Play the start of ``text`` (the echo) at typing pace; the rest and the time after."""
        assert self._echo is not None
        lines, chars = self._echo
        index = 0
        start = when
        while index < len(text) and lines > 0 and chars > 0:
            char = text[index]
            if char == "\n":
                lines -= 1
            if char != "\r":  # a key each, Enter too (its \r shows with the key before it)
                when += TYPING
            self._add(when, char)
            chars -= 1
            index += 1
        self._echo = (lines, chars) if lines > 0 and chars > 0 else None
        self._shift += when - start
        return text[index:], when

    def chunks(
        self, timed: Iterable[tuple[float, bytes]], *, pipe: bool = False, drawn: bool = False
    ) -> None:
        """A step's whole output, each piece with its clock reading. Too long, its start and
        its end are kept around the cut: a progress view's last frames draw its final screen."""
        if self._stopped:
            return
        head, dropped, tail = _head_and_tail(list(timed), STEP_BYTES - self._kept)
        for at, data in head:
            self.output(at, data, pipe=pipe, drawn=drawn)
        if not dropped:
            return
        self._add(self.events[-1].time if self.events else 0.0, self._flush())
        self._add(self.events[-1].time if self.events else 0.0, cut_marker(dropped))
        for index, (at, data) in enumerate(tail):
            # The seam may fall inside a character: its remaining bytes are not text.
            self._emit(
                at, data.lstrip(_CONTINUATION) if index == 0 else data, pipe=pipe, drawn=drawn
            )
        self._kept = STEP_BYTES

    def _flush(self) -> str:
        """The text the decoder still holds (a character cut short: U+FFFD); a fresh one."""
        rest = self._decoder.decode(b"", final=True)
        self._decoder = _utf8()
        return rest

    def text(self, data: bytes | str, *, pipe: bool = False, drawn: bool = False) -> None:
        """Output whose times are unknown (a timed-out command's): all of it now."""
        self.output(self.clock(), data, pipe=pipe, drawn=drawn)

    def _end_step(self) -> None:
        """Flush the step's decoder and show what was cut from its output."""
        self._add(self._now(), self._flush())
        if self._dropped:
            self._add(self._now(), cut_marker(self._dropped))
        self._kept = self._dropped = 0
        self._echo = None

    def stop(self) -> None:
        """End the recording: what comes later (the harness closing a session) is not in it."""
        self._end_step()
        self._stopped = True

    def _measure(self, data: str) -> None:
        """Follow the cursor's column on plain text to find the widest line (escape
        sequences count a few columns too many at worst; the width stops at MAX_WIDTH)."""
        if self.width >= MAX_WIDTH:
            return
        first, *lines = _LINE_ENDS.split(data)
        self._column += _columns(first)
        widest = max(self._column, max(map(_columns, lines), default=0))
        if lines:
            self._column = _columns(lines[-1])
        if widest > self.width:
            self.width = min(widest, MAX_WIDTH)

    def cast(self, timestamp: int | None = None) -> str:
        """The asciicast v2 text: header line, then one event per line, pauses cut."""
        header = {
            "version": 2,
            "width": self.width,
            "height": self.size.rows,
            "timestamp": self._started_at if timestamp is None else timestamp,
            "title": self.title,
            "env": dict(_ENV),
        }
        lines = [_JSON.encode(header)]
        for when, data in _capped(self._scrubbed()):
            lines.append(_JSON.encode([round(when, 3), "o", data]))
        return "\n".join(lines) + "\n"

    def _scrubbed(self) -> list[Event]:
        """The events with every secret turned into asterisks, even one split over events."""
        whole = "".join(event.data for event in self.events)
        hidden = whole
        for secret in self.secrets:
            if secret:
                hidden = hidden.replace(secret, "*" * len(secret))
        if hidden == whole:
            return self.events
        out, index = [], 0
        for event in self.events:
            out.append(Event(event.time, hidden[index : index + len(event.data)]))
            index += len(event.data)
        return out

    def write(self, path: Path, timestamp: int | None = None) -> None:
        """Write the recording (then rename: a reader never sees half a file); OSError when
        it cannot be written."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            partial.write_text(self.cast(timestamp), encoding="utf-8")
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)


_LINE_ENDS = re.compile(r"[\r\n]")


def _columns(text: str) -> int:
    """The columns ``text`` takes on a terminal: East Asian wide characters take two."""
    if text.isascii():
        return len(text)
    return len(text) + sum(unicodedata.east_asian_width(char) in "WF" for char in text)


def _utf8() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")(errors="replace")


_CONTINUATION = bytes(range(0x80, 0xC0))  # UTF-8's continuation bytes


def _head_and_tail(
    timed: list[tuple[float, bytes]], budget: int
) -> tuple[list[tuple[float, bytes]], int, list[tuple[float, bytes]]]:
    """Pieces of at most ``budget`` bytes in all: the first and the last half, cut between
    pieces (a redraw stays whole) unless a half would be empty; and the bytes left out."""
    total = sum(len(data) for _, data in timed)
    if total <= budget:
        return timed, 0, []
    half = max(budget, 0) // 2
    ends = list(itertools.accumulate(len(data) for _, data in timed))
    head_end = max((end for end in ends if end <= half), default=0) or half
    tail_start = min((end for end in [0, *ends] if end >= total - half), default=total)
    if tail_start == total:
        tail_start = total - half
    return (
        _between(timed, 0, head_end),
        tail_start - head_end,
        _between(timed, tail_start, total),
    )


def _between(timed: list[tuple[float, bytes]], start: int, stop: int) -> list[tuple[float, bytes]]:
    """The bytes from offset ``start`` to ``stop`` of the pieces, each with its time."""
    found, offset = [], 0
    for at, data in timed:
        low, high = max(start - offset, 0), min(stop - offset, len(data))
        if low < high:
            found.append((at, data[low:high]))
        offset += len(data)
    return found


def _capped(events: Iterable[Event]) -> Iterator[tuple[float, str]]:
    """Events with every pause longer than IDLE cut to IDLE."""
    played = previous = 0.0
    for event in events:
        played += min(event.time - previous, IDLE)
        previous = event.time
        yield played, event.data


def pieces(raw: bytes, arrivals: Iterable[tuple[float, int]]) -> Iterator[tuple[float, bytes]]:
    """``raw`` cut where it arrived: ``arrivals`` are (clock reading, bytes read by then)."""
    done, at = 0, 0.0
    for at, end in arrivals:
        end = min(end, len(raw))
        if end > done:
            yield at, raw[done:end]
            done = end
    if done < len(raw):  # arrivals that stop short: the rest came last
        yield at, raw[done:]


STAGING = ".recordings-staging"  # beside the reports: each run's recordings until it ends


def staging_folder(report_dir: Path) -> Path:
    """A folder of its own for one run's recordings, beside its report. The run publishes it
    when it ends (``publish``): blocks record into it from every xdist worker, and a run that
    ends as a partial one (or an engine's row) never replaces what the complete report plays."""
    return report_dir / STAGING / f"{os.getpid()}-{time.time_ns()}"


def publish(stage: Path, target: Path) -> None:
    """Put a run's recordings (``stage``) in the place of ``target``; the old ones go."""
    stage.mkdir(parents=True, exist_ok=True)  # a run that recorded nothing leaves none
    old = stage.with_name(f"{stage.name}.old")
    if target.is_dir() and not target.is_symlink():
        target.rename(old)
    elif target.exists() or target.is_symlink():
        target.unlink()
    stage.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    with contextlib.suppress(OSError):  # another run's stage may still be there
        stage.parent.rmdir()
