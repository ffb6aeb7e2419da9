"""What pages push to the Docker Hub stand-in goes when their run ends, against the real lab:
the repository is gone from the registry (catalog and manifest), a run still going keeps what
it pushed, and the images the lab seeded still pull."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from contracts import lab_state
from contracts.layout import RUNS_DIR
from contracts.runs import Record, Snapshot, write_record
from docharness import pushes, runs
from lab.paths import MIRROR
from tests.integration.test_runs import PAGES, ROOT, _env

pytestmark = pytest.mark.skipif(
    os.environ.get("DOCS_DOCKER", "lab") != "lab", reason="the lab's registry is the lab's"
)
# The mirror serves the hub's storage anonymously: what it lists, the hub holds.
REGISTRY = f"http://{MIRROR[0]}:{MIRROR[1]}/v2"
ACCEPT = "application/vnd.docker.distribution.manifest.v2+json"


def catalog() -> list[str]:
    with urllib.request.urlopen(f"{REGISTRY}/_catalog?n=1000", timeout=20) as answer:
        return list(json.load(answer)["repositories"])


def manifest_status(repository: str, tag: str) -> int:
    request = urllib.request.Request(
        f"{REGISTRY}/{repository}/manifests/{tag}", headers={"Accept": ACCEPT}, method="HEAD"
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def client(docker_host: str) -> Iterator[docker.DockerClient]:
    opened = docker.DockerClient(base_url=docker_host)
    yield opened
    opened.close()


def test_what_a_page_pushed_is_gone_after_its_run_and_the_seeded_images_stay(
    docker_host: str, client: docker.DockerClient, harness_image: str, tmp_path: Path
) -> None:
    name = f"yhkim951107/faults-push-{secrets.token_hex(4)}"
    page = PAGES / "_pushes.md"
    page.write_text(
        f"# Push\n\n```shell\n$ docker tag {harness_image} {name}:1\n$ docker login\n...\n"
        f"Login Succeeded\n$ docker push {name}:1\nThe push refers to repository "
        f"[docker.io/{name}]\n...\n```\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(page), "-p", "no:xdist", "-q"],
            cwd=ROOT,
            env=_env(docker_host, tmp_path),
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        page.unlink()
    assert done.returncode == 0, done.stdout + done.stderr
    assert name not in catalog()
    assert manifest_status(name, "1") == 404
    seeded = catalog()
    assert {"library/debian", "library/busybox"} <= set(seeded), seeded
    had = any("busybox:latest" in image.tags for image in client.images.list())
    client.images.pull("busybox", tag="latest")
    if not had:
        client.images.remove("busybox:latest")


def test_the_sweep_removes_what_a_dead_run_pushed_but_not_what_a_live_run_pushed(
    docker_host: str,
    client: docker.DockerClient,
    harness_image: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login = _login()
    dead, live = (f"yhkim951107/faults-{kind}-{secrets.token_hex(4)}" for kind in ("dead", "live"))
    for name in (dead, live):
        client.images.get(harness_image).tag(name, "1")
        client.images.push(name, "1", auth_config=login)
        client.images.remove(f"{name}:1")
    assert {dead, live} <= set(catalog())
    monkeypatch.setenv(RUNS_DIR, str(tmp_path))
    empty = Snapshot(frozenset(), {}, frozenset(), frozenset())
    gone = Record(12345678, "0", docker_host, empty, None, [dead, live])  # above pid_max
    alive = Record(os.getpid(), runs._start_time(os.getpid()) or "", "unix:///x", empty)
    alive.pushed = [live]
    write_record(tmp_path / "dead.json", gone)
    write_record(tmp_path / "alive.json", alive)
    try:
        # Nothing is new on the daemon since `empty` but what other runs own: only check pushes.
        monkeypatch.setattr(runs.cleanup, "restore", lambda api, before, removed: [])
        said = runs.sweep(ROOT, docker_host)
        assert f"removed repository {dead} pushed by run 12345678" in said
        assert dead not in catalog() and manifest_status(dead, "1") == 404
        assert live in catalog()  # the live run deletes it when it ends
    finally:
        assert pushes.remove(ROOT, [live], keep=set()) == [live]
    assert live not in catalog()


def test_a_push_the_stream_has_not_delivered_is_read_back_when_the_watch_stops(
    docker_host: str, client: docker.DockerClient, harness_image: str
) -> None:
    login = _login()
    noted: list[str] = []
    watch = pushes.Watch(docker_host, login["username"], noted.append)
    watch._stream.close()  # the stream falls behind: here, it ends before the push
    name = f"yhkim951107/faults-late-{secrets.token_hex(4)}"
    client.images.get(harness_image).tag(name, "1")
    try:
        client.images.push(name, "1", auth_config=login)
        client.images.remove(f"{name}:1")
        watch.stop()
        assert name in noted  # (the watch reads from a second before it starts)
    finally:
        pushes.remove(ROOT, [name], keep=set())


def _login() -> dict[str, str]:
    """The lab registry's account, as docker-py's auth_config takes it."""
    state = lab_state.read(lab_state.state_file(ROOT, os.environ))
    assert state is not None and state.login is not None, "no lab: run `make lab`"
    return {"username": state.login.username, "password": state.login.password}
