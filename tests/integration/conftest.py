"""Fixtures for running the sample pages in pages/ through the harness, in a subprocess.

The pages are not collected directly (the root conftest ignores pages/): each test runs one
page with `python -m pytest <page>` against this worker's daemon and reads the output and
the JSON report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import pytest

from tests.conftest import run_pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
IMAGE = "harness-test:latest"
# Any small Debian with bash: the scratch daemon has lab/base, the lab has debian.
BASES = ("lab/base:bookworm", "debian:bookworm", "debian:latest")


@dataclass
class PageRun:
    status: int
    output: str
    report: dict[str, Any]
    seconds: float
    artifacts: Path


@pytest.fixture(scope="module")
def harness_image(docker_host: str) -> Iterator[str]:
    """`harness-test:latest`, a tag on a Debian image the daemon has (removed afterwards).

    Module-scoped, and a pulled base is removed too: the docs pages that run next on this
    worker's daemon must find it as empty as the lab started it.
    """
    client = docker.DockerClient(base_url=docker_host)
    tags = {tag for image in client.images.list() for tag in image.tags}
    created = IMAGE not in tags
    pulled = None
    if created:
        base = next((b for b in BASES if b in tags), None)
        if base is None:
            base = pulled = BASES[-1]
            client.images.pull(base)
        client.images.get(base).tag(IMAGE)
    yield IMAGE
    if created:
        client.images.remove(IMAGE, noprune=True)
    if pulled:
        client.images.remove(pulled)
    client.close()


@pytest.fixture
def run_page(docker_host: str, harness_image: str, tmp_path: Path) -> Any:
    """Run one sample page through the harness; its exit status, output and report."""

    def run(name: str, *extra: str) -> PageRun:
        import time

        report, artifacts = tmp_path / "report.json", tmp_path / "artifacts"
        env = {
            **os.environ,
            "DOCS_DOCKER_HOST": docker_host,
            "DOCHARNESS_REPORT": str(report),
            "DOCHARNESS_ARTIFACTS": str(artifacts),
        }
        started = time.monotonic()
        done = run_pytest(PAGES / name, env, *extra)
        seconds = time.monotonic() - started
        data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        return PageRun(done.returncode, done.stdout + done.stderr, data, seconds, artifacts)

    return run
