"""lab.procs: waiting for processes the lab stopped, with real processes and no daemon."""

from __future__ import annotations

import subprocess
import sys

from lab import procs

# The main thread exits (pthread_exit) while another thread sleeps: the leader shows `Z`
# although the process still runs, as dockerd does while its threads are being killed.
LEADER_GONE_FIRST = (
    "import ctypes, threading, time\n"
    "threading.Thread(target=time.sleep, args=(3,)).start()\n"
    "ctypes.CDLL(None).pthread_exit(None)\n"
)


def test_a_leader_that_exited_first_is_not_gone_while_its_threads_run() -> None:
    process = subprocess.Popen([sys.executable, "-c", LEADER_GONE_FIRST])
    try:
        assert not procs.wait_gone([process.pid], timeout=1.0)
        assert procs.wait_gone([process.pid], timeout=10.0)
    finally:
        process.wait()


def test_an_unreaped_zombie_is_gone() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        assert procs.wait_gone([process.pid], timeout=10.0)  # exited, not yet reaped
    finally:
        process.wait()
    assert procs.wait_gone([process.pid], timeout=0.5)  # reaped
