"""The Docker Engines the lab can run, each from a Debian release's packages, and their cache.

An engine is a minbase rootfs made by mmdebstrap with the release's ``docker.io`` and friends.
Rootfs trees live in the machine cache (``lab.paths.CACHE``) so a fresh clone on a used machine
starts warm. A tree's folder is named by what decides its contents (release, packages, apt
options, the layout below); the package versions it got are kept beside it in ``manifest.json``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from contracts.stores import STORES, image_store
from lab.errors import LabError
from lab.paths import CACHE

# The mirror's sid Release file outlives its Valid-Until; the packages are what they are.
APT_OPTIONS = ('Acquire::Check-Valid-Until "false"',)
# procps: `docker top` runs the daemon's own `ps`.
COMMON = ("docker.io", "containerd", "runc", "iptables", "ca-certificates", "procps")
PLUGINS = ("docker-buildx", "docker-compose")  # CLI plugins, in releases that package them
# Folders the launcher mounts on (lab/namespace.py): made once here, in the cached tree.
MOUNT_POINTS = ("var/lib/docker", "opt/containerd")
LAYOUT = "1"  # bump when the tree's preparation changes: the cache key changes with it
VERSIONED = ("docker.io", "docker-cli", "containerd", "runc", "docker-buildx", "docker-compose")


class EngineUnavailable(LabError):
    """An engine's rootfs could not be made, or its daemon cannot run the image store it is
    for: the message names the engine and the release."""


# The image stores a lab daemon can run (contracts.stores.STORES, as the store directive
# names them): "classic" is the graph driver (overlay2) every engine has; "containerd" is the
# containerd image store (daemon.json's "containerd-snapshotter" feature), what a fresh
# install of Engine 29 uses by default.
# The first engine whose daemon knows the containerd-snapshotter feature (Engine 24.0); an
# older one ignores the key and runs the classic store: refused before it starts.
CONTAINERD_STORE_SINCE = 24


@dataclass(frozen=True)
class Engine:
    """One engine: a name the lab and the report use, and the Debian release it comes from."""

    name: str
    release: str
    packages: tuple[str, ...]
    version_prefix: str  # what `docker version` must report, e.g. "28.5."
    # The image store its daemons run (STORES). The tree is the same for both stores: only
    # daemon.json differs, so the store is not part of ``key`` and the cache holds one tree.
    store: str = "classic"

    @property
    def major(self) -> int:
        """The engine's major version, from ``version_prefix`` ("28.5." -> 28)."""
        return int(self.version_prefix.split(".")[0])

    @property
    def ident(self) -> str:
        """What a running daemon must have been started from: the tree and the store."""
        return self.folder.name if self.store == "classic" else f"{self.folder.name} {self.store}"

    @property
    def key(self) -> str:
        wanted = {"release": self.release, "packages": self.packages, "apt": APT_OPTIONS}
        text = json.dumps({**wanted, "layout": LAYOUT}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def folder(self) -> Path:
        return CACHE / "engines" / f"{self.release}-{self.key}"

    @property
    def rootfs(self) -> Path:
        return self.folder / "rootfs"

    @property
    def manifest(self) -> Path:
        return self.folder / "manifest.json"

    @property
    def docker(self) -> Path:
        """The release's own CLI: it runs on the host (sid's needs glibc 2.34 at most)."""
        return self.rootfs / "usr" / "bin" / "docker"

    @property
    def plugins(self) -> Path:
        """The release's CLI plugins (buildx, compose), where Debian installs them."""
        return self.rootfs / "usr" / "libexec" / "docker" / "cli-plugins"

    @property
    def cli_bin(self) -> Path:
        """A folder holding only ``docker``: put first on PATH, it hides the host's."""
        return self.folder / "bin"


SID = (*COMMON, "docker-cli", *PLUGINS)
# An engine entry, not a store option beside LAB_ENGINE: the matrix, its reports, the run's
# fingerprint and the badges all key their rows by engine name, so a second axis would have to
# thread through each of them; a name ("sid-containerd") is one row everywhere at once.
ENGINES = {
    "sid": Engine("sid", "sid", SID, "28.5."),
    "sid-containerd": Engine("sid-containerd", "sid", SID, "28.5.", store="containerd"),
    "trixie": Engine("trixie", "trixie", (*COMMON, "docker-cli", *PLUGINS), "26.1."),
    "bookworm": Engine("bookworm", "bookworm", COMMON, "20.10."),
}
# The default is what a reader installing Docker today gets: Engine 29's fresh installs (and
# Docker Desktop since 4.34) use the containerd image store; sid's 28.5 runs that store too.
# "sid" (28.5 on the classic store) is a row of the matrix beside it.
DEFAULT = "sid-containerd"


def selected(env: dict[str, str] | None = None) -> Engine:
    """The engine of this lab: ``LAB_ENGINE`` (one of ENGINES' names), DEFAULT (sid's 28.5 on
    the containerd image store) when unset."""
    name = (os.environ if env is None else env).get("LAB_ENGINE") or DEFAULT
    if name not in ENGINES:
        raise EngineUnavailable(f"lab: LAB_ENGINE={name}: choose one of {', '.join(ENGINES)}")
    engine = ENGINES[name]
    refused = store_refused(engine)
    if refused is not None:
        raise EngineUnavailable(refused)
    return engine


def store_refused(engine: Engine) -> str | None:
    """Why ``engine``'s daemon cannot run its image store, in one line; None when it can."""
    if engine.store not in STORES:
        return (
            f"lab: engine {engine.name}: unknown image store {engine.store!r} ({', '.join(STORES)})"
        )
    if engine.store == "containerd" and engine.major < CONTAINERD_STORE_SINCE:
        return (
            f"lab: engine {engine.name}: Engine {engine.version_prefix}x ({engine.release}) has no "
            f"containerd image store (it came with Engine {CONTAINERD_STORE_SINCE}.0)"
        )
    return None


def store_missing(engine: Engine, driver_status: list[list[str]]) -> str | None:
    """Why a started daemon of ``engine`` does not run its store, from `docker info`'s
    DriverStatus; None when it does. A daemon that ignores the feature starts all the same."""
    if image_store(driver_status) == engine.store:
        return None
    types = [value for key, value in driver_status if key == "driver-type"]
    shown = ", ".join(types) or "no driver-type"
    return (
        f"lab: engine {engine.name}: its daemon does not run the {engine.store} image store "
        f"(docker info: {shown})"
    )


def ensure(engine: Engine) -> dict[str, str]:
    """Make the engine's rootfs unless the cache has it; return its package versions."""
    with _locked(engine):
        if not engine.manifest.exists():
            _build(engine)
        versions: dict[str, str] = json.loads(engine.manifest.read_text())["versions"]
        return versions


@contextmanager
def _locked(engine: Engine) -> Iterator[None]:
    """One builder per tree: a second checkout waits for the first, then finds it made."""
    engine.folder.parent.mkdir(parents=True, exist_ok=True)
    with open(engine.folder.parent / f"{engine.folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _build(engine: Engine) -> None:
    started = time.monotonic()
    shutil.rmtree(engine.folder, ignore_errors=True)  # a half-made tree of an interrupted run
    partial = engine.folder.with_name(engine.folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    argv = [
        "mmdebstrap",
        "--variant=minbase",
        *(f"--aptopt={option}" for option in APT_OPTIONS),
        f"--include={','.join(engine.packages)}",
        engine.release,
        str(partial / "rootfs"),
    ]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise EngineUnavailable(
            f"lab: engine {engine.name}: cannot fetch Debian {engine.release} "
            f"({', '.join(engine.packages)}): {mmdebstrap_cause(done.stderr)}"
        )
    for folder in MOUNT_POINTS:
        (partial / "rootfs" / folder).mkdir(parents=True, exist_ok=True)
    (partial / "bin").mkdir()
    (partial / "bin" / "docker").symlink_to("../rootfs/usr/bin/docker")
    versions = _versions(partial / "rootfs")
    manifest = {"release": engine.release, "packages": engine.packages, "versions": versions}
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    partial.rename(engine.folder)
    print(
        f"lab: engine {engine.name}  mmdebstrap {engine.release} docker.io "
        f"{versions.get('docker.io', '?')}  {time.monotonic() - started:5.1f} s",
        flush=True,
    )


def mmdebstrap_cause(log: str) -> str:
    """The line of mmdebstrap's log that says why: apt's own error, not mmdebstrap's wrap-up."""
    lines = log.splitlines()
    for wanted in ("Err:", "E: Unable to locate", "E: "):
        found = next((n for n, line in enumerate(lines) if line.startswith(wanted)), None)
        if found is not None:
            # apt puts the reason of an Err: line (404 Not Found...) on the next, indented line.
            following = lines[found + 1 : found + 2]
            detail = following[0].strip() if following and following[0][:1].isspace() else ""
            return f"{lines[found]} {detail}".strip()[:300]
    return "mmdebstrap failed"


def _versions(rootfs: Path) -> dict[str, str]:
    """The installed versions of the packages that make the engine and its CLI."""
    done = subprocess.run(
        [
            "dpkg-query",
            f"--admindir={rootfs / 'var/lib/dpkg'}",
            "-W",
            "-f",
            "${Package} ${Version}\\n",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    pairs = (line.split(" ", 1) for line in done.stdout.splitlines())
    return {name: version for name, version in pairs if name in VERSIONED}
