"""SIGTERM ends a run as Ctrl-C does, under pytest-xdist too.

SIGTERM (a CI cancel, `timeout`) becomes Ctrl-C's KeyboardInterrupt, so teardowns clean the
pages. A terminal's Ctrl-C reaches every process of the run, SIGTERM only the one it is sent
to: the xdist controller passes it on to its workers at once. Otherwise a worker learns of the
end only from execnet, which 5 s after the controller asks it to stop sends the worker SIGINT
(never seen when the run was started with SIGINT ignored, as every job a script puts in the
background is: `bash .ci/run &`), and 10 s after asking, the controller kills it with SIGKILL:
the page it was running stayed on the daemon.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import execnet

# The PIDs of this controller's xdist workers (none in a serial run or in a worker).
_WORKERS: list[int] = []
# Runs in a new worker before its tests: its PID, as this controller sees it.
_PID = "import os; channel.send(os.getpid())"


@pytest.hookimpl(optionalhook=True)  # a hook of xdist's, absent with -p no:xdist
def pytest_xdist_newgateway(gateway: execnet.Gateway) -> None:
    _WORKERS.append(int(gateway.remote_exec(_PID).receive(timeout=60)))


def _ours(pid: int) -> bool:
    """Whether ``pid`` is still our child (a worker that died may have had its PID reused)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid()


def _terminated(signum: int, frame: FrameType | None) -> None:
    """SIGTERM handler: pass it on to the workers, then stop as on Ctrl-C."""
    for pid in _WORKERS:
        if _ours(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        with contextlib.suppress(ValueError):  # not the main thread: leave it
            signal.signal(signal.SIGTERM, _terminated)


def pytest_unconfigure(config: pytest.Config) -> None:
    if signal.getsignal(signal.SIGTERM) is _terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKERS.clear()
