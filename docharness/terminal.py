"""Run one command of the page's shell on a pseudo-terminal, as a reader's terminal runs it.

The command runs in the page's own shell (``PageShell.run``): its directory, its variables
(exported or not), its namespaces and dropped capabilities, its timeout and the killing of
what it started, exactly as any other command of the page. Only its standard streams change:
stdin, stdout and stderr are the slave side of a new pty of the page's size, and TERM,
COLUMNS and LINES are a terminal's for that one command (the page shell's own are a pipe's).
The harness reads the master side meanwhile, so a command that prints more than the pty's
buffer holds never blocks, and feeds the emulator as the bytes come: a long build's redraws
are drawn while it runs, not all after it.
"""

from __future__ import annotations

import fcntl
import os
import select
import shlex
import struct
import termios
import threading
import time
from dataclasses import dataclass

from docharness.model import Size
from docharness.protocols import Shell
from docharness.screen import Emulator
from docharness.shell import CommandTimeout

# How long the bytes still in the pty are read after the command ended (a program that left a
# child holding the terminal must not stall the page).
_DRAIN_SECONDS = 2.0


@dataclass(frozen=True)
class Drawn:
    """What a command wrote to the terminal, the screen it left, and its exit status;
    ``arrivals``: when the bytes came (``time.monotonic()``, bytes read by then)."""

    data: bytes
    screen: list[str]
    status: int
    arrivals: tuple[tuple[float, int], ...] = ()


class TerminalTimeout(Exception):
    """A command on the terminal did not finish in time; what it drew so far."""

    def __init__(
        self,
        command: str,
        seconds: float,
        data: bytes,
        screen: list[str],
        arrivals: tuple[tuple[float, int], ...] = (),
    ) -> None:
        super().__init__(f"timed out after {seconds:g} s: {command}")
        self.command = command
        self.seconds = seconds
        self.data = data
        self.screen = screen
        self.arrivals = arrivals


def wrapped(command: str, tty: str, size: Size) -> str:
    """The shell text that runs ``command`` with the pty ``tty`` as its terminal.

    `eval` runs it in the page's shell itself, so `cd` and assignments persist; the
    assignments in front of it hold for that one command only, as bash does for a builtin.

    ```python
    from docharness.model import Size
    from docharness.terminal import wrapped

    text = wrapped("docker build .", "/dev/pts/7", Size(100, 30))
    assert text == (
        "TERM=xterm COLUMNS=100 LINES=30 eval 'docker build .' "
        "</dev/pts/7 >/dev/pts/7 2>&1"
    )
    ```
    """
    where = shlex.quote(tty)
    return (
        f"TERM=xterm COLUMNS={size.columns} LINES={size.rows} eval {shlex.quote(command)} "
        f"<{where} >{where} 2>&1"
    )


def run_on_terminal(shell: Shell, command: str, timeout: float, size: Size) -> Drawn:
    """Run ``command`` in the page's shell on a new pty of ``size``; raise TerminalTimeout
    (with what it drew) after ``timeout`` seconds."""
    master, slave = os.openpty()
    reader: _Reader | None = None
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size.rows, size.columns, 0, 0))
        reader = _Reader(master, Emulator(size))
        reader.start()
        try:
            result = shell.run(wrapped(command, os.ttyname(slave), size), timeout)
        except CommandTimeout as error:
            os.close(slave)
            slave = -1
            data = reader.finish()
            screen, arrivals = reader.screen(), tuple(reader.arrivals)
            raise TerminalTimeout(command, error.seconds, data, screen, arrivals) from None
        # Ours was the last slave side open: the master reads the rest, then EIO.
        os.close(slave)
        slave = -1
        data = reader.finish()
        return Drawn(data, reader.screen(), result.status, tuple(reader.arrivals))
    finally:
        if reader is not None:
            reader.stop()
        if slave >= 0:
            os.close(slave)
        os.close(master)


class _Reader(threading.Thread):
    """Reads the pty's master side into a buffer and the emulator until told to stop."""

    def __init__(self, master: int, emulator: Emulator) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.emulator = emulator
        self.buffer = bytearray()
        self.arrivals: list[tuple[float, int]] = []  # (time.monotonic(), bytes read by then)
        self._stopping = threading.Event()
        self._deadline = float("inf")
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self._stopping.is_set() and time.monotonic() < self._deadline:
            if not select.select([self.master], [], [], 0.05)[0]:
                continue
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:  # EIO: no slave is open any more and all was read
                return
            if not chunk:
                return
            with self._lock:
                self.buffer += chunk
                self.arrivals.append((time.monotonic(), len(self.buffer)))
                self.emulator.feed(chunk)

    def finish(self) -> bytes:
        """Read what is left (for a short while, the slave side closed); return it all."""
        self._deadline = time.monotonic() + _DRAIN_SECONDS
        self.join(_DRAIN_SECONDS + 1)
        with self._lock:
            return bytes(self.buffer)

    def screen(self) -> list[str]:
        with self._lock:
            return self.emulator.lines()

    def stop(self) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(1)
