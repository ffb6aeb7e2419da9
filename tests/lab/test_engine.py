"""The lab's engine is the release's: versions, its own CLI and plugins, BuildKit, Compose,
bind mounts of a page's folder, ports published on loopback only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.lab_state import LabState
from contracts.stores import CONTAINERD_DRIVER_TYPE
from docharness import cleanup
from docharness.shell import PageShell
from lab import engines
from tests.lab.conftest import Docker, lab_cli

pytestmark = pytest.mark.lab


def upstream(debian_version: str) -> str:
    """``28.5.2+dfsg4-5`` -> ``28.5.2+dfsg4``: what the programs report of themselves."""
    return debian_version.rsplit("-", 1)[0]


def test_client_and_server_are_the_release_packages(lab_state: LabState, docker: Docker) -> None:
    engine = lab_state.engine
    assert engine is not None
    packages = engine.packages
    expected = engines.ENGINES[engine.name]
    version = docker("version", "--format", "{{json .}}", check=True)
    found = json.loads(version.stdout)
    assert found["Server"]["Version"] == upstream(packages["docker.io"])
    assert found["Server"]["Version"].startswith(expected.version_prefix)
    cli_package = packages.get("docker-cli", packages["docker.io"])  # split since sid
    assert found["Client"]["Version"] == upstream(cli_package)


def test_page_shell_runs_the_engine_cli_and_plugins(
    lab_state: LabState, docker_host: str, tmp_path: Path
) -> None:
    cli = lab_cli(lab_state)
    shell = PageShell(tmp_path, docker_host, client=cli)
    try:
        assert shell.run("command -v docker").output.strip() == f"{cli.bin}/docker"
        assert lab_state.engine is not None
        packages = lab_state.engine.packages
        if "docker-compose" not in packages:
            pytest.skip("this release packages no docker compose plugin")
        compose = shell.run("docker compose version --short").output.strip()
        # Debian's build reports its package version (2.40.3-3), upstream's just 2.40.3.
        assert compose.startswith(upstream(packages["docker-compose"]).split("+")[0]), compose
        buildx = shell.run("docker buildx version").output
        assert upstream(packages["docker-buildx"]).split("+")[0] in buildx
    finally:
        shell.close()


def test_bind_mount_of_a_page_folder(docker: Docker, tmp_path: Path) -> None:
    (tmp_path / "hello.txt").write_text("from the host\n")
    done = docker(
        "run", "--rm", "-v", f"{tmp_path}:/app", "-w", "/app", "debian:latest", "cat", "hello.txt"
    )
    assert done.stdout == "from the host\n", done.stderr


def test_published_ports_bind_loopback_only(docker: Docker) -> None:
    docker(
        "run", "-d", "--name", "engine-port", "-p", "80", "debian:latest", "sleep", "60", check=True
    )
    port = docker("port", "engine-port", "80").stdout.split()
    assert len(port) == 1 and port[0].startswith("127.0.0.1:"), port


def test_a_networks_published_ports_bind_loopback_only_too(docker: Docker) -> None:
    # dockerd's "ip" holds for the default bridge only; `docker network create` and every
    # Compose project make networks of their own.
    docker("network", "create", "engine-net", check=True)
    docker(
        "run", "-d", "--name", "engine-net-port", "--network", "engine-net", "-p", "80",
        "debian:latest", "sleep", "60", check=True,
    )  # fmt: skip
    try:
        port = docker("port", "engine-net-port", "80").stdout.split()
        assert len(port) == 1 and port[0].startswith("127.0.0.1:"), port
    finally:
        docker("rm", "-f", "engine-net-port")
        docker("network", "rm", "engine-net")


DOCKERFILE = """FROM debian:latest
RUN echo built > /built.txt
CMD ["cat", "/built.txt"]
"""


def test_buildkit_build_with_cache(docker: Docker, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    first = docker("build", "--progress=plain", "-t", "engine-build:1", ".")
    assert first.returncode == 0, first.stderr
    assert "[internal] load build definition from Dockerfile" in first.stderr  # BuildKit's
    again = docker("build", "--progress=plain", "-t", "engine-build:1", ".")
    assert "[2/2] RUN echo built > /built.txt" in again.stderr
    assert "CACHED" in again.stderr, again.stderr
    assert docker("run", "--rm", "engine-build:1").stdout == "built\n"


def _build(docker: Docker, tmp_path: Path, content: str, tag: str) -> None:
    """Build DOCKERFILE with ``content`` in its file, so its cache records are new."""
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.replace("built", content))
    built = docker("build", "--progress=plain", "-t", tag, ".")
    assert built.returncode == 0, built.stderr


def _page_build_cleaned_up(docker: Docker, docker_host: str, tmp_path: Path) -> None:
    """A page builds, then its cleanup runs: the build cache ends as it was before the page."""
    api = cleanup.client_for(docker_host)
    before = cleanup.snapshot(api)
    _build(docker, tmp_path, "the-pages-own", "engine-page:1")
    assert cleanup.build_cache(api) - before.build_cache, "the page's build cached nothing"
    assert cleanup.restore(api, before) == []
    assert cleanup.build_cache(api) == before.build_cache
    api.close()


def test_a_pages_build_cache_goes_with_its_cleanup(
    docker: Docker, docker_host: str, tmp_path: Path
) -> None:
    # What a page's `docker build` cached would show in a later page's `docker system df`.
    _page_build_cleaned_up(docker, docker_host, tmp_path)


def test_a_readers_earlier_build_cache_stays_when_a_page_cleans_up(
    docker: Docker, docker_host: str, tmp_path: Path
) -> None:
    # On a reader's own Docker the cache of their earlier builds is theirs: only the page's
    # records go (one by one, by ID), not the whole cache.
    _build(docker, tmp_path, "the-readers-own", "engine-reader:1")
    api = cleanup.client_for(docker_host)
    assert cleanup.build_cache(api), "the reader's build cached nothing"
    api.close()
    _page_build_cleaned_up(docker, docker_host, tmp_path)


COMPOSE = """services:
  web:
    image: httpd:latest
  probe:
    image: debian:latest
    command: ["sleep", "120"]
"""


def test_compose_up_and_down_two_services(docker: Docker, tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    up = docker("compose", "-p", "enginetest", "up", "-d")
    assert up.returncode == 0, up.stderr
    try:
        running = docker("compose", "-p", "enginetest", "ps", "--format", "{{.Service}} {{.State}}")
        assert sorted(running.stdout.split("\n")[:-1]) == ["probe running", "web running"]
        reply = docker(
            "compose", "-p", "enginetest", "exec", "-T", "probe", "getent", "hosts", "web"
        )
        assert reply.returncode == 0, reply.stderr  # the project network names the services
    finally:
        down = docker("compose", "-p", "enginetest", "down")
    assert down.returncode == 0, down.stderr
    assert (
        docker("ps", "-aq", "--filter", "label=com.docker.compose.project=enginetest").stdout == ""
    )
    assert "enginetest_default" not in docker("network", "ls").stdout


def test_the_daemon_runs_its_engines_image_store(lab_state: LabState, docker: Docker) -> None:
    # sid-containerd's daemon runs the containerd image store (Engine 29's default), the
    # others the classic overlay2 graph driver: docker info says which one really runs.
    assert lab_state.engine is not None
    expected = engines.ENGINES[lab_state.engine.name]
    info = docker("info", "--format", "{{json .DriverStatus}}", check=True)
    types = [value for key, value in json.loads(info.stdout) if key == "driver-type"]
    containerd = expected.store == "containerd"
    assert types == ([CONTAINERD_DRIVER_TYPE] if containerd else []), info.stdout
