"""The lab's state file, ``lab.json``: written by ``make lab`` (``lab``), read by the harness.

It lives in ``LAB_DIR`` (default ``<checkout>/.cache/lab``) and names the page daemons'
sockets and log files, the lab registry's login, the engine the daemons run and that
engine's own CLI.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LAB_FILE = "lab.json"


class LabStateError(Exception):
    """``lab.json`` exists but cannot be read as a lab's state."""


@dataclass(frozen=True)
class Login:
    """The lab registry's account (`docker login` on the Docker Hub stand-in)."""

    username: str
    password: str


@dataclass(frozen=True)
class Client:
    """The lab engine's own CLI: a folder holding only ``docker`` (first on PATH) and the
    release's CLI plugins (``docker buildx``, ``docker compose``)."""

    bin: Path
    plugins: Path


@dataclass(frozen=True)
class Engine:
    """The Debian release the page daemons run, and its packages' versions."""

    name: str
    release: str
    packages: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LabState:
    """What ``make lab`` leaves for the runs: one daemon per pytest-xdist worker."""

    daemons: tuple[str, ...]  # docker hosts, ``unix://…/docker.sock``
    login: Login | None = None
    engine: Engine | None = None
    cli: Client | None = None
    logs: dict[str, Path] = field(default_factory=dict)  # docker host -> the daemon's log file


def lab_dir(root: Path, env: Mapping[str, str]) -> Path:
    """``LAB_DIR`` as ``lab.paths`` has it, else the checkout's ``.cache/lab``."""
    return Path(env.get("LAB_DIR") or root / ".cache" / "lab")


def state_file(root: Path, env: Mapping[str, str]) -> Path:
    return lab_dir(root, env) / LAB_FILE


def read(path: Path) -> LabState | None:
    """The state at ``path``; None when there is no file (no lab was started)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise LabStateError(f"cannot read {path}: {error}") from error
    try:
        login, engine, cli = data.get("login"), data.get("engine"), data.get("cli")
        return LabState(
            daemons=tuple(str(host) for host in data.get("daemons") or ()),
            login=Login(login["username"], login["password"]) if login else None,
            engine=Engine(engine["name"], engine["release"], dict(engine["packages"]))
            if engine
            else None,
            cli=Client(Path(cli["bin"]), Path(cli["plugins"])) if cli else None,
            logs={str(host): Path(log) for host, log in (data.get("logs") or {}).items()},
        )
    except (AttributeError, KeyError, TypeError) as error:
        raise LabStateError(f"{path} is not a lab's state ({error!r})") from error


def write(path: Path, state: LabState) -> None:
    """Write the state, readable by its owner only (it holds the registry's password)."""
    data = asdict(state)
    data["daemons"] = list(state.daemons)
    if state.cli is not None:
        data["cli"] = {"bin": str(state.cli.bin), "plugins": str(state.cli.plugins)}
    data["logs"] = {host: str(log) for host, log in state.logs.items()}
    path.touch(mode=0o600)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
