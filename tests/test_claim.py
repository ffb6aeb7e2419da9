"""Claiming a lab daemon (docharness.runs), without a daemon: which daemon a run gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from docharness import runs
from docharness.daemon import Client, Daemon


def test_a_free_daemon_keeps_the_lab_engines_cli_and_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taking the next free lab daemon changes the address only: the page shell still runs
    the lab engine's `docker` and its plugins (buildx, compose), and answers `docker login`."""
    monkeypatch.setenv(runs.RUNS_DIR, str(tmp_path / "runs"))
    monkeypatch.delenv("DOCS_DOCKER_HOST", raising=False)
    monkeypatch.setattr(runs, "_lab_hosts", lambda root: ["unix:///lab0", "unix:///lab1"])
    client = Client(tmp_path / "bin", tmp_path / "plugins")
    chosen = Daemon("unix:///lab0", "lab", "user", "secret", online=False, client=client)
    held = runs._lock(tmp_path, "unix:///lab0", wait=False)  # another run holds lab0
    assert held is not None
    try:
        claim = runs._claim_free(tmp_path, chosen, print)
    finally:
        held.close()
    assert claim.daemon.host == "unix:///lab1"
    assert claim.daemon.client == client
    assert (claim.daemon.username, claim.daemon.password) == ("user", "secret")
