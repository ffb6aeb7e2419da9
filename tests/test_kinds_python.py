"""Python blocks' deadline: an endless loop is interrupted, the block's own handlers cannot
swallow it, and the alarm is disarmed afterwards."""

from __future__ import annotations

import signal
import time

import pytest

from docharness.kinds.python import Overtime, deadline


def test_an_endless_loop_is_interrupted() -> None:
    started = time.monotonic()
    with pytest.raises(Overtime), deadline(0.3):
        while True:
            pass
    assert time.monotonic() - started < 3


def test_the_blocks_own_except_exception_cannot_swallow_it() -> None:
    caught = []
    with pytest.raises(Overtime), deadline(0.2):
        while True:
            try:
                time.sleep(1)
            except Exception as error:  # what a careless block does
                caught.append(error)
    assert caught == []


def test_the_alarm_is_disarmed_and_the_handler_restored() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with deadline(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
