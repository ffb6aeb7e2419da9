"""The lab's state file, ``lab.json``: written by ``make lab`` (``lab``), read by the harness.

Both read and write it through ``ADAPTER`` (pydantic), so a new field is one edit.

It lives in ``LAB_DIR`` (default ``<checkout>/.cache/lab``) and names the page daemons'
sockets and log files, the lab registry's account, the engine the daemons run and that
engine's own CLI. It holds no password: the account names the file that does (in the lab's
``secrets`` folder, which pages never see), and the harness reads it from there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ConfigDict, TypeAdapter, ValidationError

from contracts.layout import LAB_FILE, lab_dir


class LabStateError(Exception):
    """``lab.json`` exists but cannot be read as a lab's state."""


@dataclass(frozen=True)
class Login:
    """The lab registry's account (`docker login` on the Docker Hub stand-in): its name, and
    the JSON file (``{"username": …, "password": …}``) that holds its password."""

    # An older `make lab` wrote the password itself: refused by name (``read``).
    __pydantic_config__ = ConfigDict(extra="forbid")

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


ADAPTER = TypeAdapter(LabState)


def state_file(root: Path, env: Mapping[str, str]) -> Path:
    """``lab.json`` in ``LAB_DIR`` (contracts.layout)."""
    return lab_dir(root, env) / LAB_FILE


def read(path: Path) -> LabState | None:
    """The state at ``path``; None when there is no file (no lab was started)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise LabStateError(f"cannot read {path}: {error}") from error
    try:
        return ADAPTER.validate_json(text)
    except ValidationError as error:
        problems = error.errors()
        if any(p["type"] == "json_invalid" for p in problems):
            raise LabStateError(f"cannot read {path}: {problems[0]['msg']}") from error
        if any(p["loc"] == ("login", "password") for p in problems):
            raise LabStateError(
                f"{path} holds the lab login's password (an older `make lab` wrote it): "
                "run `make lab` to write it again without it"
            ) from error
        raise LabStateError(f"{path} is not a lab's state ({error})") from error


def write(path: Path, state: LabState) -> None:
    """Write the state, readable by its owner only (pages do not see it either)."""
    path.touch(mode=0o600)
    path.write_bytes(ADAPTER.dump_json(state, indent=2))
