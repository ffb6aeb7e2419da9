"""Page isolation: what a page created on the daemon goes, what was there stays."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from docharness import cleanup
from tests.conftest import command_for_pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def host(docker_host: str) -> str:
    return docker_host


@pytest.fixture
def client(host: str) -> Iterator[docker.DockerClient]:
    opened = docker.DockerClient(base_url=host)
    yield opened
    opened.close()


def _any_image(client: docker.DockerClient, name: str) -> docker.models.images.Image:
    return client.images.get(name)


def test_restore_removes_what_is_new(
    host: str, client: docker.DockerClient, debian_image: str
) -> None:
    image = _any_image(client, debian_image)
    old_tag = image.tags[0]
    api = cleanup.client_for(host)
    before = cleanup.snapshot(api)

    container = client.containers.create(image.id, "true", name="cleanup-test1")
    client.volumes.create("cleanup-test-volume")
    client.networks.create("cleanup-test-network")
    image.tag("cleanup-test", "1.0")  # a new tag on an old image: untag only
    new_image = container.commit("cleanup-test-new", "latest")

    assert cleanup.restore(api, before) == []
    api.close()
    assert "cleanup-test1" not in [c.name for c in client.containers.list(all=True)]
    assert "cleanup-test-volume" not in [v.name for v in client.volumes.list()]
    assert "cleanup-test-network" not in [n.name for n in client.networks.list()]
    tags = {t for i in client.images.list() for t in i.tags}
    assert "cleanup-test:1.0" not in tags and old_tag in tags
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(new_image.id)


def test_ctrl_c_still_cleans_the_page(
    host: str, client: docker.DockerClient, tmp_path: Path, debian_image: str
) -> None:
    image = _any_image(client, debian_image).tags[0]
    page = tmp_path / "interrupted.md"
    page.write_text(
        "# Interrupted\n\n```shell\n"
        f"$ docker create --name cleanup-ctrl-c {image} true\n...\n$ sleep 60\n```\n"
    )
    inside = ROOT / "tests" / "integration" / "pages" / "_interrupted.md"
    inside.write_text(page.read_text())  # pages must live inside the repo
    env = {**os.environ, "DOCS_DOCKER_HOST": host, "DOCHARNESS_REPORT": str(tmp_path / "r.json")}
    env.pop("PYTEST_XDIST_WORKER", None)
    try:
        # As a terminal's Ctrl-C finds it: SIGINT at its default, even where this test run
        # inherited it ignored (then the run under test ignored it and slept its 60 s out).
        run = subprocess.Popen(
            command_for_pytest(str(inside), "-p", "no:xdist", "-q", sigint="default"),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not client.containers.list(all=True, filters={"name": "cleanup-ctrl-c"}):
            assert run.poll() is None, run.communicate()[0]
            assert time.monotonic() < deadline, "the page never created its container"
            time.sleep(0.2)
        run.send_signal(signal.SIGINT)
        output = run.communicate(timeout=60)[0]
        assert not client.containers.list(all=True, filters={"name": "cleanup-ctrl-c"})
        assert run.returncode == pytest.ExitCode.INTERRUPTED, output
        assert "KeyboardInterrupt" in output, output
    finally:
        inside.unlink()
        for left in client.containers.list(all=True, filters={"name": "cleanup-ctrl-c"}):
            left.remove(force=True)  # a failed run leaves nothing for the next


def test_children_go_before_their_parents_even_within_one_second() -> None:
    images = [
        {"Id": "base", "ParentId": "", "Created": 100},
        {"Id": "step1", "ParentId": "base", "Created": 100},
        {"Id": "step2", "ParentId": "step1", "Created": 100},
        {"Id": "other", "ParentId": "", "Created": 100},
        {"Id": "kept", "ParentId": "", "Created": 100},
        {"Id": "kept-child", "ParentId": "kept", "Created": 100},
    ]
    order = cleanup.removal_order(images, {"base", "step1", "step2", "other", "kept-child"})
    assert order.index("step2") < order.index("step1") < order.index("base")
    assert sorted(order) == ["base", "kept-child", "other", "step1", "step2"]


def test_a_built_image_and_its_pulled_base_both_go(
    host: str, client: docker.DockerClient, debian_image: str, tmp_path: Path
) -> None:
    api = cleanup.client_for(host)
    base = client.images.get(debian_image)
    base.tag("cleanup-test-base", "1.0")  # stands for a pulled base: new to the snapshot
    client.images.remove(debian_image, noprune=True)
    try:
        before = cleanup.snapshot(api)
        before = cleanup.Snapshot(
            before.containers,
            {i: t for i, t in before.images.items() if i != base.id},
            before.volumes,
            before.networks,
        )
        (tmp_path / "Dockerfile").write_text(
            "FROM cleanup-test-base:1.0\nRUN echo one > /one\nLABEL step=two\nRUN echo three\n"
        )
        built, _ = client.images.build(path=str(tmp_path), tag="cleanup-test-child:1.0")
        removed: list[str] = []
        assert cleanup.restore(api, before, removed) == []
        assert f"image {built.id[7:19]}" in removed and f"image {base.id[7:19]}" in removed
        assert removed.index(f"image {built.id[7:19]}") < removed.index(f"image {base.id[7:19]}")
    finally:
        api.close()
        if not any(debian_image in i.tags for i in client.images.list()):
            client.images.pull(debian_image)
