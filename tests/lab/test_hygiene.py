"""A lab that stays clean for days: no zombie under a daemon, no IPv6 chain of Docker's, and
registry storage that no container can write into and no write can carry to the machine cache."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lab import daemons, ipv6, namespace, procs
from lab.paths import LAB_DIR, REGISTRY_STORAGE, DaemonSpec, page_daemons
from tests.lab.conftest import Docker

pytestmark = pytest.mark.lab


def this_daemon(docker_host: str) -> DaemonSpec:
    return next(d for d in page_daemons() if f"unix://{d.socket}" == docker_host)


def zombies_of(daemon: DaemonSpec) -> list[int]:
    """Zombies whose parent is the daemon's init or dockerd: orphans nobody reaps."""
    parents = {namespace.engine_pid(daemon.name), namespace.dockerd_pid(daemon.name)} - {None}
    assert parents, f"{daemon.name} is not running"
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = procs.stat(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] == "Z" and int(fields[1]) in parents:
            found.append(int(entry.name))
    return found


def test_containers_leave_no_zombie_under_their_daemon(docker: Docker, docker_host: str) -> None:
    """C6: dockerd as PID 1 of its namespace never reaped; one containerd-shim zombie was left
    per container. The namespace's init reaps them as they exit."""
    assert docker("pull", "-q", "busybox:latest").returncode == 0
    for _ in range(4):
        assert docker("run", "--rm", "busybox:latest", "true").returncode == 0
    daemon = this_daemon(docker_host)
    deadline = time.monotonic() + 5  # reaped at the init's next SIGCHLD: at once
    while zombies_of(daemon) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert zombies_of(daemon) == []


def test_lab_daemons_make_no_ipv6_chains(lab_state: object) -> None:
    """C7: with "ip6tables" on, every lab dockerd made Docker's IPv6 chains; none of this lab's
    daemons may own such a chain now (another lab's or a system dockerd may)."""
    ours = {namespace.dockerd_pid(d.name) for d in page_daemons()}
    ours |= {namespace.engine_pid(d.name) for d in page_daemons()}  # dockerd when it was PID 1
    ours.discard(None)
    assert ours, "no lab daemon runs"
    owners = ipv6.owners()
    assert not [owner for owner in owners if int(owner.split()[1]) in ours], owners


def test_a_container_finds_nothing_of_the_lab_folder(docker: Docker) -> None:
    """B6: a container that bind-mounts the lab's registry storage (the daemon sees /tmp, and a
    checkout there) could replace any stand-in for every later run. The daemon sees a
    read-only empty folder there: it cannot even make the mount source."""
    assert docker("pull", "-q", "busybox:latest").returncode == 0
    before = sorted(p.name for p in REGISTRY_STORAGE.iterdir())
    probe = "ls -A /r; touch /r/written-by-a-container 2>/dev/null && echo wrote; echo done"
    mount = f"{REGISTRY_STORAGE}:/r"
    seen = docker("run", "--rm", "-v", mount, "busybox:latest", "sh", "-c", probe)
    assert seen.returncode != 0, seen.stdout
    assert "read-only file system" in seen.stderr, seen.stderr
    assert sorted(p.name for p in REGISTRY_STORAGE.iterdir()) == before
    assert LAB_DIR in daemons.covered_folders()


def test_registry_blobs_are_not_shared_with_the_machine_cache() -> None:
    """B6: blobs hard-linked into the machine cache were one file for every checkout: a write
    into one changed the image for all. Each checkout's blob is a copy of its own."""
    blobs = REGISTRY_STORAGE / "docker" / "registry" / "v2" / "blobs"
    linked = [path for path in blobs.rglob("data") if path.stat().st_nlink > 1]
    assert linked == []
    assert any(blobs.rglob("data")), "the registry holds no blob: is the lab seeded?"
