"""A page's Python worker: one process per page, names kept between blocks, page lines in
failures, and a hung or ended process that fails its block and is replaced.

The worker runs where the page shell would put it (its namespaces where we may make them),
against no daemon: these blocks use none.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from docharness import shell as shell_module
from docharness.pysandbox import BlockFailed, PageWorker
from docharness.shell import PageShell

PAGE = Path("/docs/page.md")


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[PageWorker]:
    shell = PageShell(tmp_path, "unix:///nonexistent/docker.sock")
    made = PageWorker(shell)
    yield made
    made.close()
    shell.close()


def test_blocks_share_one_namespace_and_the_page_folder(
    worker: PageWorker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worker.run(PAGE, "page.md", 3, "import os\nanswer = 42\nprint('hello')\n", 10)
    worker.run(PAGE, "page.md", 9, "assert answer == 42\nprint(os.getcwd())\n", 10)
    assert capsys.readouterr().out == f"hello\n{tmp_path}\n"


def test_a_failure_names_the_page_line_and_shows_a_bare_asserts_values(
    worker: PageWorker,
) -> None:
    source = "names = ['a', 'b']\nwanted = 'c'\n\nassert wanted in names\n"
    with pytest.raises(BlockFailed) as failed:
        worker.run(PAGE, "page.md", 20, source, 10)
    message = str(failed.value)
    assert message.startswith("page.md:24: AssertionError\n"), message
    assert f'File "{PAGE}", line 24, in <module>' in message
    assert "  wanted = 'c'\n  names = ['a', 'b']" in message
    assert "pyworker" not in message  # the worker's own frames are not the reader's concern


def test_the_timeout_kills_the_worker_and_what_it_started(worker: PageWorker) -> None:
    started = time.monotonic()
    spawn = "import subprocess\nsubprocess.Popen(['sleep', '4321'])\nkept = 1\n"
    spawn += "while True:\n    pass\n"
    with pytest.raises(BlockFailed) as failed:
        worker.run(PAGE, "page.md", 5, spawn, 1)
    assert time.monotonic() - started < 5
    assert str(failed.value).startswith("page.md:5: Python block timed out after 1 s")
    assert not _sleeping("4321")
    # The next block runs in a fresh worker, and a failure there says the names are gone.
    with pytest.raises(BlockFailed) as later:
        worker.run(PAGE, "page.md", 12, "print(kept)\n", 10)
    assert "page.md:13: NameError: name 'kept' is not defined" in str(later.value)
    assert "its process was killed at line 5" in str(later.value)
    worker.run(PAGE, "page.md", 20, "fresh = True\n", 10)


def test_os_exit_and_a_crash_fail_their_block_not_the_run(worker: PageWorker) -> None:
    with pytest.raises(BlockFailed) as exited:
        worker.run(PAGE, "page.md", 3, "import os\nos._exit(3)\n", 10)
    assert str(exited.value).startswith("page.md:3: the Python block called os._exit(3), which")
    with pytest.raises(BlockFailed) as crashed:
        worker.run(PAGE, "page.md", 8, "import os, signal\nos.kill(os.getpid(), 9)\n", 10)
    assert "page.md:8: the process running this Python block ended without an answer" in str(
        crashed.value
    )
    assert "(killed by SIGKILL)" in str(crashed.value)
    worker.run(PAGE, "page.md", 12, "assert True\n", 10)


def _sleeping(argument: str) -> list[str]:
    """The processes running ``sleep <argument>``, anywhere on the machine."""
    found = []
    for entry in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline[:2] == [b"sleep", argument.encode()]:
            found.append(entry)
    return found


FORGE = """import os
for fd in map(int, os.listdir("/proc/self/fd")):
    try:
        if fd > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
            os.write(fd, b'{"ok": true}\\n')
    except OSError:
        pass
assert 1 == 2, "this block is wrong"
"""


def test_a_block_that_forges_its_pass_fails(worker: PageWorker) -> None:
    with pytest.raises(BlockFailed) as forged:
        worker.run(PAGE, "page.md", 15, FORGE, 10)
    message = str(forged.value)
    assert message.startswith("page.md:15: the Python block wrote to the harness's reply pipe")
    assert '{"ok": true}' in message
    # The next block is judged on its own, in a fresh worker.
    worker.run(PAGE, "page.md", 30, "x = 1\n", 10)
    with pytest.raises(BlockFailed, match="page.md:41: AssertionError"):
        worker.run(PAGE, "page.md", 40, "assert x == 2\n", 10)


DAEMONIZE = """import os
import time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "1002.5"])
    os._exit(0)
os.wait()
time.sleep(60)
"""


@pytest.mark.skipif(
    not shell_module._may_unshare(), reason="a PID namespace needs root, and a host that allows it"
)
def test_the_timeout_ends_what_the_block_daemonized(worker: PageWorker) -> None:
    with pytest.raises(BlockFailed, match="timed out after 2 s"):
        worker.run(PAGE, "page.md", 5, DAEMONIZE, 2)
    assert not _sleeping("1002.5")


@pytest.mark.skipif(
    not shell_module._may_unshare(), reason="capabilities are dropped in the page's namespaces"
)
def test_a_block_runs_without_capabilities(worker: PageWorker) -> None:
    status = "open('/proc/self/status').read()"
    worker.run(PAGE, "page.md", 1, f"assert 'CapEff:\\t0000000000000000' in {status}\n", 10)
    worker.run(PAGE, "page.md", 3, f"assert 'CapBnd:\\t0000000000000000' in {status}\n", 10)
    worker.run(PAGE, "page.md", 5, f"assert 'NoNewPrivs:\\t1' in {status}\n", 10)
