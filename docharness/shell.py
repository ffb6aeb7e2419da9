"""One persistent host bash per page, driven through pipes.

Commands run in the shell itself (``eval``), so ``cd``, variables and ``$$`` persist as in a
reader's terminal. Pipes, not a pty: a pty makes ``docker pull`` draw progress bars, and a
pipe costs next to nothing. stderr shares stdout's pipe, so the two interleave as on a
terminal. A sentinel line with the exit status ends each command's output.

``set -m`` gives every command its own process group, so a timeout kills exactly the
command's processes, never the shell or its parents.

The shell looks like a reader's terminal: a login shell (``-bash`` in ``ps``), Debian's
``grep --color=auto`` alias, ``ls`` quoting names as it does on a tty. Run as root where new
namespaces are allowed, it lives in its own PID namespace under a small init: its PID 1 is
readable like a host's PID 1 (this sandbox's real PID 1 is not), ``ps -ef`` shows only the
page's processes, and its PIDs have the 3 to 7 digits of a host's. Once the init has built the
page's view of the filesystem (``docharness.boundary``) it gives up every capability, its
bounding set included, and sets no_new_privs: the page is root by name only, so it cannot
undo the view (``umount``, a remount) or gain a power back through a set-user-ID program.
Elsewhere (not root, or a container job that forbids namespaces) it is a plain login shell on
the host.

A timed-out command is killed with everything it started, including what it daemonized
(``setsid``, a double fork): every process of the page's PID namespace that was not there
before the command.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import os
import secrets
import select
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contracts.lab_state import Client
from docharness.boundary import View, mount_script

DEFAULT_TIMEOUT = 60.0

# `sudo` is not installed and the harness runs as root: run the arguments as they are when
# already root (options such as -E are dropped), else defer to a real sudo if there is one.
_SUDO = """sudo() {
  while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
  if [ "$EUID" -eq 0 ]; then "$@"; else command sudo "$@"; fi
}"""

# What a reader's interactive shell has that a script's lacks. The login shell's
# /etc/profile may reset PATH: the page's PATH is set again after it.
_TERMINAL = """shopt -s expand_aliases
alias grep='grep --color=auto'
export PATH={path}
"""

# The driver loop: say which PID `$$` is, then read one NUL-terminated command, eval it with
# stdin closed (a command that reads stdin gets EOF, not our next command), print the sentinel.
_LOOP = """set -m
printf '\\n%s %d\\n' {token} $$
while IFS= read -r -d '' __dh_cmd; do
  eval "$__dh_cmd" </dev/null
  printf '\\n%s %d\\n' {token} "$?"
done
"""

# No capability left, none to gain (util-linux's setpriv): a process started through this,
# root or not, cannot mount, unmount, write what only root's powers could, or see through
# another process's /proc entries; an exec of a set-user-ID program gains nothing.
DROP = (
    "setpriv",
    "--bounding-set=-all",
    "--inh-caps=-all",
    "--ambient-caps=-all",
    "--no-new-privs",
    "--",
)

# PID 1 of the page's PID namespace: it starts the login shell as PID 1000 (ns_last_pid is
# the last PID given out) and waits for it. An async command reads /dev/null unless told.
# First the mount view (docharness.boundary), which fails loudly, and the PID counter; then
# the init drops every capability (exec, same PID) before it starts the shell, so nothing of
# the page, PID 1 included, keeps a power (and the page may still read /proc/1, as on a host).
_INIT = (
    "{view}\necho 999 >/proc/sys/kernel/ns_last_pid && "
    "exec {drop} bash -c 'exec -a -bash bash <&0 & wait $!'"
)

PASSTHROUGH = ("PATH", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY")


class CommandTimeout(Exception):
    """A command did not finish in time; its processes were killed."""

    def __init__(self, command: str, seconds: float, output: str) -> None:
        super().__init__(f"timed out after {seconds:g} s: {command}")
        self.command = command
        self.seconds = seconds
        self.output = output


@dataclass(frozen=True)
class Terminal:
    """A place to start a command: a directory, then a command prefix that enters the shell's
    namespaces (it may change directory again)."""

    cwd: Path
    enter: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """What a command printed (stdout and stderr merged) and its exit status; ``raw`` is the
    output's bytes and ``arrivals`` when they came (``time.monotonic()``, bytes read by then),
    for the block's recording."""

    output: str
    status: int
    raw: bytes = b""
    arrivals: tuple[tuple[float, int], ...] = ()

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()


def page_environment(
    workdir: Path, docker_host: str, client: Client | None = None
) -> dict[str, str]:
    """A small, predictable environment: the page's folder is HOME and holds DOCKER_CONFIG;
    the lab engine's ``docker`` comes first on PATH."""
    env = {name: os.environ[name] for name in PASSTHROUGH if name in os.environ}
    env.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    if client is not None:
        env["PATH"] = f"{client.bin}:{env['PATH']}"
    env.update(
        HOME=str(workdir),  # `cd ~` and `~ $ ` prompts stay inside the page's folder
        USER=os.environ.get("USER", "root"),
        DOCKER_HOST=docker_host,
        DOCKER_CONFIG=str(workdir / ".docker"),  # never the user's ~/.docker
        DOCKER_CLI_HINTS="false",
        LANG="C.UTF-8",
        TERM="dumb",
        COLUMNS="200",
        NO_COLOR="1",
        QUOTING_STYLE="shell-escape",  # ls quotes odd names as on a terminal, not a pipe
    )
    return env


def configure_plugins(docker_config: Path, client: Client | None) -> None:
    """Name the engine's plugin folder in DOCKER_CONFIG/config.json: the CLI looks there
    before the system's folders, so `docker compose` is the release's. A setting, not a
    link in the page's folder, which a container that mounts the folder could not follow
    (`node --test` walks every folder of what it is given)."""
    docker_config.mkdir(parents=True, exist_ok=True)
    if client is None:
        return
    config_file = docker_config / "config.json"
    config = json.loads(config_file.read_text()) if config_file.exists() else {}
    config["cliPluginsExtraDirs"] = [str(client.plugins)]
    config_file.write_text(json.dumps(config, indent="\t") + "\n")


def _children(pid: int) -> list[tuple[int, int]]:
    """(pid, pgid) of every descendant of ``pid``, read from /proc."""
    parent_of: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent_of[int(entry)] = (int(fields[1]), int(fields[2]))
    found: list[tuple[int, int]] = []
    wanted = {pid}
    while True:
        new = [(p, pg) for p, (pp, pg) in parent_of.items() if pp in wanted and p not in wanted]
        if not new:
            return found
        found += new
        wanted.update(p for p, _ in new)


# --kill-child: if we die, the namespace's PID 1 and with it every page process dies.
_NAMESPACE = ("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--")


def _shell_command(view: View) -> list[str]:
    """A login bash; where we may, the PID 1 of new PID and mount namespaces that starts one
    with the page's view of the filesystem."""
    if _may_unshare():
        init = _INIT.format(view=mount_script(view), drop=shlex.join(DROP))
        return [*_NAMESPACE, "bash", "-c", init]
    return ["bash", "-c", "exec -a -bash bash"]


@functools.cache
def _may_unshare() -> bool:
    """Root with unshare, and not in a container that forbids new namespaces."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run([*_NAMESPACE, "true"], capture_output=True, timeout=10)
    return probe.returncode == 0


def _host_pid(root: int, pid: int) -> int:
    """The PID, as we see it, of ``root`` or its descendant whose own PID is ``pid``."""
    for candidate in [root, *(p for p, _ in _children(root))]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("NSpid:") and line.split()[-1] == str(pid):
                return candidate
    raise RuntimeError(f"the page shell (PID {pid} in its namespace) is not under PID {root}")


_PR_SET_PDEATHSIG = 1
_KILL_ROUNDS = 20


def _start_time(entry: str) -> int | None:
    """A /proc entry's start time (clock ticks after boot): with its PID, it names one
    process, even after the PID is given to another."""
    try:
        with open(f"{entry}/stat", encoding="utf-8", errors="replace") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _kill_in_namespace(entry: str) -> None:
    """SIGKILL the process of a /proc entry of the page's namespace. The entry's descriptor
    stands for the process itself (pidfd_send_signal takes it): no PID of ours to look up,
    and none that could be given to another process meanwhile."""
    try:
        fd = os.open(entry, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return  # gone already
    try:
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(fd, signal.SIGKILL)
    finally:
        os.close(fd)


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it when we die, even by SIGKILL (no page shell is
    left running `sleep 60` after a killed run; its PID namespace goes with it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class PageShell:
    """A bash process kept for the page; started on first use."""

    def __init__(
        self,
        workdir: Path,
        docker_host: str,
        hidden: Sequence[Path] = (),
        client: Client | None = None,
    ) -> None:
        self.workdir = workdir
        self.view = View(workdir, tuple(hidden))
        self.client = client
        self.env = page_environment(workdir, docker_host, client)
        self._proc: subprocess.Popen[bytes] | None = None
        self._token = ""
        self._pending = b""
        self._pid = 0  # as the shell sees itself (`$$`)
        self._host_pid = 0  # as this process sees it
        self._before: frozenset[tuple[int, int]] = frozenset()  # before the running command

    @property
    def pid(self) -> int:
        """The shell's PID: what `echo $$` prints."""
        self._started()
        return self._pid

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        configure_plugins(self.workdir / ".docker", self.client)
        self._token = "__docharness_" + secrets.token_hex(8)
        self._pending = b""
        self._proc = proc = subprocess.Popen(
            _shell_command(self.view),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            env=self.env,
            start_new_session=True,  # its own process group: ours to kill, nobody else's
            preexec_fn=_die_with_parent,
        )
        assert proc.stdin is not None
        preamble = _SUDO + "\n" + _TERMINAL.format(path=shlex.quote(self.env["PATH"]))
        proc.stdin.write((preamble + _LOOP.format(token=self._token)).encode())
        proc.stdin.flush()
        output, pid, _, _ = self._read_result(time.monotonic() + DEFAULT_TIMEOUT)
        if pid is None or self._proc is None:  # no sentinel, or it ended (status, not PID)
            self.close()
            raise RuntimeError(f"the page shell did not start: {output.strip()}")
        self._pid, self._host_pid = pid, _host_pid(proc.pid, pid)
        return proc

    def run(self, command: str, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """Run ``command`` in the shell; raise CommandTimeout after ``timeout`` seconds."""
        proc = self._started()
        assert proc.stdin is not None
        self._before = self.processes()
        try:
            proc.stdin.write(command.encode() + b"\0")
            proc.stdin.flush()
        except BrokenPipeError:
            return Result("", self._reap())
        try:
            output, status, raw, arrivals = self._read_result(time.monotonic() + timeout)
        except BaseException:
            # Interrupted mid-command (Ctrl-C, a bad timeout): its output, still coming, would
            # be read as the next command's. A fresh shell starts on the next command instead.
            self.close()
            raise
        if status is not None:
            return Result(output, status, raw, arrivals)
        self._kill_command()
        raise CommandTimeout(command, timeout, output)

    def _read_result(
        self, deadline: float
    ) -> tuple[str, int | None, bytes, tuple[tuple[float, int], ...]]:
        """Output up to the sentinel and the status (None when the deadline passed), the
        output's bytes and when they arrived: (``time.monotonic()``, bytes read by then)."""
        assert self._proc is not None and self._proc.stdout is not None
        marker = f"\n{self._token} ".encode()
        fd = self._proc.stdout.fileno()
        # A bytearray grows in place and each search starts where the last one stopped:
        # reading n bytes costs O(n), not O(n²) (50 MB of output is read in well under 5 s).
        buffer, self._pending = bytearray(self._pending), b""
        # One tuple per read: nothing else is spent on the recording while the command runs.
        arrivals = [(time.monotonic(), len(buffer))]
        searched = 0
        while True:
            end = buffer.find(marker, searched)
            if end >= 0:
                stop = buffer.find(b"\n", end + len(marker))
                if stop >= 0:
                    self._pending = bytes(buffer[stop + 1 :])
                    status = int(buffer[end + len(marker) : stop])
                    del buffer[end:]
                    return buffer.decode(errors="replace"), status, bytes(buffer), tuple(arrivals)
                searched = end
            else:
                searched = max(0, len(buffer) - len(marker) + 1)
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], left)[0] if left > 0 else []
            if not ready:
                return buffer.decode(errors="replace"), None, bytes(buffer), tuple(arrivals)
            chunk = os.read(fd, 1 << 20)
            if not chunk:  # the page ran `exit`: the shell is gone
                output = buffer.decode(errors="replace")
                return output, self._reap(), bytes(buffer), tuple(arrivals)
            buffer += chunk
            arrivals.append((time.monotonic(), len(buffer)))

    def _reap(self) -> int:
        assert self._proc is not None
        status = self._proc.wait()
        self._proc = None
        return status

    def _kill_command(self) -> None:
        """Kill the running command's process groups; if the shell itself hangs, kill it."""
        assert self._proc is not None
        shell = self._host_pid
        own = {self._proc.pid, os.getpgid(shell)}
        for pgid in {pg for _, pg in _children(shell) if pg not in own}:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        for pid, _ in _children(shell):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.kill_new(self._before)  # what it daemonized: no longer the shell's children
        # The shell prints its sentinel once the command is gone; a builtin loop never ends.
        if self._proc is not None and self._read_result(time.monotonic() + 2.0)[1] is None:
            self.close()

    def cwd(self) -> Path:
        """The shell's current directory, as the shell names it."""
        self._started()
        return Path(os.readlink(f"/proc/{self._host_pid}/cwd"))

    def another_terminal(self) -> Terminal:
        """Where a command starts as if typed in another terminal beside this shell."""
        if self._started().pid == self._host_pid:  # no namespace: the shell is ours directly
            return Terminal(self.cwd(), ())
        # The shell's /proc and PIDs are its namespace's: join them, and its directory; then
        # give up every capability, as the shell did.
        enter = ("nsenter", f"--target={self._host_pid}", "--pid", "--mount", "--wd", "--", *DROP)
        return Terminal(self.workdir, enter)

    def processes(self) -> frozenset[tuple[int, int]]:
        """Every process of the page's PID namespace now, as (its PID there, its start time);
        empty without a namespace (the host's processes are not the page's)."""
        proc = self._namespace_proc()
        if proc is None:
            return frozenset()
        found = set()
        for entry in os.listdir(proc):
            if entry.isdigit():
                start = _start_time(f"{proc}/{entry}")
                if start is not None:
                    found.add((int(entry), start))
        return frozenset(found)

    def kill_new(self, before: frozenset[tuple[int, int]]) -> None:
        """SIGKILL every process of the page's namespace that is not in ``before`` (what
        ``processes`` gave before a block): what the block started, daemonized or not. Never
        the namespace's init or the shell."""
        proc = self._namespace_proc()
        if proc is None:
            return
        keep = {1, self._pid}
        # A process may fork while we kill its siblings: look again until nothing new is left.
        for _ in range(_KILL_ROUNDS):
            new = [p for p, start in self.processes() - before if p not in keep]
            if not new:
                return
            for pid in new:
                _kill_in_namespace(f"{proc}/{pid}")

    def _namespace_proc(self) -> str | None:
        """The page namespace's own /proc (it lists only the page's processes), seen through
        the shell's root; None without a namespace or a shell."""
        if self._proc is None or self._proc.poll() is not None:
            return None
        if self._proc.pid == self._host_pid:
            return None
        return f"/proc/{self._host_pid}/root/proc"

    def environment(self) -> dict[str, str]:
        """The shell's exported variables now (a page may `export` more)."""
        output = self.run("env -0", timeout=10).output
        pairs = (item.split("=", 1) for item in output.split("\0") if "=" in item)
        return {name: value for name, value in pairs}

    def close(self) -> None:
        """Kill the shell and everything it started."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for pgid in {proc.pid} | {pg for _, pg in _children(proc.pid)}:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
