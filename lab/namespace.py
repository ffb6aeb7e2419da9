"""Run an engine's dockerd inside its Debian rootfs: own mount and PID namespaces, pivot_root.

A newer release's dockerd, containerd and runc need that release's glibc, so they run in its
tree; a plain chroot is not enough (dockerd remounts ``/``, containerd reads mount info). The
cached tree is the lower layer of an overlay whose upper layer is a tmpfs, so every daemon may
make mount points and the cache is never written. Inside: the host's ``/dev``, ``/sys`` and
``/tmp``, a fresh ``/proc`` and ``/run``, a tmpfs as ``/var/lib/docker``, the lab's hosts file
and trust bundle, and each ``shared`` host folder at its own path, because bind mounts
(``-v "$(pwd)":/app``) and the socket resolve in the engine's namespace.

The data-root is a tmpfs because every page ends by removing the images it pulled, and on the
host's ext4 removing one 400 MB image (47,000 files) takes 3.4 s of journal writes, against
0.2 s in memory; an engine starts with an empty data-root anyway, and the tmpfs goes with
its namespace.

The PID namespace makes dockerd its PID 1: when it exits, the kernel ends every process of the
engine (containerd, shims, containers) and the mount namespace goes with them.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from lab import procs

# $1 rootfs, $2 a host folder for the overlay (a tmpfs is mounted on it in our namespace only),
# $3 hosts file, $4 trust bundle, $5 dockerd's config; then the shared folders.
_SCRIPT = r"""set -e
lower=$1 top=$2 hosts=$3 bundle=$4 config=$5
shift 5
mount -t tmpfs -o mode=0755 doclab "$top"
mkdir "$top/upper" "$top/work" "$top/root"
mount -t overlay doclab -o "lowerdir=$lower,upperdir=$top/upper,workdir=$top/work" "$top/root"
new=$top/root
mount --rbind /dev "$new/dev"
mount -t proc proc "$new/proc"
mount --rbind /sys "$new/sys"
mount -t tmpfs -o mode=0755 tmpfs "$new/run"
mount --rbind /tmp "$new/tmp"
mount -t tmpfs -o mode=0710 doclab-data "$new/var/lib/docker"
mount --bind "$hosts" "$new/etc/hosts"
mount --bind /etc/resolv.conf "$new/etc/resolv.conf"
mount --bind "$bundle" "$new/etc/ssl/certs/ca-certificates.crt"
for folder; do
  mkdir -p "$new$folder"
  mount --rbind "$folder" "$new$folder"
done
cd "$new"
pivot_root . .
umount -l .
exec dockerd --config-file "$config"
"""


@dataclass(frozen=True)
class Launch:
    """What one engine daemon needs from the host."""

    name: str  # the lab process name (pidfile, log)
    rootfs: Path
    top: Path  # an empty host folder for the overlay's tmpfs
    hosts: Path
    bundle: Path
    config: Path
    shared: tuple[Path, ...]  # host folders seen at the same path inside (socket, /tmp, ...)


def start(launch: Launch) -> int:
    """Start dockerd in its namespaces; return the PID of ``unshare`` (its parent outside)."""
    launch.top.mkdir(parents=True, exist_ok=True)
    argv = [
        "unshare",
        "--mount",
        "--pid",
        "--fork",
        "--kill-child",  # if unshare is killed, dockerd is too, and with it the namespace
        "--propagation",
        "private",
        "sh",
        "-c",
        _SCRIPT,
        "sh",
        *(
            str(p)
            for p in (
                launch.rootfs,
                launch.top,
                launch.hosts,
                launch.bundle,
                launch.config,
            )
        ),
        *(str(folder) for folder in launch.shared),
    ]
    return procs.start(launch.name, argv, "unshare")


def engine_pid(name: str) -> int | None:
    """dockerd's PID as the host sees it: the one child of our ``unshare``."""
    parent = procs.running_pid(name)
    if parent is None:
        return None
    try:
        if Path(f"/proc/{parent}/comm").read_text().strip() != "unshare":
            return None  # the host's dockerd (the builder): no namespace of ours
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    except FileNotFoundError:
        return None
    return int(children[0]) if children else None


def mount_namespace(name: str) -> str | None:
    """The engine's mount namespace (``mnt:[N]``), to check later that nothing is left in it."""
    pid = engine_pid(name)
    if pid is None:
        return None
    try:
        return os.readlink(f"/proc/{pid}/ns/mnt")
    except FileNotFoundError:
        return None


def stop(name: str, grace: float = 30.0) -> None:
    """TERM dockerd (unshare keeps TERM blocked), wait for the namespace to end, else KILL."""
    parent = procs.running_pid(name)
    if parent is None:
        procs.pidfile(name).unlink(missing_ok=True)
        return
    child = engine_pid(name)
    if child is not None:
        os.kill(child, signal.SIGTERM)
    if not procs.wait_gone([parent], grace):
        os.kill(parent, signal.SIGKILL)  # --kill-child takes dockerd and the namespace along
        procs.wait_gone([parent], 10.0)
    procs.pidfile(name).unlink(missing_ok=True)


Member = tuple[int, int]  # (PID, start time in clock ticks): a process, even if PIDs recycle


def members(namespace: str) -> set[Member]:
    """The processes in the mount namespace ``namespace`` (``mnt:[N]``) now. A namespace's
    number is reused once it is gone, so what was in it is checked by ``survivors``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(entry / "ns" / "mnt") == namespace:
                found.add((int(entry.name), _start_time(int(entry.name))))
        except (FileNotFoundError, PermissionError, ProcessLookupError, ValueError):
            continue
    return found


def survivors(before: set[Member]) -> set[Member]:
    """Those of ``before`` still running (same PID, same start time, not a zombie: this
    sandbox's PID 1 may never reap an orphan that has exited)."""
    alive = set()
    for pid, started in before:
        try:
            fields = procs.stat(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[19]) == started:
            alive.add((pid, started))
    return alive


def _start_time(pid: int) -> int:
    return int(procs.stat(pid)[19])


def wait_started(name: str, timeout: float = 5.0) -> None:
    """Wait until unshare has forked (dockerd has a PID), so the namespace can be named."""
    deadline = time.monotonic() + timeout
    while engine_pid(name) is None and time.monotonic() < deadline:
        time.sleep(0.05)
