"""Where a page's Python blocks run: one worker process per page, inside the page's boundary.

The worker (``docharness.pyworker``) starts where a second terminal beside the page shell
would (``PageShell.another_terminal``): in the shell's mount and PID namespaces, so it sees
the filesystem read-only but for the page's folder and not the lab's secrets; with the shell's
environment, so ``docker.from_env()`` reaches the page's own daemon. Blocks go to it over a
pipe and answers come back over another; what a block prints comes over a third and is printed
here, where pytest captures it.

A block that runs out of time is killed with its worker and everything the worker started,
daemonized or not (every process of the page's PID namespace that was not there before the
block), and fails naming its line; so does one whose worker ends (``os._exit``, a crash), and
one that wrote to the reply pipe itself (a reply without its request's nonce: a forged pass
fails the block that forged it). The page's next block gets a fresh worker: the names earlier
blocks defined are gone, and a failure of a later block says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from docharness.pyworker import Reply, Request
from docharness.shell import PageShell, _children, _die_with_parent

WORKER = Path(__file__).with_name("pyworker.py")
POLL = 0.5  # how often a silent worker is checked for having ended


class BlockFailed(Exception):
    """A Python block (or its setup/teardown) failed; the message names the page line."""


class _Ended(Exception):
    """The worker ended without answering (a crash, a kill); what it printed before."""

    def __init__(self, how: str, output: str = "") -> None:
        super().__init__(how)
        self.how = how
        self.output = output


class _Forged(Exception):
    """The reply pipe carried a line that is not the worker's reply to this request."""

    def __init__(self, line: bytes, output: str) -> None:
        super().__init__(line)
        self.line = line
        self.output = output


class _Worker:
    """One worker process and its three pipes."""

    def __init__(self, shell: PageShell) -> None:
        terminal = shell.another_terminal()  # starts the page shell if it is not yet
        requests_in, self._requests = os.pipe()
        self._replies, replies_out = os.pipe()
        argv = [sys.executable, "-I", str(WORKER), str(requests_in), str(replies_out)]
        self.proc = subprocess.Popen(
            [*terminal.enter, *argv, str(shell.workdir)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=shell.workdir,
            env=shell.env,
            pass_fds=(requests_in, replies_out),
            start_new_session=True,  # its own process group: ours to kill, nobody else's
            preexec_fn=_die_with_parent,
        )
        os.close(requests_in)
        os.close(replies_out)
        self._pending = bytearray()

    def ask(self, request: Request, seconds: float) -> tuple[Reply | None, str]:
        """The reply (None when ``seconds`` passed first) and what the block printed.

        Raises _Ended when the worker ends without a reply, _Forged when a line on the reply
        pipe lacks the request's nonce (the block wrote it).
        """
        try:
            os.write(self._requests, json.dumps(request).encode() + b"\n")
        except BrokenPipeError:
            raise _Ended(self._how_it_ended()) from None
        deadline = time.monotonic() + seconds
        assert self.proc.stdout is not None
        printed = self.proc.stdout.fileno()
        watched, output = [self._replies, printed], bytearray()
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, output.decode(errors="replace")
            ready = select.select(watched, [], [], min(left, POLL))[0]
            if printed in ready and not _read(printed, output):
                watched.remove(printed)  # the worker closed its stdout; replies may still come
            ended = self._replies in ready and not _read(self._replies, self._pending)
            if ended or (not ready and self.proc.poll() is not None):
                _drain(printed, output)
                raise _Ended(self._how_it_ended(), output.decode(errors="replace"))
        line, _, self._pending = self._pending.partition(b"\n")
        _drain(printed, output)  # the worker flushed its output before it replied
        try:
            reply: Reply = json.loads(line)
            genuine = isinstance(reply, dict) and reply.get("nonce") == request["nonce"]
        except ValueError:
            genuine = False
        if not genuine or self._pending:  # a stray line, or more than the one reply
            raise _Forged(bytes(line), output.decode(errors="replace"))
        return reply, output.decode(errors="replace")

    def _how_it_ended(self) -> str:
        try:
            status = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "it closed its pipe but still runs"
        if status < 0:
            return f"killed by {signal.Signals(-status).name}"
        return f"exit status {status}"

    def kill(self) -> None:
        """Kill the worker and everything it started; close the pipes."""
        found = [pid for pid, _ in _children(self.proc.pid)]  # before they are reparented
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait()
        for fd in (self._requests, self._replies):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _read(fd: int, into: bytearray) -> bool:
    """Append what ``fd`` has to ``into``; False at its end."""
    chunk = os.read(fd, 1 << 16)
    into += chunk
    return bool(chunk)


def _drain(fd: int, into: bytearray) -> None:
    """Read what ``fd`` already holds, without waiting for more."""
    with contextlib.suppress(OSError, ValueError):
        while select.select([fd], [], [], 0)[0] and _read(fd, into):
            pass


class PageWorker:
    """A page's Python worker: started for its first block, again after one ended."""

    def __init__(self, shell: PageShell) -> None:
        self._shell = shell
        self._worker: _Worker | None = None
        self._lost: str | None = None  # why the names of earlier blocks are gone

    def run(
        self, path: Path, shown: str, line: int, source: str, seconds: float, what: str = "block"
    ) -> None:
        """Run ``source`` (page line ``line`` is the one before it); raise BlockFailed.

        ``shown`` is the page's path as failures name it; ``what`` says block, setup or
        teardown.
        """
        if self._worker is None:
            self._worker = _Worker(self._shell)
        where = f"{shown}:{line}"
        nonce = secrets.token_hex(16)
        request: Request = {"path": str(path), "line": line, "source": source, "nonce": nonce}
        before = self._shell.processes()
        try:
            reply, printed = self._worker.ask(request, seconds)
        except _Forged as forged:
            sys.stdout.write(forged.output)
            self._end(f"its process was killed at line {line}")
            shown_line = forged.line[:200].decode(errors="replace")
            raise BlockFailed(
                f"{where}: the Python {what} wrote to the harness's reply pipe ({shown_line!r} "
                "is not the harness's reply): it fails, whatever it wrote; its process was "
                "killed, and the page's later Python blocks start in a fresh one"
            ) from None
        except _Ended as ended:
            sys.stdout.write(ended.output)
            self._end(f"its process ended at line {line}")
            raise BlockFailed(
                f"{where}: the process running this Python {what} ended without an answer "
                f"({ended.how}); the page's later Python blocks start in a fresh one"
            ) from None
        sys.stdout.write(printed)
        if reply is None:
            self._end(f"its process was killed at line {line}")
            self._shell.kill_new(before)  # what it daemonized: no longer the worker's children
            raise BlockFailed(
                f"{where}: Python {what} timed out after {seconds:g} s (set `<!-- test: "
                "timeout N -->` if it needs longer); its process was killed, and the page's "
                "later Python blocks start in a fresh one"
            )
        if reply["ok"]:
            return
        if "exit" in reply:
            self._end(f"os._exit ended its process at line {line}")
            raise BlockFailed(
                f"{where}: the Python {what} called os._exit({reply['exit']}), which ended the "
                "process running the page's Python blocks (not the test run); the page is "
                "cleaned up as usual and its later Python blocks start in a fresh process"
            )
        message = f"{shown}:{reply.get('line', line)}: {reply.get('summary', '')}\n"
        message += reply.get("error", "")
        if self._lost is not None:
            message += (
                f"note: the page's Python process before this one was lost ({self._lost}): "
                "names that blocks before it defined are gone\n"
            )
        raise BlockFailed(message.rstrip("\n"))

    @property
    def alive(self) -> bool:
        """Whether the worker that ran the last block still runs (its names are there)."""
        return self._worker is not None

    def _end(self, why: str) -> None:
        if self._worker is not None:
            self._worker.kill()
        self._worker, self._lost = None, why

    def close(self) -> None:
        """Kill the worker (at the page's end, before its Docker objects are removed)."""
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
