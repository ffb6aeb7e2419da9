"""Fixtures shared by the harness's own tests that need a real image on the daemon."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

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


@pytest.fixture
def run_without_daemon(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run pages through the plugin in this process, on a daemon that answers nothing
    (``unix:///nowhere``, claimed without a lock): for what the plugin decides before, or
    instead of, asking a daemon. The run's report is ``report.json`` in pytester's folder.

    The plugin's SIGTERM handler is this process's too: the inner run's unconfigure would
    remove it, so it is put back (a CI job's SIGTERM must still reach this worker's pages).
    """
    nowhere = daemon.Daemon("unix:///nowhere", "lab")
    monkeypatch.setattr(runs, "claim", lambda root, say=None: SimpleNamespace(daemon=nowhere))
    monkeypatch.setattr(daemon, "ping", lambda found, timeout=5.0: None)
    monkeypatch.setenv("DOCS_DOCKER", "own")
    monkeypatch.setenv("DOCS_DOCKER_HOST", nowhere.host)
    monkeypatch.setenv("DOCHARNESS_REPORT", str(pytester.path / "report.json"))
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)

    def run(*args: str) -> pytest.RunResult:
        handler = signal.getsignal(signal.SIGTERM)
        plugins = ("-p", "docharness.plugin", "-p", "no:xdist", "-p", "no:cacheprovider")
        try:
            return pytester.runpytest_inprocess(*plugins, *args)
        finally:
            signal.signal(signal.SIGTERM, handler)

    return run
