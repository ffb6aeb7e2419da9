"""The transcript step runner in-process: a fake shell and fake pty sessions, no bash, no daemon.

What the subprocess sample pages (tests/integration/pages/) assert of the runner, each here
on a page parsed as collection parses it and run by ``TranscriptRunner`` on ``FakeShell``:
wrong output and the line named, an exit the page does not show, a hang, a container prompt
with no session, values bound in one block used in the next, setup and teardown failures,
update mode's capture and the failure message's layout. No test here opens a socket (the
autouse fixture makes any attempt fail), so none needs a lab or a Docker daemon.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from docharness.daemon import Daemon
from docharness.fences import parse_page
from docharness.kinds.transcript.runner import TranscriptRunner
from docharness.model import CodeBlock
from docharness.page import ExampleFailed, PageRun, display_path
from docharness.shell import CommandTimeout, Result, Terminal

# No daemon is asked anything: the host names a socket that does not exist.
NOWHERE = Daemon("unix:///nonexistent/docker.sock", "lab", "me", "pw")


@pytest.fixture(autouse=True)
def no_socket(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any connection (a daemon's socket, a registry) fails the test that tries it."""

    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"test_runner connects to nothing, yet tried {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield


class Unscripted(Exception):
    """The runner ran a command the test did not expect."""


@dataclass
class FakeShell:
    """The page shell (``protocols.Shell``): each command's scripted result, or a timeout."""

    cwd: Path
    answers: dict[str, Result | CommandTimeout] = field(default_factory=dict)
    ran: list[tuple[str, float]] = field(default_factory=list)

    def run(self, command: str, timeout: float) -> Result:
        self.ran.append((command, timeout))
        if command not in self.answers:
            raise Unscripted(command)
        answer = self.answers[command]
        if isinstance(answer, CommandTimeout):
            raise answer
        return answer

    def another_terminal(self) -> Terminal:
        return Terminal(self.cwd, ("enter",))

    def environment(self) -> dict[str, str]:
        return {"HOME": str(self.cwd)}


@dataclass
class FakeSession:
    """A pty session (``protocols.PtySession``): its first output, then each typed line's."""

    command: str
    first: str
    replies: dict[str, str]
    prompt: str = ""
    status: int | None = None
    typed: list[str] = field(default_factory=list)
    closed: bool = False
    shown_prompt: str = "root@328d830cc003:/# "

    @property
    def alive(self) -> bool:
        return self.status is None

    def start(self) -> str:
        self.prompt = self.shown_prompt
        return self.first

    def type(self, command: str) -> str:
        self.typed.append(command)
        if command == "exit":
            self.status = 0
            return "exit"
        return self.replies[command]

    def close(self) -> None:
        self.closed = True
        if self.status is None:
            self.status = 0


@dataclass
class FakeTerminals:
    """Opens the scripted session of a command (``protocols.Terminals``), keeping how."""

    scripts: dict[str, FakeSession]
    opened: list[dict[str, Any]] = field(default_factory=list)

    def __call__(
        self,
        command: str,
        cwd: Path,
        env: dict[str, str],
        page_prompt: str = "",
        timeout: float = 60.0,
        login: Any = None,
        enter: Sequence[str] = (),
        listener: Any = None,
    ) -> FakeSession:
        self.opened.append({"command": command, "cwd": cwd, "enter": tuple(enter), "env": env})
        return self.scripts[command]


def ok(output: str = "", status: int = 0) -> Result:
    return Result(output, status)


def page_of(tmp_path: Path, text: str, update: bool = False) -> tuple[PageRun, list[CodeBlock]]:
    """A page's PageRun (its shell never started) and its blocks, as collection parses them."""
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    workdir = tmp_path / "work"
    workdir.mkdir()
    return PageRun(path, workdir, NOWHERE, update=update), parse_page(path, text)


def run(
    page: PageRun, block: CodeBlock, shell: FakeShell, terminals: FakeTerminals | None = None
) -> None:
    runner = TranscriptRunner(page, block, shell, terminals or FakeTerminals({}))
    runner.run_block()


def failure(page: PageRun, block: CodeBlock, shell: FakeShell, **more: Any) -> list[str]:
    with pytest.raises(ExampleFailed) as failed:
        run(page, block, shell, **more)
    return str(failed.value).split("\n")


# ---- wrong_output.md, wrong_line.md, undocumented_exit.md: the failure and its layout ----


def test_wrong_output_names_the_command_line_with_a_diff(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, "# Wrong output\n\n```shell\n$ echo hello\ngoodbye\n```\n")
    shell = FakeShell(tmp_path, {"echo hello": ok("hello\n")})
    lines = failure(page, block, shell)
    where = display_path(page.path)
    # The whole layout: file:line and what, the command as the page shows it, its status,
    # the page's first differing line (the command's own is line 4), the diff.
    assert lines == [
        f"{where}:4: output differs from the page",
        "  $ echo hello",
        "exit status: 0",
        "first differing line of the page: 5",
        "--- expected (page)",
        "+++ actual",
        "@@ -1 +1 @@",
        "-goodbye",
        "+hello",
    ]


def test_wrong_line_names_the_first_differing_line_of_the_page(tmp_path: Path) -> None:
    text = "```shell\n$ printf 'x'\nalpha\nbeta\nGAMMA\ndelta\n```\n"
    page, (block,) = page_of(tmp_path, text)
    shell = FakeShell(tmp_path, {"printf 'x'": ok("alpha\nbeta\ngamma\ndelta\n")})
    lines = failure(page, block, shell)
    assert lines[0].endswith(":2: output differs from the page")
    assert lines[3] == "first differing line of the page: 5"
    assert "-GAMMA" in lines and "+gamma" in lines
    assert "-alpha" not in lines and "+alpha" not in lines


def test_an_exit_the_page_does_not_show_fails_with_its_status(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, "```shell\n$ ls /no-such-directory-here\n```\n")
    said = "ls: cannot access '/no-such-directory-here': No such file or directory\n"
    shell = FakeShell(tmp_path, {"ls /no-such-directory-here": ok(said, 2)})
    lines = failure(page, block, shell)
    assert lines[0].endswith(":2: exits with an error the page does not show")
    assert lines[1:3] == ["  $ ls /no-such-directory-here", "exit status: 2"]
    assert f"+{said.strip()}" in lines


def test_an_error_the_page_shows_passes(tmp_path: Path) -> None:
    said = "Error response from daemon: No such image: ubuntu:latest"
    page, (block,) = page_of(tmp_path, f"```shell\n$ docker image rm ubuntu\n{said}\n```\n")
    run(page, block, FakeShell(tmp_path, {"docker image rm ubuntu": ok(said + "\n", 1)}))


def test_a_known_cause_is_said_under_the_failure(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, "```shell\n$ docker run -p 80:80 web\nstarted\n```\n")
    held = "docker: Error response: Bind for 0.0.0.0:80 failed: port is already allocated"
    shell = FakeShell(tmp_path, {"docker run -p 80:80 web": ok(held + "\n", 125)})
    lines = failure(page, block, shell)
    assert lines[0].endswith(":2: output differs from the page")
    assert lines[1].startswith("  likely cause: a host port this command publishes is held")


# ---- hang.md: the block's timeout, the message, and the run going on ----

HANG = """\
# A hang

<!-- test: timeout 2 -->
```shell
$ sleep 30
```

```shell
$ echo still here
still here
```
"""


def test_a_hang_is_cut_at_the_blocks_timeout_and_the_next_block_runs(tmp_path: Path) -> None:
    page, (hang, after) = page_of(tmp_path, HANG)
    shell = FakeShell(
        tmp_path,
        {
            "sleep 30": CommandTimeout("sleep 30", 2.0, "half a line"),
            "echo still here": ok("still here\n"),
        },
    )
    lines = failure(page, hang, shell)
    assert lines[0] == (
        f"{display_path(page.path)}:5: timed out after 2 s: sleep 30 "
        "(set `<!-- test: timeout N -->` if it needs longer)"
    )
    assert lines[1:] == ["  $ sleep 30", "output so far:", "half a line"]
    run(page, after, shell)
    assert shell.ran == [("sleep 30", 2.0), ("echo still here", 60.0)]


# ---- container_only.md, wrong_interactive.md: container prompts ----


def test_a_container_prompt_with_no_session_open_fails_naming_it(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, "```console\n/ # ls -d /etc\n/etc\n```\n")
    lines = failure(page, block, FakeShell(tmp_path))
    assert lines[0] == (
        f"{display_path(page.path)}:2: a container prompt, but no interactive session is open "
        "(start one in this block: `docker run -it …`, `docker exec -it …`)"
    )
    assert lines[1] == "  / # ls -d /etc"


INTERACTIVE = """\
```shell
$ docker run -it --rm img bash
root@328d830cc003:/# echo $((6 * 7))
41
root@328d830cc003:/# exit
```
"""


def test_container_lines_are_typed_into_the_session_the_block_opened(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, INTERACTIVE)
    session = FakeSession("docker run -it --rm img bash", "", {"echo $((6 * 7))": "42"})
    terminals = FakeTerminals({session.command: session})
    lines = failure(page, block, FakeShell(tmp_path), terminals=terminals)
    assert lines[0].endswith(":3: output differs from the page")
    assert "-41" in lines and "+42" in lines
    # Started where another terminal beside the page shell starts, with its environment.
    assert terminals.opened == [
        {
            "command": session.command,
            "cwd": tmp_path,
            "enter": ("enter",),
            "env": {"HOME": str(tmp_path)},
        }
    ]
    assert session.typed == ["echo $((6 * 7))"] and session.closed  # closed when the block ends


def test_a_container_prompt_that_differs_from_the_sessions_fails(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, INTERACTIVE.replace("root@", "admin@", 1))
    session = FakeSession("docker run -it --rm img bash", "", {"echo $((6 * 7))": "41"})
    lines = failure(
        page, block, FakeShell(tmp_path), terminals=FakeTerminals({session.command: session})
    )
    assert lines[0].endswith(":3: the container's prompt differs")
    assert session.typed == []  # nothing typed at the wrong prompt


# ---- right_basic.md, right_interactive.md: values bound in one block, used in the next ----

BOUND = """\
```console
$ echo $$
1842
$ cd /proc/1842
```

```console
$ ps -o pid= -p 1842
1842
```
"""


def test_values_bound_by_output_are_handed_to_later_blocks(tmp_path: Path) -> None:
    page, (first, second) = page_of(tmp_path, BOUND)
    shell = FakeShell(
        tmp_path,
        {
            "echo $$": ok("1000\n"),
            "cd /proc/1000": ok(),
            "ps -o pid= -p 1000": ok("1000\n"),
        },
    )
    run(page, first, shell)
    assert page.bindings.values == {"1842": "1000"}
    run(page, second, shell)
    assert [command for command, _ in shell.ran] == [
        "echo $$",
        "cd /proc/1000",
        "ps -o pid= -p 1000",
    ]


def test_a_block_binds_afresh_what_an_earlier_block_bound(tmp_path: Path) -> None:
    # The notes reuse one ID for two containers in two blocks: each block matches on its own.
    text = "```console\n$ echo $$\n1842\n```\n\n```console\n$ echo other\n1842\n```\n"
    page, (first, second) = page_of(tmp_path, text)
    shell = FakeShell(tmp_path, {"echo $$": ok("1000\n"), "echo other": ok("2000\n")})
    run(page, first, shell)
    run(page, second, shell)
    assert page.bindings.values == {"1842": "2000"}


# ---- setup and teardown: which failure is reported ----

DIRECTED = """\
<!-- test: setup
$ prepare
-->
<!-- test: teardown
$ tidy
-->
```shell
$ work
done
```
"""


def test_a_failing_setup_is_reported_and_the_block_does_not_run(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, DIRECTED)
    shell = FakeShell(tmp_path, {"prepare": ok("no\n", 1), "tidy": ok()})
    lines = failure(page, block, shell)
    assert lines[0].endswith(":2: setup: exits with an error the page does not show")
    assert [command for command, _ in shell.ran] == ["prepare", "tidy"]  # teardown still runs


def test_the_blocks_failure_wins_over_its_teardowns(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, DIRECTED)
    shell = FakeShell(tmp_path, {"prepare": ok(), "work": ok("wrong\n"), "tidy": ok("no\n", 1)})
    lines = failure(page, block, shell)
    assert lines[0].endswith(":8: output differs from the page")
    assert [command for command, _ in shell.ran] == ["prepare", "work", "tidy"]


def test_a_failing_teardown_fails_a_block_that_passed(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, DIRECTED)
    shell = FakeShell(tmp_path, {"prepare": ok(), "work": ok("done\n"), "tidy": ok("no\n", 1)})
    lines = failure(page, block, shell)
    assert lines[0].endswith(":5: teardown: exits with an error the page does not show")


# ---- update mode (tests/test_update_mode.py's page): real output kept, nothing fails ----

UPDATE = """\
```shell
$ echo hello
goodbye
$ seq 1 5
1
...
$ ls /nonexistent-dir
```
"""


def test_update_mode_keeps_each_steps_real_output_and_fails_nothing(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, UPDATE, update=True)
    missing = "ls: cannot access '/nonexistent-dir': No such file or directory"
    shell = FakeShell(
        tmp_path,
        {
            "echo hello": ok("hello\n"),
            "seq 1 5": ok("1\n2\n3\n4\n5\n"),
            "ls /nonexistent-dir": ok(missing + "\n", 2),
        },
    )
    run(page, block, shell)
    assert page.outputs == {2: ["hello"], 4: ["1", "2", "3", "4", "5"], 7: [missing]}


def test_without_update_mode_the_same_block_fails_and_keeps_nothing(tmp_path: Path) -> None:
    page, (block,) = page_of(tmp_path, UPDATE)
    shell = FakeShell(tmp_path, {"echo hello": ok("hello\n")})
    assert failure(page, block, shell)[0].endswith(":2: output differs from the page")
    assert page.outputs == {}


# ---- big_output.md: a long diff is cut short, the whole output saved beside it ----


def test_a_long_wrong_output_gives_a_short_diff_and_the_whole_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCHARNESS_ARTIFACTS", str(tmp_path / "artifacts"))
    page, (block,) = page_of(tmp_path, "```shell\n$ seq 1 1000\nnothing\n```\n")
    output = "".join(f"line {n}\n" for n in range(1, 1001))
    lines = failure(page, block, FakeShell(tmp_path, {"seq 1 1000": ok(output)}))
    assert f"... and {1 + 1000 - 40} more changed lines not shown" in lines
    assert "+line 39" in lines and "+line 40" not in lines
    saved = tmp_path / "artifacts" / "outputs" / "page.md-2.txt"
    assert lines[-1] == f"full output: {display_path(saved)}"
    assert saved.read_text() == output
