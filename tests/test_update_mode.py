"""`pytest --update-docs` on a real daemon: wrong output is rewritten, then the page passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAGE = """\
# 갱신 예제

<!-- test: timeout 60 -->
```shell
# 인사를 출력
$ echo hello
goodbye
$ seq 1 5
1
...
$ docker image inspect -f '{{{{.Os}}}}' {image}
windows
$ ls /nonexistent-dir
```
"""


def run(page: Path, host: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DOCS_DOCKER_HOST": host,
        "DOCHARNESS_REPORT": str(page.parent / "report.json"),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    command = [sys.executable, "-m", "pytest", "-p", "docharness.plugin", "-p", "no:xdist"]
    return subprocess.run(
        [*command, "-q", *extra, str(page)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_update_writes_real_output_then_the_page_passes(
    tmp_path: Path, docker_host: str, debian_image: str
) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE.format(image=debian_image), encoding="utf-8")

    failing = run(page, docker_host)
    assert failing.returncode == 1, failing.stdout + failing.stderr

    updated = run(page, docker_host, "--update-docs")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "-goodbye\n+hello" in updated.stdout
    assert "-windows\n+linux" in updated.stdout

    text = page.read_text(encoding="utf-8")
    assert text.splitlines() == [
        "# 갱신 예제",
        "",
        "<!-- test: timeout 60 -->",
        "```shell",
        "# 인사를 출력",
        "$ echo hello",
        "hello",
        "$ seq 1 5",
        "1",
        "...",
        f"$ docker image inspect -f '{{{{.Os}}}}' {debian_image}",
        "linux",
        "$ ls /nonexistent-dir",
        "ls: cannot access '/nonexistent-dir': No such file or directory",
        "```",
    ]

    again = run(page, docker_host)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 passed" in again.stdout
