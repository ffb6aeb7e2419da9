"""The pytest wiring: which files are pages, and which pages must not run side by side."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docharness import plugin
from docharness.plugin import PUBLISHES_PORT, ROOT, publishes_host_ports


@pytest.mark.parametrize(
    "text",
    [
        "$ docker run -d -p 8080:80 nginx",
        "    --publish=8080:8080 \\",
        "$ docker run --publish 127.0.0.1:8081:80 nginx",
        'client.containers.run("nginx", detach=True, ports={"80/tcp": 8082})',
    ],
)
def test_a_published_host_port_is_seen(text: str) -> None:
    assert PUBLISHES_PORT.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "호스트에서 접속하려면 `-p 3306:3306`을 추가합니다.",
        "| -p [Host포트]:[Container포트], --publish | 호스트 포트와 컨테이너 포트 연결 |",
        "$ docker run -P nginx",
    ],
)
def test_prose_and_synopses_publish_nothing(text: str) -> None:
    assert not PUBLISHES_PORT.search(text)


def test_only_code_blocks_publish(tmp_path: Path) -> None:
    page = tmp_path / "guide.md"
    page.write_text("포트 게시(` -p 8080:80`, `ports={...}`)는 차례로 실행됩니다.\n")
    assert not publishes_host_ports(page)
    page.write_text("=== \"Python\"\n\n    ```python\n    run(ports={'80/tcp': 8082})\n    ```\n")
    assert publishes_host_ports(page)


def test_the_pages_that_publish_host_ports() -> None:
    pages = {page.name for page in (ROOT / "docs").rglob("*.md") if publishes_host_ports(page)}
    assert pages == {"run-nginx.md", "run-cadvisor.md"}


def _lock_is_free(lock: Path) -> bool:
    probe = (
        "import fcntl, sys\n"
        "with open(sys.argv[1], 'a') as f:\n"
        "    try: fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "    except BlockingIOError: sys.exit(1)\n"
    )
    return subprocess.run([sys.executable, "-c", probe, str(lock)]).returncode == 0


def test_port_pages_take_turns_under_one_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = tmp_path / "host-ports.lock"
    monkeypatch.setattr(plugin, "HOST_PORTS_LOCK", lock)
    web, plain = tmp_path / "web.md", tmp_path / "plain.md"
    web.write_text("```shell\n$ docker run -d -p 8080:80 nginx\n```\n")
    plain.write_text("```shell\n$ docker ps\n```\n")
    with plugin.host_ports_turn(plain):
        assert _lock_is_free(lock)
    with plugin.host_ports_turn(web):
        assert not _lock_is_free(lock)  # another worker's port page waits here
    assert _lock_is_free(lock)
