"""Which Docker daemon a run talks to, and the one check that it answers.

Three ways to choose it, first match wins:

* ``DOCS_DOCKER_HOST=unix:///...``: an explicit daemon (the harness's own tests use the
  scratch daemon this way). Offline, like the lab; login from ``lab.json`` if present.
* ``DOCS_DOCKER=own``: the user's own Docker (``DOCKER_HOST`` or the default socket) with the
  real registries; ``docker login`` answers come from ``DOCS_DOCKER_USERNAME``/``_PASSWORD``;
  ``DOCS_DOCKER_CLI`` may name the CLI to use and ``DOCS_DOCKER_ONLINE`` say whether Docker
  Hub is reachable instead of asking it.
* otherwise the lab: ``lab.json`` in ``LAB_DIR`` (default ``.cache/lab``), written by
  ``make lab``; xdist worker ``gwN``
  uses ``daemons[N % len(daemons)]``, a serial run ``daemons[0]``.

A lab names its engine's CLI in ``lab.json`` (``cli``): pages use that ``docker`` and its
plugins, never another ``docker`` on PATH.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from contracts import lab_state
from contracts.lab_state import Client

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
START_HINT = "start the lab with `make lab` (or set DOCS_DOCKER=own to use your own Docker)"


@dataclass(frozen=True)
class Daemon:
    """The daemon of this run (or of this xdist worker) and how to log in to its registry."""

    host: str
    mode: Literal["lab", "own"]
    username: str | None = None
    password: str | None = None
    online: bool = False  # may blocks marked `requires network` run?
    client: Client | None = None  # None: the `docker` on PATH (your own Docker)
    log: Path | None = None  # the daemon's log file; None: not ours to read (your own Docker)


class DaemonError(Exception):
    """No usable daemon: the message says which one and how to get one."""


def worker_index(env: Mapping[str, str]) -> int:
    """The N of xdist worker ``gwN``; 0 for a serial run."""
    match = re.fullmatch(r"gw(\d+)", env.get("PYTEST_XDIST_WORKER", ""))
    return int(match.group(1)) if match else 0


def select(root: Path, env: Mapping[str, str] | None = None) -> Daemon:
    """The daemon this process must use (see the module docstring)."""
    env = os.environ if env is None else env
    explicit = env.get("DOCS_DOCKER_HOST")
    state = lab_state.state_file(root, env)
    if explicit:
        return _lab_daemon(explicit, _read_lab(state) or lab_state.LabState(daemons=()))
    if env.get("DOCS_DOCKER") == "own":
        return Daemon(
            env.get("DOCKER_HOST") or DEFAULT_SOCKET,
            "own",
            env.get("DOCS_DOCKER_USERNAME"),
            env.get("DOCS_DOCKER_PASSWORD"),
            online=_online(env),
            client=own_client(env),
        )
    found = _read_lab(state)
    if found is None:
        raise DaemonError(f"no lab: {state} does not exist; {START_HINT}")
    if not found.daemons:
        raise DaemonError(f"{state} lists no daemons; {START_HINT}")
    return _lab_daemon(found.daemons[worker_index(env) % len(found.daemons)], found)


def _online(env: Mapping[str, str]) -> bool:
    """Whether `requires network` blocks may run on your own Docker: ``DOCS_DOCKER_ONLINE``
    (``0`` or ``1``) when set, else whether Docker Hub answers."""
    said = env.get("DOCS_DOCKER_ONLINE")
    if said is None:
        return internet_reachable()
    if said not in ("0", "1"):
        raise DaemonError(f"DOCS_DOCKER_ONLINE={said!r}: expected 0 or 1")
    return said == "1"


def own_client(env: Mapping[str, str]) -> Client | None:
    """The CLI pages use on your own Docker: ``DOCS_DOCKER_CLI=BIN[:PLUGINS]`` names a folder
    whose ``docker`` comes first on PATH and the folder of its plugins (default
    ``BIN/cli-plugins``); unset, the ``docker`` on PATH and its own plugins."""
    said = env.get("DOCS_DOCKER_CLI")
    if not said:
        return None
    folder, _, plugins = said.partition(":")
    client = Client(Path(folder), Path(plugins) if plugins else Path(folder) / "cli-plugins")
    if not (client.bin / "docker").is_file():
        raise DaemonError(f"DOCS_DOCKER_CLI={said!r}: {client.bin}/docker does not exist")
    return client


def _lab_daemon(host: str, lab: lab_state.LabState) -> Daemon:
    """A daemon of the lab (offline), with its login and its engine's CLI."""
    login = lab.login
    try:
        username, password = (login.username, login.password) if login else (None, None)
    except lab_state.LabStateError as error:
        raise DaemonError(f"{error}; {START_HINT}") from error
    return Daemon(
        host, "lab", username, password, online=False, client=lab.cli, log=lab.logs.get(host)
    )


def _read_lab(path: Path) -> lab_state.LabState | None:
    try:
        return lab_state.read(path)
    except lab_state.LabStateError as error:
        raise DaemonError(f"{error}; {START_HINT}") from error


def ping(daemon: Daemon, timeout: float = 5.0) -> None:
    """Raise DaemonError with one clear sentence unless the daemon answers."""
    import docker  # imported here: a slow import that only a real run needs

    try:
        client = docker.DockerClient(base_url=daemon.host, timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:  # any failure means the same thing to the reader
        raise DaemonError(
            f"no Docker daemon answers at {daemon.host} ({type(error).__name__}); {START_HINT}"
        ) from error


def server_version(daemon: Daemon, timeout: float = 5.0) -> str:
    """The engine's version string, e.g. ``20.10.24+dfsg1``."""
    import docker

    client = docker.DockerClient(base_url=daemon.host, timeout=timeout)
    try:
        return str(client.version().get("Version", "unknown"))
    finally:
        client.close()


def driver_status(daemon: Daemon, timeout: float = 5.0) -> list[list[str]]:
    """`docker info`'s DriverStatus: pairs such as ``["driver-type", "io.containerd..."]``."""
    import docker

    client = docker.DockerClient(base_url=daemon.host, timeout=timeout)
    try:
        return [list(pair) for pair in client.info().get("DriverStatus") or []]
    finally:
        client.close()


def internet_reachable(host: str = "registry-1.docker.io", timeout: float = 2.0) -> bool:
    """True when Docker Hub answers on 443: the honest meaning of `requires network`."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False
