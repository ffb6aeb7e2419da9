"""Fixtures for the lab's own tests: this worker's real lab daemon, driven with the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from contracts.lab_state import Client, LabState, Login
from contracts.lab_state import read as read_state
from docharness import cleanup
from lab.paths import STATE_FILE

Docker = Callable[..., subprocess.CompletedProcess[str]]

pytestmark = pytest.mark.lab


@pytest.fixture(scope="session")
def lab_state() -> LabState:
    if os.environ.get("DOCS_DOCKER", "lab") != "lab":
        pytest.skip("the lab's own tests need the lab (DOCS_DOCKER=own uses your Docker)")
    state = read_state(STATE_FILE)
    if state is None:
        pytest.fail(f"no lab: {STATE_FILE} is missing; start it with `make lab`")
    return state


def lab_cli(lab_state: LabState) -> Client:
    """The lab engine's own CLI (``bin`` holds ``docker``) and plugins, as the pages get them."""
    if lab_state.cli is None:
        pytest.fail("lab.json names no engine CLI: restart the lab with `make lab`")
    return lab_state.cli


def lab_login(lab_state: LabState) -> Login:
    if lab_state.login is None:
        pytest.fail("lab.json names no login: restart the lab with `make lab`")
    return lab_state.login


@pytest.fixture
def docker(lab_state: LabState, docker_host: str, tmp_path: Path) -> Iterator[Docker]:
    """Run the real docker CLI against this worker's lab daemon (the shared ``docker_host``
    fixture picks it as the harness does), in ``tmp_path`` with the engine's plugins, as a
    page's shell; remove what the test made."""
    cli = lab_cli(lab_state)
    (tmp_path / ".docker").mkdir()
    (tmp_path / ".docker" / "config.json").write_text(
        json.dumps({"cliPluginsExtraDirs": [str(cli.plugins)]})
    )
    base_env = {
        **os.environ,
        "DOCKER_HOST": docker_host,
        "DOCKER_CONFIG": str(tmp_path / ".docker"),
    }

    def run(
        *args: str,
        input: str | None = None,
        check: bool = False,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(cli.bin / "docker"), *args],
            env=base_env | (env or {}),
            cwd=tmp_path,
            input=input,
            text=True,
            capture_output=True,
            timeout=180,
            check=check,
        )

    # The harness's own snapshot and restore: containers (with their anonymous volumes),
    # volumes, networks, images and tags (a digest-only pull, `debian@sha256:...`, included)
    # and build cache records, which a later page on this daemon would otherwise see.
    api = cleanup.client_for(docker_host)
    before = cleanup.snapshot(api)
    yield run
    problems = cleanup.restore(api, before)
    api.close()
    assert not problems, f"the lab test left things behind: {problems}"
