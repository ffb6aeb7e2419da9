"""A command of the page shell run on a pty: the page's own shell, a reader's terminal."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from docharness.model import Size
from docharness.shell import PageShell
from docharness.terminal import TerminalTimeout, run_on_terminal


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[PageShell]:
    page = PageShell(tmp_path, "unix:///nonexistent.sock")
    yield page
    page.close()


def test_the_command_sees_a_terminal_of_the_pages_size(shell: PageShell) -> None:
    command = 'test -t 0 && test -t 1 && test -t 2 && stty size && echo "$TERM $COLUMNS $LINES"'
    drawn = run_on_terminal(shell, command, 10, Size())
    assert drawn.status == 0
    assert drawn.screen == ["24 80", "xterm 80 24"]
    bigger = run_on_terminal(shell, command, 10, Size(100, 30))
    assert bigger.screen == ["30 100", "xterm 100 30"]


def test_it_runs_in_the_pages_shell_and_leaves_it_as_a_pipe(shell: PageShell) -> None:
    """Its directory and variables are the shell's, set or not by earlier commands, and what
    it sets stays; the shell's own streams and TERM are a pipe's again afterwards."""
    shell.run("mkdir -p app && name=unexported")
    drawn = run_on_terminal(shell, 'cd app && echo "$name $$" && answer=42', 10, Size())
    assert drawn.screen == [f"unexported {shell.pid}"]
    after = shell.run('pwd; echo "$answer $TERM $COLUMNS"; test -t 1 || echo pipe')
    assert after.lines[1:] == ["42 dumb 200", "pipe"]
    assert after.lines[0].endswith("/app")


def test_the_status_and_stderr_are_the_commands(shell: PageShell) -> None:
    drawn = run_on_terminal(
        shell, "echo to-stderr >&2; exit_with() { return $1; }; exit_with 3", 10, Size()
    )
    assert drawn.status == 3
    assert drawn.screen == ["to-stderr"]


def test_an_output_larger_than_the_pty_buffer_never_blocks(shell: PageShell) -> None:
    started = time.monotonic()
    drawn = run_on_terminal(shell, "seq 1 30000", 30, Size())
    assert drawn.status == 0 and time.monotonic() - started < 20
    assert drawn.screen[-1] == "30000"


def test_a_view_that_never_settles_times_out_with_its_last_screen(shell: PageShell) -> None:
    redraw = "bash -c 'while :; do printf \"\\r[+] Running %d/3\" $((i++ % 3)); sleep 0.1; done'"
    with pytest.raises(TerminalTimeout) as caught:
        run_on_terminal(shell, redraw, 1.5, Size())
    assert caught.value.seconds == 1.5
    # the redrawn line, then (after it, as a terminal shows it) bash's word that it killed it
    screen = "".join(caught.value.screen)
    assert re.match(r"\[\+\] Running [0-2]/3-bash: .* Killed ", screen), screen
    assert shell.run("echo still here").output == "still here\n"  # the loop was killed


@pytest.mark.skipif(os.geteuid() != 0, reason="the page boundary is set up as root only")
def test_the_page_boundary_holds_on_the_terminal(shell: PageShell) -> None:
    """No capability, no way to gain one, and nothing writable but the page's folder."""
    if shell.run("test -r /proc/1/ns/pid && echo ns").output.strip() != "ns":
        pytest.skip("no PID namespace here")
    command = "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status; touch /usr/term-probe"
    drawn = run_on_terminal(shell, command, 10, Size())
    screen = drawn.screen
    assert screen[:3] == [
        "CapEff:\t0000000000000000".expandtabs(),
        "CapBnd:\t0000000000000000".expandtabs(),
        "NoNewPrivs:\t1".expandtabs(),
    ]
    assert "Read-only file system" in screen[3]
    assert not Path("/usr/term-probe").exists()
