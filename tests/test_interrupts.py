"""A page's cleanup is not cut short by a second Ctrl-C or SIGTERM (docharness.interrupts)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from docharness.interrupts import deferred


@pytest.fixture
def sigint_default() -> Iterator[None]:
    """SIGINT as a terminal's foreground job has it, whatever this run inherited."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_during_cleanup_waits_until_it_is_done(
    signum: int, sigint_default: None
) -> None:
    handler = signal.getsignal(signum)
    assert callable(handler)  # SIGTERM: the plugin's, as Ctrl-C
    done = []
    with pytest.raises(KeyboardInterrupt), deferred():
        os.kill(os.getpid(), signum)
        time.sleep(0.2)  # a handler runs between two bytecodes: it would have by now
        done.append("cleaned")
    assert done == ["cleaned"]
    assert signal.getsignal(signum) is handler  # put back


def test_an_ignored_sigint_stays_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
