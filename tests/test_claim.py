"""Claiming a lab daemon (docharness.runs), without a daemon: which daemon a run gets."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from contracts.layout import RUNS_DIR
from docharness import runs
from docharness.daemon import Client, Daemon


def test_a_free_daemon_keeps_the_lab_engines_cli_and_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taking the next free lab daemon changes the address only: the page shell still runs
    the lab engine's `docker` and its plugins (buildx, compose), and answers `docker login`."""
    monkeypatch.setenv(RUNS_DIR, str(tmp_path / "runs"))
    monkeypatch.delenv("DOCS_DOCKER_HOST", raising=False)
    monkeypatch.setattr(runs, "_lab_hosts", lambda root: ["unix:///lab0", "unix:///lab1"])
    monkeypatch.setattr(runs, "answers", lambda daemon: True)
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


def test_a_run_waiting_for_a_lab_daemon_takes_the_first_one_freed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its own daemon (lab1) stays held, as by a sibling xdist worker for its whole session;
    another run frees lab0: the waiting run takes lab0 instead of waiting for ever."""
    monkeypatch.setenv(RUNS_DIR, str(tmp_path / "runs"))
    monkeypatch.delenv("DOCS_DOCKER_HOST", raising=False)
    monkeypatch.setattr(runs, "_lab_hosts", lambda root: ["unix:///lab0", "unix:///lab1"])
    monkeypatch.setattr(runs, "answers", lambda daemon: True)
    sibling = runs._lock(tmp_path, "unix:///lab1", wait=False)
    other = runs._lock(tmp_path, "unix:///lab0", wait=False)
    assert sibling is not None and other is not None
    said: list[str] = []
    claimed: list[runs.Claim] = []
    chosen = Daemon("unix:///lab1", "lab", online=False)
    waiting = threading.Thread(
        target=lambda: claimed.append(runs._claim_free(tmp_path, chosen, said.append)),
        daemon=True,
    )
    try:
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and not claimed  # both held: it waits
        other.close()  # the other run ends
        waiting.join(10)
        assert [claim.daemon.host for claim in claimed] == ["unix:///lab0"]
    finally:
        sibling.close()
        other.close()
        for claim in claimed:
            claim.release()
    assert said == [
        "docharness: waiting for another run to finish with one of unix:///lab1, unix:///lab0"
    ]


def test_a_dead_lab_daemon_is_passed_over_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lab0 died (kill -9): a run whose own daemon it is takes lab1, and says why."""
    monkeypatch.setenv(RUNS_DIR, str(tmp_path / "runs"))
    monkeypatch.delenv("DOCS_DOCKER_HOST", raising=False)
    monkeypatch.setattr(runs, "_lab_hosts", lambda root: ["unix:///lab0", "unix:///lab1"])
    monkeypatch.setattr(runs, "answers", lambda daemon: daemon.host != "unix:///lab0")
    said: list[str] = []
    claim = runs._claim_free(tmp_path, Daemon("unix:///lab0", "lab", online=False), said.append)
    claim.release()
    assert claim.daemon.host == "unix:///lab1"
    assert said == [
        "docharness: the lab daemon unix:///lab0 does not answer (it may have died): this run "
        "takes another one (unix:///lab1); `make lab` restarts it"
    ]
