"""Which run owns a daemon, kept on disk, so that what a dead run left is removed by the next.

A process that runs pages or the harness's tests first *claims* its daemon: it takes the
daemon's lock (a lab worker takes the first free lab daemon, else the first one freed), so two
runs never share a daemon at the same time. Holding the lock, it sweeps: the record of a run
whose process is gone (SIGKILL, a crash, ``os._exit``) names the block it was running and the
daemon's state when it claimed it, and everything new since then is removed. Then it writes
its own record, updated at each block, and removes it at exit.

On a lab daemon the run also follows the daemon's ``push`` events (``docharness.pushes``): the
repositories pages pushed to the Docker Hub stand-in are noted in the record as they are
pushed, and deleted at the run's end, or by the sweep when the run died.

Runs nested in a claiming process (the harness's tests run sample pages in a subprocess) find
the claim in their environment and use the same daemon without waiting for it.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO

from contracts.layout import Layout
from contracts.runs import Record, read_record, write_record
from docharness import cleanup, pushes
from docharness.daemon import Daemon, DaemonError, ping, select

CLAIMED = "DOCHARNESS_CLAIMED"  # the daemon host a parent process holds for us
_WAIT_POLL = 0.2  # seconds between tries while every lab daemon is held by another run


def runs_dir(root: Path) -> Path:
    """Where records and locks live (``contracts.layout``; DOCHARNESS_RUNS moves it)."""
    return Layout.from_env(os.environ, root).runs


def _key(host: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", host).strip("_")


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot; None when it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def _alive(record: Record) -> bool:
    return _start_time(record.pid) == record.started


class Swept(UserWarning):
    """What a dead run left and this run removed, or that it waits (where no terminal is)."""


class Claim:
    """This process's hold on one daemon: the lock, the record, the sweep's findings."""

    def __init__(self, root: Path, daemon: Daemon, lock: IO[str] | None) -> None:
        self.daemon = daemon
        self.swept: list[str] = []
        self._root = root
        self._lock = lock
        self._path = runs_dir(root) / f"{os.getpid()}.json"
        self._record: Record | None = None
        self._watch: pushes.Watch | None = None
        self._saving = threading.Lock()  # the push watch notes from its own thread

    def start(self, root: Path) -> None:
        """Sweep what dead runs left on the daemon, then write our own record."""
        # Only a lab daemon is the harness's own: on the user's Docker (DOCS_DOCKER=own),
        # what appeared since a dead run began may well be the user's.
        self.swept = sweep(root, self.daemon.host, remove=self.daemon.mode == "lab")
        api = cleanup.client_for(self.daemon.host)
        try:
            before = cleanup.snapshot(api)
        finally:
            api.close()
        started = _start_time(os.getpid()) or ""
        self._record = Record(os.getpid(), started, self.daemon.host, before)
        self._save()
        if self.daemon.mode == "lab":
            self._watch = pushes.Watch(self.daemon.host, self.daemon.username, self._note_push)

    def _note_push(self, repository: str) -> None:
        """Say on disk that a page pushed ``repository`` (before it can outlive us)."""
        with self._saving:
            if self._record is not None and repository not in self._record.pushed:
                self._record.pushed.append(repository)
                self._save()

    def note_block(self, where: str | None) -> None:
        """Say on disk which block runs now (None between blocks)."""
        with self._saving:
            if self._record is not None and self._record.block != where:
                self._record.block = where
                self._save()

    def release(self) -> None:
        """A clean end: what pages pushed is deleted, the record goes, then the lock (only in
        the process that claimed)."""
        if self._record is not None and self._record.pid != os.getpid():
            return  # a forked child ending: the run goes on
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        if self._record is not None:
            _remove_pushed(self._root, self._record, self._path)
            self._path.unlink(missing_ok=True)
            self._record = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _save(self) -> None:
        assert self._record is not None
        write_record(self._path, self._record)


def _remove_pushed(root: Path, record: Record, path: Path) -> list[str]:
    """Delete what ``record``'s run pushed, but what a run still going pushed too."""
    live = {name for other, r in _records(root) if other != path and _alive(r) for name in r.pushed}
    try:
        return pushes.remove(root, record.pushed, keep=live)
    except OSError as error:
        print(f"docharness: cannot remove what run {record.pid} pushed: {error}", file=sys.stderr)
        return []


def _records(root: Path) -> Iterator[tuple[Path, Record]]:
    for path in sorted(runs_dir(root).glob("*.json")):
        record = read_record(path)
        if record is not None:
            yield path, record


def sweep(root: Path, host: str, remove: bool = True) -> list[str]:
    """Remove what dead runs left on ``host`` (hold its lock); one sentence per finding.

    Without ``remove`` the dead runs are only named.
    """
    said: list[str] = []
    for path, record in _records(root):
        if record.daemon != host or _alive(record):
            continue
        where = f" during {record.block}" if record.block else ""
        said.append(f"run {record.pid} ended without cleaning up{where}")
        if not remove:
            said.append(f"what it left on {host} (your own Docker) is not removed: check it")
            path.unlink(missing_ok=True)
            continue
        removed: list[str] = []
        api = cleanup.client_for(host)
        try:
            problems = cleanup.restore(api, record.before, removed)
        finally:
            api.close()
        said += [f"removed {what} left by run {record.pid}" for what in removed]
        said += problems
        pushed = _remove_pushed(root, record, path)
        said += [f"removed repository {name} pushed by run {record.pid}" for name in pushed]
        path.unlink(missing_ok=True)  # only now: a sweep cut short is tried again
    return said


def _lock(root: Path, host: str, wait: bool) -> IO[str] | None:
    folder = runs_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    handle = (folder / f"{_key(host)}.lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        handle.close()
        return None
    return handle


_CLAIM: dict[str, Claim] = {}  # this process's claim, made once


@atexit.register
def _release_at_exit() -> None:
    # Registered on import, before docharness.page's last-resort page cleanup: atexit runs
    # last-in first-out, so the pages are cleaned before the record and the lock go.
    held = _CLAIM.get("claim")
    if held is not None:
        held.release()


def claim(root: Path, say: Callable[[str], None] | None = None) -> Claim:
    """This process's daemon, locked and swept (see the module docstring). Raises DaemonError.

    ``say`` is told, one line each, that the run waits for a daemon and what the sweep
    removed; by default these are warnings.
    """
    say = say or _warn
    if "claim" in _CLAIM:
        return _CLAIM["claim"]
    chosen = select(root)
    held = os.environ.get(CLAIMED)
    if held is not None and held == chosen.host:
        made = Claim(root, chosen, None)  # our parent holds it and keeps the record
        _CLAIM["claim"] = made
        return made
    made = _claim_free(root, chosen, say)
    made.start(root)
    for line in made.swept:
        say(f"docharness: {line}")
    # Nested runs (and select() in this process) use the daemon we hold.
    os.environ[CLAIMED] = made.daemon.host
    if made.daemon.mode == "lab":
        os.environ["DOCS_DOCKER_HOST"] = made.daemon.host
    _CLAIM["claim"] = made
    return made


def _warn(line: str) -> None:
    warnings.warn(line, Swept, stacklevel=3)


def _claim_free(root: Path, chosen: Daemon, say: Callable[[str], None]) -> Claim:
    """The first lab daemon nobody holds, from this worker's own on; else the first of them
    another run frees."""
    candidates = [chosen]
    if chosen.mode == "lab" and not os.environ.get("DOCS_DOCKER_HOST"):
        others = _lab_hosts(root)
        start = others.index(chosen.host) if chosen.host in others else 0
        ordered = others[start:] + others[:start]
        # The same daemon but for its address: the login and the lab engine's CLI go along.
        candidates = _living([replace(chosen, host=h) for h in ordered], say)
    free = _first_free(root, candidates)
    if free is not None:
        return free
    if len(candidates) == 1:
        say(f"docharness: waiting for another run to finish with {chosen.host}")
        return Claim(root, chosen, _lock(root, chosen.host, wait=True))
    # Wait for whichever is freed first, not for our own: a sibling xdist worker may hold our
    # own for its whole session while another run frees a different daemon.
    hosts = ", ".join(candidate.host for candidate in candidates)
    say(f"docharness: waiting for another run to finish with one of {hosts}")
    while free is None:
        time.sleep(_WAIT_POLL)
        free = _first_free(root, candidates)
    return free


def answers(daemon: Daemon) -> bool:
    """Whether ``daemon`` answers a ping (a lab daemon that died does not)."""
    try:
        ping(daemon)
    except DaemonError:
        return False
    return True


def _living(candidates: list[Daemon], say: Callable[[str], None]) -> list[Daemon]:
    """The lab daemons that answer, saying which do not; the first one's error if none does."""
    living = [candidate for candidate in candidates if answers(candidate)]
    if not living:
        ping(candidates[0])  # raises DaemonError, naming it and saying how to start the lab
        living = candidates[:1]  # it answers after all: it came up meanwhile
    for dead in (c for c in candidates if c not in living):
        say(
            f"docharness: the lab daemon {dead.host} does not answer (it may have died): "
            f"this run takes another one ({', '.join(c.host for c in living)}); "
            "`make lab` restarts it"
        )
    return living


def _first_free(root: Path, candidates: list[Daemon]) -> Claim | None:
    """The first of the daemons that nobody holds, locked; None when all are held."""
    for candidate in candidates:
        lock = _lock(root, candidate.host, wait=False)
        if lock is not None:
            return Claim(root, candidate, lock)
    return None


def lab_hosts(root: Path) -> list[str]:
    """The addresses of every daemon of the lab, in the order workers are given them."""
    return _lab_hosts(root)


def _lab_hosts(root: Path) -> list[str]:
    hosts: list[str] = []
    index = 0
    while True:
        env = {**os.environ, "PYTEST_XDIST_WORKER": f"gw{index}"}
        host = select(root, env).host
        if host in hosts:
            return hosts
        hosts.append(host)
        index += 1


def current() -> Claim | None:
    """This process's claim, if it made one."""
    return _CLAIM.get("claim")


@contextlib.contextmanager
def running(where: str) -> Iterator[None]:
    """Note on disk that the block ``where`` runs (for the next run's sweep, should we die)."""
    held = current()
    if held is not None:
        held.note_block(where)
    try:
        yield
    finally:
        if held is not None:
            held.note_block(None)


def main(root: Path) -> int:
    """`make lab`: sweep every lab daemon that no run holds now; say what was removed."""
    try:
        hosts = _lab_hosts(root)
    except DaemonError as error:
        print(f"docharness: {error}", file=sys.stderr)
        return 1
    for host in hosts:
        lock = _lock(root, host, wait=False)
        if lock is None:
            print(f"docharness: {host} is in use by a run: not swept")
            continue
        try:
            for line in sweep(root, host):
                print(f"docharness: {line}")
        finally:
            lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(__file__).resolve().parent.parent))
