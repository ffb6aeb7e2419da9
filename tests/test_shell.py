"""The persistent page shell: real bash state, merged output, exit status, timeouts."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from docharness import shell as shell_module
from docharness.shell import CommandTimeout, PageShell


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[PageShell]:
    page = PageShell(tmp_path, "unix:///nonexistent.sock")
    yield page
    page.close()


def test_state_persists_like_a_terminal(shell: PageShell, tmp_path: Path) -> None:
    assert shell.run("cd /tmp; greeting=hi").status == 0
    assert shell.run("pwd; echo $greeting").lines == ["/tmp", "hi"]
    assert shell.cwd() == Path("/tmp")
    assert shell.run("cd ~; pwd").lines == [str(tmp_path)]


def test_dollar_dollar_is_the_shell(shell: PageShell) -> None:
    pid = shell.run("echo $$").lines[0]
    assert pid == str(shell.pid)
    assert shell.run(f"cat /proc/{pid}/comm").lines == ["bash"]


def test_it_looks_like_a_readers_login_shell(shell: PageShell) -> None:
    pid = shell.pid
    assert shell.run(f"ps -o args= -p {pid}").lines == ["-bash"]
    assert shell.run("type grep").lines == ["grep is aliased to `grep --color=auto'"]
    assert shell.run("touch 'a b' && ls").lines == ["'a b'"]


@pytest.mark.skipif(
    not shell_module._may_unshare(), reason="a PID namespace needs root, and a host that allows it"
)
def test_as_root_it_has_its_own_pid_namespace(shell: PageShell) -> None:
    assert shell.pid >= 1000  # a host-like PID, not 2
    links = shell.run(f"readlink /proc/1/ns/pid /proc/{shell.pid}/ns/pid").lines
    assert len(links) == 2 and links[0] == links[1] != os.readlink("/proc/self/ns/pid")
    processes = shell.run("ps -e -o pid=").lines
    assert sorted(int(p) for p in processes)[:2] == [1, shell.pid]


def test_stderr_is_merged_and_status_kept(shell: PageShell) -> None:
    result = shell.run("echo out; ls /no-such-dir; echo after")
    assert result.lines[0] == "out"
    assert "No such file or directory" in result.lines[1]
    assert result.lines[2] == "after"
    assert shell.run("ls /no-such-dir").status == 2
    assert shell.run("printf 'no newline'").output == "no newline"


def test_environment_is_the_pages_own(shell: PageShell, tmp_path: Path) -> None:
    env = shell.environment()
    assert env["HOME"] == str(tmp_path)
    assert env["DOCKER_CONFIG"] == str(tmp_path / ".docker")
    assert env["DOCKER_HOST"] == "unix:///nonexistent.sock"
    assert env["LANG"] == "C.UTF-8"


def test_stdin_is_closed_and_sudo_works_as_root(shell: PageShell) -> None:
    assert shell.run("cat").output == ""  # would hang if it read our pipe
    if os.geteuid() == 0:
        assert shell.run("sudo -E echo as root").lines == ["as root"]


def test_timeout_kills_the_command_not_the_shell(shell: PageShell) -> None:
    pid = shell.pid
    started = time.monotonic()
    with pytest.raises(CommandTimeout, match=r"timed out after 1 s: sleep 30 \| cat"):
        shell.run("sleep 30 | cat", timeout=1)
    assert time.monotonic() - started < 5
    assert shell.run("echo $$").lines == [str(pid)]


def test_a_hanging_builtin_restarts_the_shell(shell: PageShell) -> None:
    with pytest.raises(CommandTimeout):
        shell.run("while :; do :; done", timeout=1)
    assert shell.run("echo fresh").lines == ["fresh"]


def test_an_interrupted_read_does_not_leave_the_shell_out_of_step(shell: PageShell) -> None:
    # select() refuses an infinite wait: the command is still running when we give up on it.
    with pytest.raises(OverflowError):
        shell.run("sleep 0.5; echo late", timeout=float("inf"))
    assert shell.run("echo next").lines == ["next"]  # not the previous command's "late"


def test_a_50_mb_output_arrives_whole_and_the_shell_stays_in_step(shell: PageShell) -> None:
    # `make bench-output` times this; here only what arrives is checked.
    result = shell.run("head -c 50000000 /dev/zero | tr '\\0' x | fold -w 99; printf '\\nend\\n'")
    lines = result.lines
    assert len(lines) == 505_052 and lines[-1] == "end"
    assert lines[0] == "x" * 99 and lines[-2] == "x" * (50_000_000 % 99)
    assert len(result.output) == 50_000_000 + 505_050 + len("\nend\n")  # fold's newlines
    assert shell.run("echo next").lines == ["next"]


def test_exit_ends_the_shell_and_a_new_one_starts(shell: PageShell) -> None:
    assert shell.run("exit 3").status == 3
    assert shell.run("echo again").lines == ["again"]


def test_another_terminal_starts_beside_the_shell(shell: PageShell) -> None:
    shell.run("mkdir -p sub && cd sub")
    terminal = shell.another_terminal()
    probe = [*terminal.enter, "sh", "-c", "pwd; readlink /proc/self/ns/pid"]
    seen = subprocess.run(probe, cwd=terminal.cwd, capture_output=True, text=True, check=True)
    assert seen.stdout.splitlines() == [
        str(shell.cwd()),
        shell.run("readlink /proc/self/ns/pid").output.strip(),
    ]


def test_without_a_namespace_it_is_a_plain_login_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shell_module, "_may_unshare", lambda: False)
    plain = PageShell(tmp_path, "unix:///nonexistent.sock")
    try:
        # Asked before any command: starting the shell is part of the answer.
        assert plain.another_terminal() == shell_module.Terminal(tmp_path, ())
        pid = plain.run("echo $$").lines[0]
        assert Path(f"/proc/{pid}/cmdline").read_bytes() == b"-bash\0"  # a host PID
    finally:
        plain.close()


# ---- the page's view of the filesystem ------------------------------------------------------

needs_namespaces = pytest.mark.skipif(
    not shell_module._may_unshare(),
    reason="a mount namespace needs root, and a host that allows it",
)


@needs_namespaces
def test_only_the_pages_folder_is_writable(tmp_path: Path) -> None:
    workdir, elsewhere = tmp_path / "page", tmp_path / "elsewhere"
    workdir.mkdir()
    elsewhere.mkdir()
    page = PageShell(workdir, "unix:///nonexistent.sock")
    try:
        refused = page.run(f"touch {elsewhere}/marker")
        assert refused.status == 1 and "Read-only file system" in refused.output
        assert not (elsewhere / "marker").exists()
        assert page.run("touch ~/memo && mkdir sub && echo hi > sub/note && pwd").lines == [
            str(workdir)
        ]
        assert (workdir / "sub" / "note").read_text() == "hi\n"
        terminal = page.another_terminal()  # a second terminal sees the same view
        probe = [*terminal.enter, "sh", "-c", f"touch {elsewhere}/other 2>&1; touch ok2"]
        done = subprocess.run(probe, cwd=terminal.cwd, capture_output=True, text=True)
        assert "Read-only file system" in done.stdout, done
        assert (workdir / "ok2").exists() and not (elsewhere / "other").exists()
    finally:
        page.close()


@needs_namespaces
def test_hidden_paths_read_as_empty(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "login.json").write_text('{"password": "hunter2"}')
    other = tmp_path / "run" / "lab1"
    other.mkdir(parents=True)
    (other / "docker.sock").write_text("")
    workdir = tmp_path / "page"
    workdir.mkdir()
    page = PageShell(workdir, "unix:///nonexistent.sock", [secrets / "login.json", other])
    try:
        assert page.run(f"cat {secrets}/login.json; ls -A {other}; echo end").lines == ["end"]
        assert page.run(f"touch {other}/x").status == 1
    finally:
        page.close()
    assert (secrets / "login.json").read_text() == '{"password": "hunter2"}'  # host: as it was


@needs_namespaces
def test_the_view_keeps_the_pid_counter_and_the_pages_folder_under_a_hidden_one(
    tmp_path: Path,
) -> None:
    workdir = tmp_path / "home" / "page"  # a test's HOME, hidden, holding the page's folder
    workdir.mkdir(parents=True)
    page = PageShell(workdir, "unix:///nonexistent.sock", [tmp_path / "home"])
    try:
        assert page.pid == 1000  # the init's ns_last_pid, written after the view was set up
        assert page.run("touch here && echo ok").lines == ["ok"]
        sysctl = page.run("echo 1 > /proc/sys/net/ipv4/ip_forward")  # the host's setting
        assert sysctl.status == 1 and "Read-only file system" in sysctl.output
    finally:
        page.close()


@needs_namespaces
def test_a_view_that_cannot_be_set_up_stops_the_shell_clearly(tmp_path: Path) -> None:
    # A link to nowhere is there to hide, yet nothing can be mounted on it. (A path that is
    # gone needs no hiding: tests/test_boundary.py.)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "no" / "such")
    page = PageShell(tmp_path, "unix:///nonexistent.sock", [link])
    with pytest.raises(RuntimeError, match="(?s)did not start: .*cannot set up the view"):
        page.run("true")


# ---- no root's powers, and nothing left by a timed-out command -----------------------------

ZERO_CAPS = {
    "CapInh": "0000000000000000",
    "CapPrm": "0000000000000000",
    "CapEff": "0000000000000000",
    "CapBnd": "0000000000000000",
    "CapAmb": "0000000000000000",
    "NoNewPrivs": "1",
}


def _caps(status: str) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {key: value.strip() for key, value in pairs if key in ZERO_CAPS}


@needs_namespaces
def test_the_page_has_no_capabilities_and_cannot_undo_its_view(tmp_path: Path) -> None:
    secrets, elsewhere = tmp_path / "secrets", tmp_path / "elsewhere"
    secrets.mkdir()
    elsewhere.mkdir()
    (secrets / "login.json").write_text('{"password": "hunter2"}')
    workdir = tmp_path / "page"
    workdir.mkdir()
    page = PageShell(workdir, "unix:///nonexistent.sock", [secrets / "login.json"])
    try:
        assert _caps(page.run("cat /proc/self/status").output) == ZERO_CAPS
        assert _caps(page.run("cat /proc/1/status").output) == ZERO_CAPS  # the init too
        undone = page.run(f"umount {secrets}/login.json; cat {secrets}/login.json")
        assert "hunter2" not in undone.output and "must be superuser" in undone.output
        remount = page.run(f"mount -o remount,bind,rw / && touch {elsewhere}/marker")
        assert remount.status != 0 and "permission denied" in remount.output
        assert not (elsewhere / "marker").exists()
        proc = page.run("umount -l /proc; ls /proc | grep -c '^[0-9]'")
        assert "must be superuser" in proc.output
        assert int(proc.lines[-1]) < 10  # still the page's own processes, not the host's
        # What the notes do as root still works: `sudo ls -l /proc/1/ns` reads PID 1.
        assert page.run("sudo ls -l /proc/1/ns | grep -c ' pid -> '").lines == ["1"]
        terminal = page.another_terminal()  # a second terminal (Python blocks, `-it`) too
        seen = subprocess.run(
            [*terminal.enter, "cat", "/proc/self/status"],
            cwd=terminal.cwd,
            capture_output=True,
            text=True,
            check=True,
        )
        assert _caps(seen.stdout) == ZERO_CAPS
    finally:
        page.close()


def _host_processes(marker: str) -> list[int]:
    """The host's processes whose command line holds ``marker``, zombies left out."""
    found = []
    for entry in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry))
    return found


@needs_namespaces
def test_a_timeout_ends_what_the_command_daemonized(shell: PageShell) -> None:
    shell.run("(setsid sleep 2005.5 &)")  # an earlier command's daemon: not this one's
    daemonize = "(setsid sleep 1003.5 &); (setsid sh -c 'sleep 1004.5 & :' &); tail -f /dev/null"
    with pytest.raises(CommandTimeout):
        shell.run(daemonize, timeout=2)
    assert shell.run("ps -eo args | grep -c '^sleep 100[34].5'").lines == ["0"]
    assert _host_processes("1003.5") == [] and _host_processes("1004.5") == []
    assert shell.run("ps -eo args | grep -c '^sleep 2005.5'").lines == ["1"]
    assert shell.run("echo $$").lines == [str(shell.pid)]  # the shell itself carries on
