"""The lab's state file, ``lab.json``: written by ``make lab`` (``lab``), read by the harness.

It lives in ``LAB_DIR`` (default ``<checkout>/.cache/lab``) and names the page daemons'
sockets and log files, the lab registry's account, the engine the daemons run and that
engine's own CLI. It holds no password: the account names the file that does (in the lab's
``secrets`` folder, which pages never see), and the harness reads it from there.
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
    """The lab registry's account (`docker login` on the Docker Hub stand-in): its name, and
    the JSON file (``{"username": …, "password": …}``) that holds its password."""

    username: str
    password_file: Path

    @property
    def password(self) -> str:
        """The password, read from ``password_file`` (the harness can, a page cannot)."""
        try:
            data = json.loads(self.password_file.read_text(encoding="utf-8"))
            return str(data["password"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise LabStateError(
                f"cannot read the lab login's password from {self.password_file}: {error!r}"
            ) from error


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
        if login and "password" in login:
            raise LabStateError(
                f"{path} holds the lab login's password (an older `make lab` wrote it): "
                "run `make lab` to write it again without it"
            )
        return LabState(
            daemons=tuple(str(host) for host in data.get("daemons") or ()),
            login=Login(login["username"], Path(login["password_file"])) if login else None,
            engine=Engine(engine["name"], engine["release"], dict(engine["packages"]))
            if engine
            else None,
            cli=Client(Path(cli["bin"]), Path(cli["plugins"])) if cli else None,
            logs={str(host): Path(log) for host, log in (data.get("logs") or {}).items()},
        )
    except (AttributeError, KeyError, TypeError) as error:
        raise LabStateError(f"{path} is not a lab's state ({error!r})") from error


def write(path: Path, state: LabState) -> None:
    """Write the state, readable by its owner only (pages do not see it either)."""
    data = asdict(state)
    data["daemons"] = list(state.daemons)
    if state.login is not None:
        data["login"] = {
            "username": state.login.username,
            "password_file": str(state.login.password_file),
        }
    if state.cli is not None:
        data["cli"] = {"bin": str(state.cli.bin), "plugins": str(state.cli.plugins)}
    data["logs"] = {host: str(log) for host, log in state.logs.items()}
    path.touch(mode=0o600)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
