"""Fixtures shared by the harness's own tests that need a real image on the daemon."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

import docker
import pytest

from docharness import daemon, runs
from docharness.plugin.run import announcer

ROOT = Path(__file__).resolve().parent.parent


def command_for_pytest(*args: str, sigint: Literal["default", "ignored"]) -> list[str]:
    """`python -m pytest *args`, started with SIGINT as ``sigint`` says, not as inherited.

    A terminal's foreground job has SIGINT at its default: Ctrl-C raises KeyboardInterrupt. A
    job a script puts in the background (`bash .ci/run &`) has it ignored, and so has every
    process that job starts: this test run, and the run under test if it simply inherited it.
    """
    handler = "default_int_handler" if sigint == "default" else "SIG_IGN"
    start = (
        f"import signal, sys, pytest; signal.signal(signal.SIGINT, signal.{handler}); "
        "sys.exit(pytest.main())"
    )
    return [sys.executable, "-c", start, *args]


def run_pytest(
    page: Path, env: Mapping[str, str], *extra: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m pytest <page>` in a process of its own, serially, as a reader runs a page.

    ``env`` is the whole environment; an xdist worker's name is dropped from it, so that the
    run picks its daemon as a serial run does.
    """
    env = {key: value for key, value in env.items() if key != "PYTEST_XDIST_WORKER"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(page), "-p", "no:xdist", "-q", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def docker_host(request: pytest.FixtureRequest) -> str:
    """This worker's daemon (DOCS_DOCKER_HOST, DOCS_DOCKER=own or the lab); it must answer."""
    try:
        # Held for the session, as the pages' daemon is.
        found = runs.claim(ROOT, announcer(request.config)).daemon
        daemon.ping(found)
    except daemon.DaemonError as error:
        pytest.fail(str(error))
    return found.host


@pytest.fixture(scope="module")
def debian_image(docker_host: str) -> Iterator[str]:
    """`debian:latest` on this worker's daemon, pulled if the daemon lacks it (lab daemons start
    empty) and removed again afterwards, so the pages that run next find the daemon as it was."""
    client = docker.DockerClient(base_url=docker_host)
    present = any("debian:latest" in image.tags for image in client.images.list())
    if not present:
        client.images.pull("debian", tag="latest")
    yield "debian:latest"
    if not present:
        client.images.remove("debian:latest", force=True)
    client.close()
