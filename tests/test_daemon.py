"""Which daemon a run uses, and the one clear error when it does not answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contracts import lab_state
from docharness import daemon
from tests.conftest import run_pytest

ROOT = Path(__file__).resolve().parents[1]


def _lab(root: Path) -> None:
    lab = root / ".cache" / "lab"
    lab.mkdir(parents=True)
    state = lab_state.LabState(
        daemons=("unix:///lab0.sock", "unix:///lab1.sock"),
        login=lab_state.Login("yhkim951107", lab / "secrets" / "login.json"),
    )
    (lab / "secrets").mkdir()
    (lab / "secrets" / "login.json").write_text('{"username": "yhkim951107", "password": "secret"}')
    lab_state.write(lab / "lab.json", state)


def test_lab_daemon_per_worker(tmp_path: Path) -> None:
    _lab(tmp_path)
    assert daemon.select(tmp_path, {}).host == "unix:///lab0.sock"
    assert daemon.select(tmp_path, {"PYTEST_XDIST_WORKER": "gw1"}).host == "unix:///lab1.sock"
    third = daemon.select(tmp_path, {"PYTEST_XDIST_WORKER": "gw2"})
    assert third.host == "unix:///lab0.sock"
    assert (third.mode, third.username, third.password) == ("lab", "yhkim951107", "secret")
    assert not third.online


def test_own_and_explicit_daemons(tmp_path: Path) -> None:
    own = daemon.select(
        tmp_path,
        {"DOCS_DOCKER": "own", "DOCKER_HOST": "unix:///mine.sock", "DOCS_DOCKER_USERNAME": "me"},
    )
    assert (own.host, own.mode, own.username) == ("unix:///mine.sock", "own", "me")
    explicit = daemon.select(tmp_path, {"DOCS_DOCKER_HOST": "unix:///scratch.sock"})
    assert (explicit.host, explicit.mode) == ("unix:///scratch.sock", "lab")


def test_no_lab_says_how_to_start_it(tmp_path: Path) -> None:
    with pytest.raises(daemon.DaemonError, match="make lab"):
        daemon.select(tmp_path, {})


def test_ping_names_the_socket() -> None:
    gone = daemon.Daemon("unix:///nonexistent/docker.sock", "lab")
    with pytest.raises(daemon.DaemonError, match="unix:///nonexistent/docker.sock.*make lab"):
        daemon.ping(gone, timeout=2)


def test_no_daemon_is_one_clear_error_not_a_traceback_per_example() -> None:
    env = {**os.environ, "DOCS_DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    page = ROOT / "tests" / "integration" / "pages" / "right_basic.md"
    done = run_pytest(page, env, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 4, output
    assert output.count("start the lab with `make lab`") == 1, output
    assert "Traceback" not in output and "passed" not in output, output
