"""What a run of the pages depends on, as one hash: the run's *sources*.

A page's result may be reused (``make test-engines`` takes the default engine's row from the
run ``make test`` just made) only when nothing it depends on changed: the pages, the harness,
the lab (recipes of the stand-in images, daemon settings), the project's settings, and the
engine the daemons ran, down to its packages' versions. The files are the ones git knows
(tracked, or new and not ignored), so generated and cached files never count.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Mapping
from pathlib import Path

# Everything under these paths can change what a page prints or how it is judged.
PATHS = ("docs", "contracts", "docharness", "lab", "ledger", "conftest.py", "pyproject.toml")


class SourcesUnknown(Exception):
    """The checkout's files could not be listed (no git, not a checkout)."""


def fingerprint(root: Path, engine: str, release: str, packages: Mapping[str, str]) -> str:
    """A hex digest of the files under ``PATHS`` (names and contents) and of the lab engine
    the pages ran on: its name, Debian release and package versions."""
    digest = hashlib.sha256()
    versions = " ".join(f"{name}={version}" for name, version in sorted(packages.items()))
    digest.update(f"engine {engine} {release} {versions}\n".encode())
    for name in _files(root):
        digest.update(f"file {name}\n".encode())
        try:
            digest.update(hashlib.sha256((root / name).read_bytes()).digest())
        except FileNotFoundError:
            digest.update(b"deleted")  # tracked but removed in the work tree: a change too
    return digest.hexdigest()


def _files(root: Path) -> list[str]:
    command = ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others"]
    try:
        done = subprocess.run(
            [*command, "--exclude-standard", "--", *PATHS],
            capture_output=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise SourcesUnknown(f"cannot list the checkout's files in {root}: {error}") from error
    return sorted(set(done.stdout.decode().split("\0")) - {""})
