"""Runs own their daemon: a lock, a record on disk, and the sweep of what dead runs left.

Killed runs are real pytest processes on the real daemon, each with a runs folder of its own
(DOCHARNESS_RUNS) so that they lock and sweep apart from this test run.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal

import docker
import pytest

from contracts.layout import RUNS_DIR
from contracts.runs import Record, write_record
from docharness import cleanup, runs
from docharness.daemon import Daemon
from docharness.page import ExampleFailed, PageRun
from tests.conftest import command_for_pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "integration" / "pages"


@pytest.fixture
def client(docker_host: str) -> Iterator[docker.DockerClient]:
    opened = docker.DockerClient(base_url=docker_host)
    yield opened
    for name in ("faults-killed", "faults-term", "faults-os-exit", "faults-swept"):
        for found in opened.containers.list(all=True, filters={"name": name}):
            found.remove(force=True)
    opened.close()


def _env(host: str, tmp_path: Path) -> dict[str, str]:
    """A run of its own: its runs folder and report, this worker's daemon, no parent claim."""
    env = {
        **os.environ,
        "DOCS_DOCKER_HOST": host,
        "DOCHARNESS_RUNS": str(tmp_path / "runs"),
        "DOCHARNESS_REPORT": str(tmp_path / "report.json"),
    }
    for name in (runs.CLAIMED, "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    return env


def _pytest(
    page: Path,
    env: dict[str, str],
    workers: tuple[str, ...] = ("-p", "no:xdist"),
    sigint: Literal["default", "ignored"] = "default",
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command_for_pytest(str(page), *workers, "-q", "-rw", sigint=sigint),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _page(name: str, container: str, image: str) -> Path:
    """A page that creates ``container`` and then waits a minute (inside the repository)."""
    page = PAGES / name
    page.write_text(
        f"# Interrupted\n\n```shell\n$ docker create --name {container} {image} true\n...\n"
        "$ sleep 60\n```\n"
    )
    return page


def _exists(client: docker.DockerClient, name: str) -> bool:
    return bool(client.api.containers(all=True, filters={"name": name}))


def _wait_for(client: docker.DockerClient, name: str, run: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not _exists(client, name):
        assert run.poll() is None, run.communicate()[0]
        assert time.monotonic() < deadline, f"the page never created {name}"
        time.sleep(0.2)


def test_a_killed_run_is_swept_by_the_next_and_says_so(
    docker_host: str, client: docker.DockerClient, harness_image: str, tmp_path: Path
) -> None:
    env = _env(docker_host, tmp_path)
    page = _page("_killed.md", "faults-killed", harness_image)
    try:
        killed = _pytest(page, env)
        _wait_for(client, "faults-killed", killed)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
    finally:
        page.unlink()
    assert _exists(client, "faults-killed")  # left behind
    (record,) = (tmp_path / "runs").glob("*.json")
    assert json.loads(record.read_text())["block"] == "tests/integration/pages/_killed.md:3"

    rerun = _pytest(PAGES / "right_basic.md", env)
    output = rerun.communicate(timeout=300)[0]
    assert rerun.returncode == 0, output
    assert not _exists(client, "faults-killed")
    assert f"run {killed.pid} ended without cleaning up during " in output, output
    assert "tests/integration/pages/_killed.md:3" in output
    assert "removed container " in output and f"left by run {killed.pid}" in output
    assert not list((tmp_path / "runs").glob("*.json"))  # the rerun's own record went too


@pytest.mark.parametrize("workers", [("-p", "no:xdist"), ("-n", "1")], ids=["serial", "xdist"])
def test_sigterm_cleans_up_as_ctrl_c_does(
    docker_host: str,
    client: docker.DockerClient,
    harness_image: str,
    tmp_path: Path,
    workers: tuple[str, ...],
) -> None:
    page = _page("_terminated.md", "faults-term", harness_image)
    try:
        # With SIGINT ignored, as in a CI job run in the background: the xdist workers must
        # hear of the SIGTERM from their controller, not from execnet's SIGINT.
        run = _pytest(page, _env(docker_host, tmp_path), workers, sigint="ignored")
        _wait_for(client, "faults-term", run)
        run.send_signal(signal.SIGTERM)
        output = run.communicate(timeout=60)[0]
    finally:
        page.unlink()
    assert not _exists(client, "faults-term")
    assert not list((tmp_path / "runs").glob("*.json"))  # a clean end: no record to sweep
    assert run.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "KeyboardInterrupt: signal 15" in output, output


def test_os_exit_in_a_python_block_is_a_clear_failure_and_leaves_nothing(
    docker_host: str, client: docker.DockerClient, harness_image: str, tmp_path: Path
) -> None:
    run = _pytest(PAGES / "os_exit.md", _env(docker_host, tmp_path))
    output = run.communicate(timeout=300)[0]
    assert run.returncode == 1, output
    assert (
        "pages/os_exit.md:3: the Python block called os._exit(3), which ended the process "
        "running the page's Python blocks (not the test run); the page is cleaned up as usual"
        in output
    )
    assert "1 failed, 1 passed" in output
    assert not _exists(client, "faults-os-exit")


def test_sweep_removes_only_what_came_after_a_dead_runs_claim(
    docker_host: str,
    client: docker.DockerClient,
    harness_image: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(RUNS_DIR, str(tmp_path))
    api = cleanup.client_for(docker_host)
    before = cleanup.snapshot(api)
    api.close()
    dead = Record(12345678, "0", docker_host, before, "docs/x.md:7")  # above pid_max
    alive = Record(os.getpid(), runs._start_time(os.getpid()) or "", docker_host, before)
    write_record(tmp_path / "dead.json", dead)
    write_record(tmp_path / "alive.json", alive)
    created = client.containers.create(harness_image, "true", name="faults-swept")
    write_record(tmp_path / "own.json", replace(dead, daemon="unix:///own"))
    assert runs.sweep(ROOT, "unix:///own", remove=False) == [
        "run 12345678 ended without cleaning up during docs/x.md:7",
        "what it left on unix:///own (your own Docker) is not removed: check it",
    ]
    assert not (tmp_path / "own.json").exists()
    said = runs.sweep(ROOT, docker_host)
    assert said[0] == "run 12345678 ended without cleaning up during docs/x.md:7"
    assert f"removed container {created.id[:12]} left by run 12345678" in said
    assert not _exists(client, "faults-swept")
    assert not (tmp_path / "dead.json").exists() and (tmp_path / "alive.json").exists()


def test_a_dead_daemon_is_one_clear_line(tmp_path: Path) -> None:
    gone = Daemon("unix:///nonexistent/docker.sock", "lab")
    page = PageRun(tmp_path / "page.md", tmp_path, gone)
    with pytest.raises(ExampleFailed) as failed:
        page.begin()
    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith("the Docker daemon at unix:///nonexistent/docker.sock does not")
    assert "`make lab` restarts it" in message
    page.finish()


def test_a_run_takes_a_living_lab_daemon_when_its_own_died_and_says_so(
    docker_host: str, tmp_path: Path
) -> None:
    """D1: the lab's first daemon died (its socket is left, nobody listens); a serial run,
    whose daemon it is, runs its page on the living one and names the dead one."""
    dead = tmp_path / "dead.sock"
    with socket.socket(socket.AF_UNIX) as gone:
        gone.bind(str(dead))  # closed unlistened: connecting is refused, as after kill -9
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "lab.json").write_text(json.dumps({"daemons": [f"unix://{dead}", docker_host]}))
    env = {**_env(docker_host, tmp_path), "LAB_DIR": str(lab)}
    env.pop("DOCS_DOCKER_HOST")  # it picks the lab's first daemon, as a serial run does
    page = PAGES / "_dead_first.md"
    page.write_text("# A dead daemon\n\n```shell\n$ docker info -f '{{.ID}}' >/dev/null\n```\n")
    try:
        run = _pytest(page, env)
        output = run.communicate(timeout=300)[0]
    finally:
        page.unlink()
    assert run.returncode == 0, output
    assert (
        f"docharness: the lab daemon unix://{dead} does not answer (it may have died): this "
        f"run takes another one ({docker_host}); `make lab` restarts it"
    ) in output


def test_two_concurrent_runs_on_one_daemon_take_turns(
    docker_host: str, client: docker.DockerClient, harness_image: str, tmp_path: Path
) -> None:
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "lab.json").write_text(json.dumps({"daemons": [docker_host]}))
    env = {**_env(docker_host, tmp_path), "LAB_DIR": str(lab)}
    env.pop("DOCS_DOCKER_HOST")  # both pick the lab's only daemon, as two `make test` would
    page = PAGES / "_collide.md"
    page.write_text(
        "# Two runs, one name\n\n```shell\n"
        f"$ docker run -d --name faults-collide {harness_image} sleep 30\n...\n"
        "$ sleep 2\n"
        "$ docker rm -f faults-collide\nfaults-collide\n```\n"
    )
    try:
        both = [_pytest(page, env), _pytest(page, env)]
        outputs = [run.communicate(timeout=300)[0] for run in both]
    finally:
        page.unlink()
    for run, output in zip(both, outputs, strict=True):
        assert run.returncode == 0, output
    waited = [o for o in outputs if f"waiting for another run to finish with {docker_host}" in o]
    assert len(waited) == 1, outputs


def test_make_lab_sweeps_what_dead_runs_left(
    docker_host: str, client: docker.DockerClient, harness_image: str, tmp_path: Path
) -> None:
    env = _env(docker_host, tmp_path)
    folder = tmp_path / "runs"
    folder.mkdir()
    api = cleanup.client_for(docker_host)
    before = cleanup.snapshot(api)
    api.close()
    dead = Record(12345678, "0", docker_host, before, "docs/y.md:9")
    write_record(folder / "12345678.json", dead)
    created = client.containers.create(harness_image, "true", name="faults-swept")
    done = subprocess.run(
        [sys.executable, "-m", "docharness.runs"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "docharness: run 12345678 ended without cleaning up during docs/y.md:9",
        f"docharness: removed container {created.id[:12]} left by run 12345678",
    ]
    assert not _exists(client, "faults-swept")
