"""The lab sees Docker Hub's names; the host does not; nothing of the host is touched."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lab import procs

pytestmark = pytest.mark.lab


def test_host_hosts_file_does_not_name_the_registries() -> None:
    hosts = Path("/etc/hosts").read_text()
    assert "registry-1.docker.io" not in hosts
    assert "gcr.io" not in hosts


def test_daemon_namespace_points_registries_at_loopback(lab_state: dict[str, object]) -> None:
    pid = procs.running_pid("lab0")
    assert pid is not None, "lab0 is not running"
    inside = subprocess.run(
        ["nsenter", "-t", str(pid), "-m", "cat", "/etc/hosts"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "127.0.0.2 registry-1.docker.io" in inside
    assert "127.0.0.3 gcr.io" in inside
    assert "127.0.0.4 index.docker.io auth.docker.io" in inside


def test_daemon_runs_without_iptables(lab_state: dict[str, object]) -> None:
    from lab.paths import LAB_DIR

    config = (LAB_DIR / "config" / "lab0.json").read_text()
    assert '"iptables": false' in config
