"""What a dead lab dockerd leaves behind, removed before it starts again.

When dockerd dies (kill -9, a crash) and its containerd and shims are killed, the containers'
own processes are reparented to init and keep running, each holding its network namespace, so
its veth stays on the lab bridge with its address: the restarted daemon would hand the same
address to a new container. The dead daemon's data-root still lists its container IDs; their
cgroups (cgroupfs driver: ``docker/<id>`` in each hierarchy) hold exactly their processes,
whoever their parent is now. Those are killed, then every link still enslaved to the daemon's
bridge (only its containers' veths are) is deleted, which frees the addresses.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from lab.errors import LabError
from lab.paths import DaemonSpec

CGROUPS = Path("/sys/fs/cgroup")
# Where the cgroupfs driver (cgroup v1 hierarchies, or v2) and the systemd driver put one.
_PLACES = ("docker/{id}", "*/docker/{id}", "system.slice/docker-{id}.scope")


def container_ids(daemon: DaemonSpec) -> list[str]:
    """The IDs of the containers the daemon's data-root knows."""
    folder = daemon.data_root / "containers"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def cgroups(container_id: str) -> list[Path]:
    """Every cgroup folder of one container, in every hierarchy."""
    return [path for place in _PLACES for path in CGROUPS.glob(place.format(id=container_id))]


def processes(container_id: str) -> set[int]:
    """The PIDs in the container's cgroups."""
    found: set[int] = set()
    for folder in cgroups(container_id):
        with contextlib.suppress(OSError):
            found.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
    return found


def kill_containers(daemon: DaemonSpec, timeout: float = 10.0) -> set[int]:
    """SIGKILL every process of the daemon's containers (again, while any forks); the PIDs."""
    ids = container_ids(daemon)
    killed: set[int] = set()
    deadline = time.monotonic() + timeout
    while True:
        alive = {pid for container in ids for pid in processes(container)}
        if not alive:
            break
        if time.monotonic() > deadline:
            raise LabError(f"lab: processes {sorted(alive)} of dead {daemon.name} survive")
        for pid in alive - killed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        killed |= alive
        time.sleep(0.1)
    for container in ids:  # empty now: the new daemon makes its own
        for folder in cgroups(container):
            with contextlib.suppress(OSError):
                folder.rmdir()
    return killed


def bridge_ports(daemon: DaemonSpec) -> list[str]:
    """The links enslaved to the daemon's bridge."""
    done = subprocess.run(
        ["ip", "-j", "link", "show", "master", daemon.bridge], capture_output=True, text=True
    )
    if done.returncode != 0:  # no bridge: nothing on it
        return []
    return [str(link["ifname"]) for link in json.loads(done.stdout or "[]")]


def remove_veths(daemon: DaemonSpec) -> list[str]:
    """Delete every link on the daemon's bridge (its peer in the container goes with it)."""
    removed = []
    for name in bridge_ports(daemon):
        if subprocess.run(["ip", "link", "del", name], capture_output=True).returncode == 0:
            removed.append(name)
    return removed


def leftovers(daemon: DaemonSpec) -> None:
    """Before ``daemon`` starts: kill what its dead predecessor's containers left running
    and free their veths and addresses; say so when there was anything."""
    killed = kill_containers(daemon)
    veths = remove_veths(daemon)
    if killed or veths:
        print(
            f"lab: {daemon.name} had died: killed {len(killed)} container processes, "
            f"removed {len(veths)} veths from {daemon.bridge}",
            flush=True,
        )
