"""The registries that answer for Docker Hub and gcr.io, all on one shared storage folder.

- mirror: anonymous http on loopback, read-only: the daemons' ``registry-mirrors``;
- seed: the same storage, writable, on the next port: up only while ``make lab`` pushes the
  images it built (pages, which run on the host's loopback too, cannot write the mirror);
- hub: ``registry-1.docker.io``, TLS and bearer tokens from ``auth.docker.io`` as on Docker Hub:
  anonymous pulls, ``docker login``/``docker push`` with the htpasswd account;
- gcr: ``gcr.io``, TLS, anonymous and read-only;
- index: ``index.docker.io``/``auth.docker.io``, our own search and token endpoints (lab.index);
- pypi: ``pypi.org`` for pip inside containers, on a lab bridge address (lab.pypi).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import bcrypt

from lab import ca, procs, pypi, registry_token
from lab.errors import LabError
from lab.paths import (
    GCR,
    HUB,
    INDEX,
    LAB_DIR,
    LOGIN_USER,
    MIRROR,
    PYPI,
    REGISTRY_STORAGE,
    SECRETS,
)

INDEX_NAME = "auth.docker.io"
LOGIN_FILE = SECRETS / "login.json"
HTPASSWD = SECRETS / "htpasswd"
# bcrypt cost 5: the registry checks the password on every request of a push; cost 12 costs seconds.
BCRYPT_ROUNDS = 5
SERVERS = ("mirror", "hub", "gcr", "index", "pypi")
HTTP_SERVERS = {"mirror", "pypi", "seed"}
PYTHON_SERVERS = {"index": "lab.index", "pypi": "lab.pypi"}


def login() -> dict[str, str]:
    """The lab-only account for ``docker login``: generated once, kept in the cache."""
    if not LOGIN_FILE.exists():
        SECRETS.mkdir(parents=True, exist_ok=True, mode=0o700)
        account = {"username": LOGIN_USER, "password": secrets.token_urlsafe(12)}
        LOGIN_FILE.touch(mode=0o600)
        LOGIN_FILE.write_text(json.dumps(account))
        hashed = bcrypt.hashpw(account["password"].encode(), bcrypt.gensalt(BCRYPT_ROUNDS))
        HTPASSWD.write_text(f"{LOGIN_USER}:{hashed.decode()}\n")
    return dict(json.loads(LOGIN_FILE.read_text()))


def _config(name: str, addr: tuple[str, int], tls: bool, auth: bool, readonly: bool) -> Path:
    lines = [
        "version: 0.1",
        "log: {level: warn, accesslog: {disabled: true}}",
        "storage:",
        f"  filesystem: {{rootdirectory: {REGISTRY_STORAGE}}}",
        "  delete: {enabled: true}",
        "  maintenance:",
        "    uploadpurging: {enabled: false}",
        f"    readonly: {{enabled: {str(readonly).lower()}}}",
        "http:",
        f"  addr: {addr[0]}:{addr[1]}",
        "  headers: {X-Content-Type-Options: [nosniff]}",
    ]
    if tls:
        lines.append(f"  tls: {{certificate: {ca.SERVER_CERT}, key: {ca.SERVER_KEY}}}")
    if auth:
        lines += [
            "auth:",
            "  token:",
            f"    realm: https://{INDEX_NAME}/token",
            f"    service: {registry_token.SERVICE}",
            f"    issuer: {registry_token.ISSUER}",
            f"    rootcertbundle: {ca.TOKEN_CERT}",
        ]
    path = LAB_DIR / "config" / f"registry-{name}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


SEED = (MIRROR[0], MIRROR[1] + 1)


def addresses() -> dict[str, tuple[str, int]]:
    return {"mirror": MIRROR, "hub": HUB, "gcr": GCR, "index": INDEX, "pypi": PYPI, "seed": SEED}


@contextlib.contextmanager
def seeding() -> Iterator[tuple[str, int]]:
    """The writable registry for the images the lab built, for as long as they are pushed."""
    procs.stop("seed")
    procs.start("seed", _argv("seed"), "docker-registry")
    try:
        _wait_ready("seed")
        yield SEED
    finally:
        procs.stop("seed")


def start_missing() -> list[str]:
    """Start every server that is not running; return the names started."""
    login()
    REGISTRY_STORAGE.mkdir(parents=True, exist_ok=True)
    pypi.ensure_index()
    started = []
    for name in SERVERS:
        config = LAB_DIR / "config" / f"registry-{name}.yml"
        before = config.read_text() if config.exists() else None
        argv = _argv(name)  # writes the config a registry is to run with
        if before is not None and config.read_text() != before:
            procs.stop(name)  # running with an older lab's config (e.g. a writable mirror)
        if procs.running_pid(name) is None:
            procs.start(name, argv, _program(name))
            started.append(name)
    for name in started:
        _wait_ready(name)
    return started


def _program(name: str) -> str:
    return PYTHON_SERVERS.get(name, "docker-registry")


def _argv(name: str) -> list[str]:
    if name in PYTHON_SERVERS:
        return [sys.executable, "-m", PYTHON_SERVERS[name]]
    tls, auth, readonly = {
        "mirror": (False, False, True),
        "seed": (False, False, False),
        "hub": (True, True, False),
        "gcr": (True, False, True),
    }[name]
    return ["docker-registry", "serve", str(_config(name, addresses()[name], tls, auth, readonly))]


def _wait_ready(name: str, timeout: float = 15.0) -> None:
    host, port = addresses()[name]
    scheme = "http" if name in HTTP_SERVERS else "https"
    path = {"index": "/v1/_ping", "pypi": "/simple/"}.get(name, "/v2/")
    context = None
    if scheme == "https":
        import ssl

        context = ssl.create_default_context(cafile=str(ca.CA_CERT))
        context.check_hostname = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{scheme}://{host}:{port}{path}", timeout=2, context=context)
            return
        except urllib.error.HTTPError:
            return  # a 401 from the hub is an answer: it is up
        except OSError:
            if procs.running_pid(name) is None:
                break
            time.sleep(0.1)
    raise LabError(
        f"lab: registry '{name}' did not start on {host}:{port}:\n{procs.log_tail(name)}"
    )


def stop_all() -> None:
    for name in (*SERVERS, "seed"):
        procs.stop(name)
