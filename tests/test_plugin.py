"""The pytest wiring: which files are pages, and which pages must not run side by side."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from docharness.page import ROOT
from docharness.plugin import reporting, run
from docharness.plugin.run import PUBLISHES_PORT, publishes_host_ports
from tests.conftest import run_pytest

pytest_plugins = ["pytester"]


@pytest.mark.parametrize(
    "text",
    [
        "$ docker run -d -p 8080:80 nginx",
        "    --publish=8080:8080 \\",
        "$ docker run --publish 127.0.0.1:8081:80 nginx",
        'client.containers.run("nginx", detach=True, ports={"80/tcp": 8082})',
        '    ports:\n      - "28095:80"',
        "      - 127.0.0.1:8083:80/tcp",
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
        '    ports:\n      - "80"',
        "- 볼륨 3:1 비율",
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
    assert pages == {
        "run-nginx.md",
        "run-cadvisor.md",
        "networks.md",
        "dockerfile.md",
        "compose.md",
        "debugging.md",
        "registry.md",
    }


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
    monkeypatch.setattr(run, "HOST_PORTS_LOCK", lock)
    web, plain = tmp_path / "web.md", tmp_path / "plain.md"
    web.write_text("```shell\n$ docker run -d -p 8080:80 nginx\n```\n")
    plain.write_text("```shell\n$ docker ps\n```\n")
    with run.host_ports_turn(plain):
        assert _lock_is_free(lock)
    with run.host_ports_turn(web):
        assert not _lock_is_free(lock)  # another worker's port page waits here
    assert _lock_is_free(lock)


# ---- which report a run writes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "complete"),
    [
        ([], False),  # pytester's folder: no docs in it
        ([str(ROOT)], True),
        ([str(ROOT / "docs")], True),
        ([str(ROOT / "docs"), str(ROOT / "tests")], True),
        ([str(ROOT / "docs" / "volumes.md")], False),
        ([str(ROOT / "docs") + "::x"], False),
        ([str(ROOT / "tests")], False),
        ([str(ROOT / "docs"), "-k", "volumes"], False),
        ([str(ROOT / "docs"), "--deselect", "docs/volumes.md::line:5"], False),
    ],
)
def test_a_run_is_complete_only_when_it_selects_every_page(
    pytester: pytest.Pytester, args: list[str], complete: bool
) -> None:
    assert reporting.covers_every_page(pytester.parseconfig(*args)) is complete


def test_a_partial_run_keeps_the_full_report(tmp_path: Path, docker_host: str) -> None:
    full = tmp_path / "test-report.json"
    full.write_text('{"created": "2026-01-01T00:00:00+00:00", "complete": true, "blocks": []}\n')
    before = full.read_bytes()
    env = {**os.environ, "DOCS_DOCKER_HOST": docker_host, "DOCHARNESS_REPORT_DIR": str(tmp_path)}
    env.pop("DOCHARNESS_REPORT", None)
    page = ROOT / "tests" / "integration" / "pages" / "right_basic.md"
    done = run_pytest(page, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert full.read_bytes() == before
    partial = json.loads((tmp_path / "partial-report.json").read_text(encoding="utf-8"))
    assert partial["complete"] is False
    assert {b["page"] for b in partial["blocks"]} == {"tests/integration/pages/right_basic.md"}
    assert "(some pages only: test-report.json is kept)" in done.stdout


# ---- collection, through pytest itself (pytester: no daemon is needed to collect) ----------


def collect(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """`pytest --collect-only` on pages outside the repository (so they must be named)."""
    return pytester.runpytest_subprocess(
        "-p",
        "docharness.plugin",
        "-p",
        "no:xdist",
        "-p",
        "no:cacheprovider",
        "--collect-only",
        "-q",
        *args,
    )


def collected(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if ".md::" in line]


def test_a_byte_order_mark_does_not_hide_a_block(pytester: pytest.Pytester) -> None:
    page = "```console\n$ echo 한\n한\n```\n\n```console\n$ true\n```\n"
    (pytester.path / "plain.md").write_text(page, encoding="utf-8")
    (pytester.path / "bom.md").write_text("\ufeff" + page, encoding="utf-8")
    assert len(collected(collect(pytester, "plain.md"))) == 2
    assert len(collected(collect(pytester, "bom.md"))) == 2


def test_a_page_in_another_encoding_is_one_item_and_the_others_collect(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "latin1.md").write_bytes(
        "# Café\n\n```console\n$ true\n```\n".encode("latin-1")
    )
    (pytester.path / "fine.md").write_text("```console\n$ true\n```\n", encoding="utf-8")
    result = collect(pytester, "latin1.md", "fine.md")
    assert "UnicodeDecodeError" not in result.stdout.str()
    # The page fails alone, as one item (its message: tests/test_broken_pages.py).
    assert collected(result) == ["latin1.md::page", "fine.md::line:1,column:1"]


def test_a_fence_of_another_language_with_prompts_is_reported(pytester: pytest.Pytester) -> None:
    (pytester.path / "guide.md").write_text(
        "```console\n$ true\n```\n\n```text\n$ docker ps\n```\n", encoding="utf-8"
    )
    result = collect(pytester, "guide.md")
    result.stdout.fnmatch_lines(
        [
            "*warnings summary*",
            "*guide.md:5: UntestedTranscript: a text fence shows `$ ` prompts but is not run; "
            "name its language console to run it",
        ]
    )
    assert len(collected(result)) == 1


def test_three_hundred_named_pages_are_each_collected_once(pytester: pytest.Pytester) -> None:
    # Time is measured by hand (see the report), not here: this checks what the cache keeps.
    names = []
    for number in range(300):
        name = f"page{number:03}.md"
        (pytester.path / name).write_text(f"```console\n$ echo {number}\n{number}\n```\n")
        names.append(name)
    result = collect(pytester, *names)
    assert sorted(collected(result)) == [f"{name}::line:1,column:1" for name in names]
    result.stdout.fnmatch_lines(["300 tests collected*"])


def test_a_markdown_file_outside_docs_is_a_page_only_when_named(pytester: pytest.Pytester) -> None:
    (pytester.path / "notes.md").write_text("```console\n$ true\n```\n", encoding="utf-8")
    assert collected(collect(pytester)) == []
    assert collected(collect(pytester, "notes.md")) == ["notes.md::line:1,column:1"]


def test_a_malformed_page_is_one_item_and_the_others_collect(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "broken.md").write_text("# Broken\n\n```console\n$ true\n", encoding="utf-8")
    (pytester.path / "fine.md").write_text("```console\n$ true\n```\n", encoding="utf-8")
    result = collect(pytester, "broken.md", "fine.md")
    assert "Traceback" not in result.stdout.str()
    # It fails alone when run, naming file:line (tests/test_broken_pages.py runs it).
    assert collected(result) == ["broken.md::page", "fine.md::line:1,column:1"]
