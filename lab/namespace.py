"""Run an engine's dockerd inside its Debian rootfs: own mount and PID namespaces, pivot_root.

A newer release's dockerd, containerd and runc need that release's glibc, so they run in its
tree; a plain chroot is not enough (dockerd remounts ``/``, containerd reads mount info). The
cached tree is the lower layer of an overlay whose upper layer is a tmpfs, so every daemon may
make mount points and the cache is never written. Inside: the host's ``/dev``, ``/sys`` and
``/tmp``, a fresh ``/proc`` and ``/run``, a tmpfs as ``/var/lib/docker``, the lab's hosts file
and trust bundle, and each ``shared`` host folder at its own path, because bind mounts
(``-v "$(pwd)":/app``) and the socket resolve in the engine's namespace. For the same reason
the ``covered`` folders (every lab's folder and the machine cache: ``/tmp`` may hold them) are
hidden under an empty read-only tmpfs: a container cannot mount from them or write into them.

The data-root is a tmpfs because every page ends by removing the images it pulled, and on the
host's ext4 removing one 400 MB image (47,000 files) takes 3.4 s of journal writes, against
0.2 s in memory; an engine starts with an empty data-root anyway, and the tmpfs goes with
its namespace.

The namespace's PID 1 is a small init (tini, the host's static build: it runs before
``pivot_root``, so the tree need not ship it) whose one child is dockerd. Orphans of the namespace
(every exited ``containerd-shim``) are reparented to PID 1, and dockerd never reaps them: as PID 1
itself it left one zombie per container. tini reaps them, forwards TERM to dockerd and exits with
it: when dockerd exits, the kernel ends every process of the engine (containerd, shims,
containers) and the mount namespace goes with them.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from lab import procs

AUTHZ_PLUGIN = "doclab-authz"  # the name daemon.json's "authorization-plugins" gives
# $1 rootfs, $2 a host folder for the overlay (a tmpfs is mounted on it in our namespace only),
# $3 hosts file, $4 trust bundle, $5 dockerd's config, $6 the authorization plugin's socket;
# then the covered folders, "--", and the shared folders.
_SCRIPT = r"""set -e
lower=$1 top=$2 hosts=$3 bundle=$4 config=$5 authz=$6
shift 6
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
mkdir -p "$new/etc/docker/plugins"
echo "unix://$authz" > "$new/etc/docker/plugins/{AUTHZ_PLUGIN}.spec"
covered=
while [ "$1" != -- ]; do
  mkdir -p "$new$1"
  mount -t tmpfs -o mode=0700,size=64k doclab-covered "$new$1"
  covered="$covered$1
"
  shift
done
shift
for folder; do
  mkdir -p "$new$folder"
  mount --rbind "$folder" "$new$folder"
done
# Read-only once the shared folders' mount points are made: nothing a container writes there
# outlives it or reaches the next page.
printf %s "$covered" | while IFS= read -r folder; do mount -o remount,ro "$new$folder"; done
cd "$new"
pivot_root . .
umount -l .
exec dockerd --config-file "$config"
""".replace("{AUTHZ_PLUGIN}", AUTHZ_PLUGIN)


@dataclass(frozen=True)
class Launch:
    """What one engine daemon needs from the host."""

    name: str  # the lab process name (pidfile, log)
    rootfs: Path
    top: Path  # an empty host folder for the overlay's tmpfs
    hosts: Path
    bundle: Path
    config: Path
    authz: Path  # the socket of the daemon's authorization plugin (lab.authz)
    shared: tuple[Path, ...]  # host folders seen at the same path inside (socket, /tmp, ...)
    # Host folders that /tmp would show inside but no container may mount: the labs' own
    # (registry storage, secrets), covered by an empty tmpfs before the shared ones go on top.
    covered: tuple[Path, ...] = ()


# Debian's tini package (a dependency of docker.io); the engine tree ships it as docker-init.
INITS = ("tini-static", "docker-init", "tini")


def init_program() -> str:
    """The reaping init: a static tini of the host's."""
    for name in INITS:
        found = shutil.which(name)
        if found is not None:
            return found
    raise RuntimeError(f"lab: no reaping init on PATH ({', '.join(INITS)}): apt-get install tini")


def start(launch: Launch) -> int:
    """Start dockerd in its namespaces; return the PID of ``unshare`` (its parent outside)."""
    launch.top.mkdir(parents=True, exist_ok=True)
    argv = [
        "unshare",
        "--mount",
        "--pid",
        "--fork",
        "--kill-child",  # if unshare is killed, the init is too, and with it the namespace
        "--propagation",
        "private",
        init_program(),
        "--",
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
                launch.authz,
            )
        ),
        *(str(folder) for folder in launch.covered),
        "--",
        *(str(folder) for folder in launch.shared),
    ]
    return procs.start(launch.name, argv, "unshare")


def engine_pid(name: str) -> int | None:
    """The PID 1 of the engine's namespaces as the host sees it (the init): the one child of
    our ``unshare``. Killed, it takes the whole namespace along."""
    parent = procs.running_pid(name)
    if parent is None:
        return None
    try:
        if Path(f"/proc/{parent}/comm").read_text().strip() != "unshare":
            return None  # the host's dockerd (the builder): no namespace of ours
    except FileNotFoundError:
        return None
    return _only_child(parent)


def dockerd_pid(name: str) -> int | None:
    """dockerd's PID as the host sees it: the one child of the namespace's init."""
    init = engine_pid(name)
    return None if init is None else _only_child(init)


def _only_child(pid: int) -> int | None:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
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
    """TERM the init (unshare keeps TERM blocked; tini passes it to dockerd), wait for the
    namespace to end, else KILL."""
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
