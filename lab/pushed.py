"""What pages pushed to the Docker Hub stand-in, if still there, is removed by ``make lab``.

Pages (and the lab's own tests) may ``docker login`` and ``docker push`` to the hub registry,
whose storage the mirror shares: a pushed repository would outlive the run and be served to
every later one. A run of the pages deletes what it pushed when it ends (the harness's
``pushes`` module, above the lab: the lab imports only ``contracts``); this is the backstop for
anything else. The registry's storage should hold only what the lab seeded; any
other repository folder is deleted (its blobs stay until the storage is rebuilt: no registry caches
the repository list, so it is gone for every reader at once).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lab import build
from lab.paths import LAYOUT

REPOSITORIES = LAYOUT.repositories


def seeded() -> set[str]:
    """The repositories the lab's recipes push (`library/debian`, `google-samples/hello-app`)."""
    return {build.repository(tag)[0] for recipe in build.recipes() for tag in recipe.tags}


def repositories(root: Path = REPOSITORIES) -> list[str]:
    """Every repository in the storage: a folder holding ``_manifests``."""
    return sorted(p.parent.relative_to(root).as_posix() for p in root.rglob("_manifests"))


def forget(root: Path = REPOSITORIES) -> list[str]:
    """Delete every repository the lab did not seed; their names."""
    keep = seeded()
    gone = [name for name in repositories(root) if name not in keep]
    for name in gone:
        shutil.rmtree(root / name)
    return gone
