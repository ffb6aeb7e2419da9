"""`make lab` finds a stand-in changed in its registry's storage and restores it (B6).

Runs alone with the other lifecycle tests: it changes this checkout's registry storage, which
every page of this lab pulls from. Only this checkout's copy is written, never the machine
cache: the test refuses to write into a blob that is a hard link.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from lab import engines, imagecache
from lab.paths import REGISTRY_STORAGE, page_daemons

pytestmark = pytest.mark.lab

LIBRARY = REGISTRY_STORAGE / "docker" / "registry" / "v2" / "repositories" / "library"
DOCKER = str(engines.selected().docker)


def tag_link(repository: str) -> str:
    return str(LIBRARY / repository / "_manifests" / "tags" / "latest" / "current" / "link")


def blob(digest: str) -> str:
    hexa = digest.removeprefix("sha256:")
    v2 = REGISTRY_STORAGE / "docker" / "registry" / "v2"
    return str(v2 / "blobs" / "sha256" / hexa[:2] / hexa / "data")


def test_up_restores_a_stand_in_replaced_or_changed_in_the_registry() -> None:
    debian, busybox = tag_link("debian"), tag_link("busybox")
    with open(debian) as link:
        kept = link.read().strip()
    with open(busybox) as link:
        other = link.read().strip()
    manifest = blob(kept)
    with open(manifest, "rb") as found:
        content = found.read()
    config = json.loads(content)["config"]["digest"]
    assert os.stat(blob(config)).st_nlink == 1, "a hard link: writing would reach the cache"
    # The red team's page: debian:latest made to name busybox's manifest, and a blob changed
    # in place (here the image config, appended to).
    with open(debian, "w") as link:
        link.write(other)
    with open(blob(config), "ab") as changed:
        changed.write(b" ")
    up = subprocess.run(
        [sys.executable, "-m", "lab", "up"], capture_output=True, text=True, timeout=600
    )
    assert up.returncode == 0, up.stdout + up.stderr
    # Three findings: the tag, and the config of both tags (latest and trixie).
    assert (
        f"lab: image debian13: library/debian:latest names {other}, not {kept} (and 2 more): "
        "restoring it"
    ) in up.stdout
    with open(debian) as link:
        assert link.read().strip() == kept
    with open(blob(config), "rb") as restored:
        assert "sha256:" + hashlib.sha256(restored.read()).hexdigest() == config
    pooled = imagecache.POOL / config.removeprefix("sha256:")
    assert "sha256:" + hashlib.sha256(pooled.read_bytes()).hexdigest() == config
    daemon = page_daemons()[0]
    host = ["-H", f"unix://{daemon.socket}"]
    run = subprocess.run(
        [DOCKER, *host, "run", "--rm", "debian:latest", "cat", "/etc/debian_version"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    subprocess.run([DOCKER, *host, "rmi", "debian:latest"], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("13."), run.stdout
