"""`pytest --update-docs` on a real daemon: wrong output is rewritten, then the page passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, docker_host: str) -> Any:
    """Run pytest on a page, in a child process, against this worker's daemon."""
    monkeypatch.setenv("DOCS_DOCKER_HOST", docker_host)
    monkeypatch.setenv("DOCHARNESS_REPORT", str(pytester.path / "report.json"))
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)

    def run(page: Path, *extra: str) -> pytest.RunResult:
        plugins = ("-p", "docharness.plugin", "-p", "no:xdist", "-p", "no:cacheprovider")
        return pytester.runpytest_subprocess(*plugins, "-q", *extra, str(page), timeout=300)

    return run


def test_update_writes_real_output_then_the_page_passes(
    pytester: pytest.Pytester, run: Any, debian_image: str
) -> None:
    page = pytester.path / "page.md"
    page.write_text(PAGE.format(image=debian_image), encoding="utf-8")

    failing = run(page)
    assert failing.ret == pytest.ExitCode.TESTS_FAILED, failing.outlines

    updated = run(page, "--update-docs")
    assert updated.ret == pytest.ExitCode.OK, updated.outlines
    assert "-goodbye\n+hello" in updated.stdout.str()
    assert "-windows\n+linux" in updated.stdout.str()

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

    again = run(page)
    again.assert_outcomes(passed=1)
