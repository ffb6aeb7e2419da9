"""Sample pages through the harness: wrong ones fail naming the right line, right ones pass."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import docker
import pytest

from contracts.stores import image_store
from docharness.daemon import Daemon, driver_status, select, server_version
from docharness.engines import EngineRange

ROOT = Path(__file__).resolve().parents[2]

WRONG = {
    "wrong_output.md": [
        "pages/wrong_output.md:4: output differs from the page",
        "-goodbye",
        "+hello",
    ],
    "wrong_line.md": [
        "pages/wrong_line.md:4: output differs from the page",
        "first differing line of the page: 7",
        "-GAMMA",
        "+gamma",
    ],
    "undocumented_exit.md": [
        "pages/undocumented_exit.md:4: exits with an error the page does not show",
        "exit status: 2",
    ],
    "typo_container.md": [
        "pages/typo_container.md:8: exits with an error the page does not show",
        "No such container: conatiner-test1",
    ],
    "wrong_interactive.md": [
        "pages/wrong_interactive.md:7: output differs from the page",
        "first differing line of the page: 8",
        "+42",
    ],
    "failing_python.md": ["failing_python.md:8: AssertionError"],
    "hang.md": [
        "pages/hang.md:5: timed out after 2 s: sleep 30 "
        "(set `<!-- test: timeout N -->` if it needs longer)"
    ],
    "endless_python.md": ["pages/endless_python.md:4: Python block timed out after 2 s"],
    # A terminal view is compared on its final screen: the planted row is named.
    # Its build runs in the block of the daemon's image store (the export rows differ): the
    # containerd store's block first, the classic store's second. "{store}" is replaced by the
    # lines of the one that runs here.
    "terminal_wrong_row.md": [
        "{store}",
        "- => [3/3] WORKDIR /srv",
        "+ => [3/3] WORKDIR /app",
    ],
    "terminal_compose_wrong.md": [
        "pages/terminal_compose_wrong.md:22: output differs from the page",
        "first differing line of the page: 25",
        "- ✔ Container term-compose-db-1   Started",
        "+ ✔ Container term-compose-db-1   Healthy",
    ],
    "terminal_pull_wrong.md": [
        "pages/terminal_pull_wrong.md:4: output differs from the page",
        "first differing line of the page: 6",
        "-0eb63e611a90: Already exists",
        "+0eb63e611a90: Pull complete",
    ],
    "terminal_claim.md": [
        "pages/terminal_claim.md:6: the block at line 3 shows a terminal view ('[+] Building "
        "0.1s (5/5) FINISHED                                 docker:default', line 7), but this "
        "command draws none on a terminal of 80x24 (a plain printer, `--progress=plain`?)",
        "its screen (80x24):",
        '#0 building with "default" instance using docker driver',
    ],
    "terminal_never_settles.md": [
        "pages/terminal_never_settles.md:5: timed out after 2 s",
        "the terminal's last screen (80x24):",
        "[+] Running ",
    ],
    "wrong_compose.md": [
        # Compose's own words differ between its versions (the engines' CLIs): both name these.
        "pages/wrong_compose.md:3: docker compose config rejects compose.yaml (exit status ",
        "compose.yaml: services.web ",
        "imag",
    ],
    "container_only.md": [
        "pages/container_only.md:6: a container prompt, but no interactive session is open",
        "/ # ls -d /etc",
    ],
}


# The failing command's line and the first differing line, per image store.
WRONG_ROW_LINES = {
    "containerd": ("pages/terminal_wrong_row.md:7:", "first differing line of the page: 17"),
    "classic": ("pages/terminal_wrong_row.md:32:", "first differing line of the page: 41"),
}


@pytest.mark.parametrize("page", sorted(WRONG))
def test_wrong_page_fails_naming_the_line(run_page: Any, page: str, docker_host: str) -> None:
    result = run_page(page)
    assert result.status == 1, result.output
    for text in WRONG[page]:
        if text == "{store}":
            store = image_store(driver_status(Daemon(docker_host, "lab")))
            for line in WRONG_ROW_LINES[store]:
                assert line in result.output, result.output
            continue
        assert text in result.output, result.output
    statuses = [block["status"] for block in result.report["blocks"]]
    assert "failed" in statuses


def test_report_keeps_the_failing_diff(run_page: Any) -> None:
    """The site shows a failed block's diff from the report: the record carries it."""
    result = run_page("wrong_output.md")
    failed = [block for block in result.report["blocks"] if block["status"] == "failed"]
    assert failed[0]["reason"].endswith("output differs from the page")
    assert "-goodbye" in failed[0]["details"] and "+hello" in failed[0]["details"]


@pytest.mark.parametrize("page", ["hang.md", "endless_python.md"])
def test_hang_is_cut_and_the_run_goes_on(run_page: Any, page: str) -> None:
    result = run_page(page)
    assert [b["status"] for b in result.report["blocks"]] == ["failed", "passed"]
    assert result.seconds < 20, result.output
    workers = [c for c in _command_lines() if "pyworker.py" in c and "endless_python" in c]
    left = workers + [c for c in _command_lines() if c.startswith("sleep 4322")]
    assert not left, left  # the Python block's worker, and the sleep it started, are gone


def _command_lines() -> list[str]:
    """Every process's command line on the machine."""
    lines = []
    for entry in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            lines.append(Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return lines


def test_failed_page_is_cleaned_up(run_page: Any, docker_host: str) -> None:
    run_page("typo_container.md")
    client = docker.DockerClient(base_url=docker_host)
    names = [c.name for c in client.containers.list(all=True)]
    client.close()
    assert "container-test1" not in names


@pytest.mark.parametrize(
    "page",
    [
        "right_basic.md",
        "right_interactive.md",
        "right_syntax.md",
        "right_python_directives.md",
        # a build's terminal view, then the same build with --progress=plain
        "terminal_build.md",
        # compose up -d and down as a terminal shows them, then with --progress plain
        "terminal_compose.md",
        # a directive's size, and the pipe for a command that shows no view
        "terminal_directive.md",
        # a pull's layer rows in their last states, as a terminal leaves them
        "terminal_pull.md",
    ],
)
def test_right_page_passes(run_page: Any, page: str) -> None:
    result = run_page(page)
    assert result.status == 0, result.output
    # A block of the other image store's twin does not run (terminal_build.md); all else passes.
    blocks = [
        block
        for block in result.report["blocks"]
        if not (block["reason"] or "").startswith("not for this store: ")
    ]
    assert blocks and all(block["status"] == "passed" for block in blocks), blocks
    assert result.report["docker"]["server"] != "unknown"


def test_a_compose_file_is_saved_where_the_shell_stands_and_checked(run_page: Any) -> None:
    """The Compose block passes (kind `compose`); the next transcript finds the file it saved and
    Compose reads it; the registry's `config.yml` is no block at all."""
    result = run_page("right_compose.md")
    assert result.status == 0, result.output
    blocks = [(b["line"], b["kind"], b["status"]) for b in result.report["blocks"]]
    assert blocks == [(3, "compose", "passed"), (22, "transcript", "passed")]


def test_a_taken_host_port_is_named_as_the_cause(run_page: Any) -> None:
    result = run_page("port_taken.md")
    assert result.status == 1, result.output
    assert "port_taken.md:6: output differs from the page" in result.output
    assert "likely cause: a host port this command publishes is held by another" in result.output


def test_a_long_wrong_output_gives_a_short_diff_and_the_whole_output(run_page: Any) -> None:
    result = run_page("big_output.md")
    assert result.status == 1, result.output
    assert "pages/big_output.md:6: output differs from the page" in result.output
    assert f"... and {2 + 99_999 - 40} more changed lines not shown" in result.output
    assert "-line 99999\n+line 2\n" in result.output  # the first 40: 2 removed, 38 added
    assert "+line 39\n" in result.output and "+line 40\n" not in result.output
    saved = result.artifacts / "outputs" / "tests__integration__pages__big_output.md-6.txt"
    assert f"full output: {saved}" in result.output
    assert saved.read_text().split("\n")[:-1] == [f"line {n}" for n in range(1, 100_001)]


def test_an_ambiguous_transcript_fails_its_page_naming_the_line_and_the_fix(
    run_page: Any,
) -> None:
    result = run_page("ambiguous_comment.md")
    assert result.status == 1, result.output  # the page fails alone, as one item
    assert "pages/ambiguous_comment.md:8: text after a comment is neither" in result.output
    assert "write it with no blank line next to it" in result.output
    assert [block["status"] for block in result.report["blocks"]] == ["failed"]


def test_a_block_outside_its_engine_range_is_reported_not_for_this_engine(
    run_page: Any, docker_host: str
) -> None:
    server = server_version(Daemon(docker_host, "lab"))
    result = run_page("engine_range.md")
    assert result.status == 0, result.output
    old, new = result.report["blocks"]
    newer = EngineRange.parse(">=26").contains(server)
    ran, other, other_range = (new, old, "<26") if newer else (old, new, ">=26")
    assert ran["status"] == "passed"
    assert other["status"] == "not-for-engine"
    assert other["reason"] == f"not for this engine: engine {other_range} (this engine: {server})"
    assert f"not-for-engine {other['page']}:{other['line']}: " in result.output


def test_a_block_for_the_other_image_store_is_reported_not_for_this_store(
    run_page: Any, docker_host: str
) -> None:
    # The store is what the daemon's docker info reports, not what the lab was asked for.
    running = image_store(driver_status(Daemon(docker_host, "lab")))
    result = run_page("store_directive.md")
    assert result.status == 0, result.output
    classic, containerd = result.report["blocks"]
    ran, other = (containerd, classic) if running == "containerd" else (classic, containerd)
    other_store = "classic" if running == "containerd" else "containerd"
    assert ran["status"] == "passed"
    assert other["status"] == "not-for-engine"
    assert other["reason"] == f"not for this store: store {other_store} (this daemon: {running})"
    assert f"not-for-engine {other['page']}:{other['line']}: not for this store" in result.output
    # The report says which store the run's output is from, so the site can name it.
    assert result.report["docker"]["store"] == running


def test_a_failure_shows_what_the_daemon_logged_while_the_block_ran(
    run_page: Any, docker_host: str
) -> None:
    found = select(ROOT)  # this worker's daemon, as the harness sees it (its log from lab.json)
    assert found.host == docker_host
    if found.log is None:
        pytest.skip("the daemon's log is not ours to read (not a lab daemon)")
    server = server_version(found)
    if not EngineRange.parse(">=26").contains(server):
        pytest.skip(f"engine {server} does not log a stopped container it will not restart")
    result = run_page("daemon_logged.md")
    assert result.status == 1, result.output
    assert "daemon_logged.md:11: output differs from the page" in result.output
    assert f"the daemon logged while the block ran (all of it, {found.log}):" in result.output
    assert "ShouldRestart failed, container will not be restarted" in result.output
