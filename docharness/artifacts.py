"""Files a failure points at: the whole output of a command whose diff was cut short.

They go to ``artifacts/outputs/`` in the repository (CI uploads ``artifacts/``), or under
DOCHARNESS_ARTIFACTS (the harness's own tests).
"""

from __future__ import annotations

import os
from pathlib import Path

from contracts.layout import ROOT, Layout


def directory() -> Path:
    """Where artifacts go."""
    return Layout.from_env(os.environ).artifacts


def save_output(page: Path, line: int, lines: list[str]) -> Path:
    """Write a command's output (page line ``line``) to a file named after both; its path."""
    try:
        name = page.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        name = page.name
    path = directory() / "outputs" / f"{name.replace('/', '__')}-{line}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", errors="surrogateescape") as out:
        for text in lines:
            out.write(text + "\n")
    return path
