"""Processes the lab starts: started detached with a pidfile, stopped by that PID only."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from lab.paths import LOGS, RUN


def pidfile(name: str) -> Path:
    return RUN / f"{name}.pid"


def running_pid(name: str) -> int | None:
    """The PID of the lab process ``name`` if it is alive and still the program we started."""
    path = pidfile(name)
    if not path.exists():
        return None
    pid_text, _, program = path.read_text().partition(" ")
    pid = int(pid_text)
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return None
    # Compare the program too: after a reboot the PID may belong to somebody else's process.
    # An empty cmdline is a process in the middle of exec (unshare -> sh -> dockerd): alive.
    if cmdline != [b""] and not any(program.strip().encode() in part for part in cmdline):
        return None
    return pid


def start(name: str, argv: list[str], program: str, env: dict[str, str] | None = None) -> int:
    """Start ``argv`` in its own session, logging to ``logs/<name>.log``; remember its PID."""
    LOGS.mkdir(parents=True, exist_ok=True)
    RUN.mkdir(parents=True, exist_ok=True)
    log = log_file(name).open("ab")
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    pidfile(name).write_text(f"{proc.pid} {program}")
    return proc.pid


def stop(name: str, grace: float = 20.0) -> bool:
    """Stop the lab process ``name`` (TERM, then KILL after ``grace`` s); True if it was running."""
    pid = running_pid(name)
    pidfile(name).unlink(missing_ok=True)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    if not wait_gone([pid], grace):
        os.kill(pid, signal.SIGKILL)
    return True


def wait_gone(pids: list[int], timeout: float = 10.0) -> bool:
    """Wait until every process of ``pids`` has exited (or is a zombie whose threads have all
    exited); False on timeout."""
    deadline = time.monotonic() + timeout
    while any(not _has_exited(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _has_exited(pid: int) -> bool:
    """Gone, or a zombie whose every thread has exited. A leader thread that has exited shows
    ``Z`` while its other threads still run: dockerd killed is such a zombie until the last
    thread has taken its PID namespace down."""
    try:
        state = stat(pid)[0]
        threads = [task.name for task in Path(f"/proc/{pid}/task").iterdir()]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z" and threads == [str(pid)]


def stat(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: state first, start time at index 19.

    The name is cut at the last ")": a command name may hold spaces and parentheses.
    """
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def log_file(name: str) -> Path:
    """Where the lab process ``name`` logs (its output, both streams)."""
    return LOGS / f"{name}.log"


def log_tail(name: str, lines: int = 20) -> str:
    path = log_file(name)
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def kill_matching(marker: str) -> list[int]:
    """Kill processes whose command line contains ``marker`` (a folder only the lab uses)."""
    killed = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if marker in cmdline:
                os.kill(int(proc.name), signal.SIGKILL)
                killed.append(int(proc.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return killed
