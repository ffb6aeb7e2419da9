"""A page's cleanup is not cut short by a second interrupt.

An interrupted run cleans its pages in fixture teardown; a second Ctrl-C or SIGTERM arriving
meanwhile would raise KeyboardInterrupt inside the cleanup and leave the rest of the page's
objects on the daemon. One comes without anybody pressing twice under pytest-xdist: 5 s after
the controller asks a worker to end, execnet interrupts the worker's main thread with SIGINT,
whether or not the worker is still cleaning up.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends; the first that came is then handled as
    it would have been (KeyboardInterrupt). Only Python handlers are held: an ignored signal
    stays ignored, and handlers can be changed only in the main thread (elsewhere: no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        came.append(signum)

    saved: dict[int, Callable[[int, FrameType | None], object]] = {}
    for held in HELD:
        handler = signal.getsignal(held)
        if callable(handler):
            saved[held] = handler
            signal.signal(held, note)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
        if came:
            saved[came[0]](came[0], None)
