"""docharness.container_view: which commands list containers, and the catch-up before them.

The race it removes (the daemon wakes `docker attach` before its list shows the exit) cannot
be provoked on demand, so these tests check the two halves: the commands that read the list,
and that the catch-up takes every container's lock (one inspect each) before such a command
runs. No daemon: ``RecordingAPI`` stands for the low-level client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker.errors
import pytest

from docharness import container_view
from docharness.daemon import Daemon
from docharness.fences import parse_page
from docharness.kinds.transcript.runner import TranscriptRunner
from docharness.page import PageRun
from docharness.shell import Result, Terminal


@pytest.mark.parametrize(
    "command",
    [
        "docker ps",
        "docker ps -a --filter name=container-test1",
        "docker container ls -a",
        "docker container list",
        "docker container ps",
        "docker compose ps",
        "docker compose -f compose.yaml ps --all",
        "docker ps -a | grep web",
        "sleep 1; docker ps",
    ],
)
def test_commands_that_print_the_container_list(command: str) -> None:
    assert container_view.lists_containers(command)


@pytest.mark.parametrize(
    "command",
    [
        "docker images",
        "docker pause web",
        "docker ps-like",
        "docker compose up -d",
        "docker compose exec db mysql -e 'SHOW PROCESSLIST'",
        "docker container stop web",
        "docker run --name ps busybox true",
        "echo docker",
    ],
)
def test_commands_that_do_not(command: str) -> None:
    assert not container_view.lists_containers(command)


@dataclass
class RecordingAPI:
    """The calls ``catch_up`` makes; ``gone`` are removed between the list and the inspect."""

    ids: list[str]
    gone: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)

    def containers(self, all: bool, quiet: bool) -> list[dict[str, Any]]:  # noqa: A002
        assert all, "a stopped container's exit is what must reach the list"
        self.calls.append("list")
        return [{"Id": i} for i in self.ids]

    def inspect_container(self, container: str) -> dict[str, Any]:
        self.calls.append(f"inspect {container}")
        if container in self.gone:
            raise docker.errors.NotFound(f"No such container: {container}")
        return {"Id": container}


def test_the_catch_up_inspects_every_container_one_removed_meanwhile_too() -> None:
    api = RecordingAPI(["a1", "b2", "c3"], gone={"b2"})
    container_view.catch_up(api)
    assert api.calls == ["list", "inspect a1", "inspect b2", "inspect c3"]


@dataclass
class OrderedShell:
    """A page shell that writes its commands into the same list as the API's calls."""

    cwd: Path
    calls: list[str]

    def run(self, command: str, timeout: float) -> Result:
        self.calls.append(f"run {command}")
        return Result("", 0)

    def another_terminal(self) -> Terminal:
        return Terminal(self.cwd, ())

    def environment(self) -> dict[str, str]:
        return {}


def test_the_runner_catches_up_before_a_listing_and_only_then(tmp_path: Path) -> None:
    text = "```shell\n$ docker images -q\n$ docker ps -aq\n```\n"
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "work").mkdir()
    page = PageRun(path, tmp_path / "work", Daemon("unix:///nonexistent.sock", "lab"))
    api = RecordingAPI(["a1"])
    page._api = api  # what PageRun.begin sets: the page's client of its daemon
    (block,) = parse_page(path, text)
    TranscriptRunner(page, block, OrderedShell(tmp_path, api.calls)).run_block()
    assert api.calls == ["run docker images -q", "list", "inspect a1", "run docker ps -aq"]
