"""Unit tests of hooks/test_badges.py: reading the report and matching blocks to it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import markdown
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks"))
import test_badges  # noqa: E402

PAGE = "docs/sample.md"
SOURCE = """\
# 예제

```shell
$ docker ps
CONTAINER ID
```

- 목록 안의 예제

    ```bash title="이어지는 줄"
    $ echo hi \\
      there
    hi there
    ```

=== "CLI"

    ```console
    $ docker image ls
    ```

=== "Python"

    ```python
    import docker
    ```

```
docker image save [옵션] <파일명> [image명]
```

```shell
docker run = [pull] + create + start + [command]
```

```text
$ echo not tested
```

```shell
$ docker ps
CONTAINER ID
```
"""
TESTED_LINES = [3, 10, 18, 24, 32, 40]  # opening fences of shell and python blocks


def render(source: str) -> str:
    """The page's HTML as the site's Markdown extensions produce it."""
    return markdown.markdown(
        source,
        extensions=[
            "pymdownx.superfences",
            "pymdownx.highlight",
            "pymdownx.tabbed",
            "attr_list",
        ],
        extension_configs={
            "pymdownx.highlight": {"anchor_linenums": True},
            "pymdownx.tabbed": {"alternate_style": True},
        },
    )


def write_report(path: Path, blocks: list[dict[str, object]]) -> Path:
    report = {
        "created": "2025-11-27T22:40:00+00:00",
        "docker": {"client": "28.2.2", "server": "20.10.24+dfsg1"},
        "mode": "lab",
        "blocks": blocks,
        "pages": {},
    }
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def block(line: int, status: str, reason: str | None = None) -> dict[str, object]:
    return {"page": PAGE, "line": line, "language": "shell", "kind": "transcript",
            "status": status, "reason": reason, "duration": 0.1}  # fmt: skip


def badges(page_html: str) -> list[str]:
    return re.findall(r'<div class="test-badge test-badge--([\w-]+)"', page_html)


def test_every_tested_block_gets_its_own_badge_in_order(tmp_path: Path) -> None:
    results = test_badges.load_report(
        write_report(
            tmp_path / "r.json",
            [
                block(3, "passed"),
                block(10, "failed"),
                block(18, "skipped", "인터넷이 필요합니다"),
                block(32, "synopsis"),
                block(40, "passed"),
            ],
        )
    )
    page_html = test_badges.badged(render(SOURCE), SOURCE, PAGE, results)
    # line 24 (python) is not in the report: not run yet
    assert badges(page_html) == ["passed", "failed", "skipped", "not-run", "synopsis", "passed"]
    assert "인터넷이 필요합니다" in page_html
    assert "✓ 통과 · 2025-11-27 · Docker 20.10.24+dfsg1" in page_html
    # each badge sits right before its block, and the search index leaves it out
    assert (
        len(
            re.findall(r"data-search-exclude></div>|data-search-exclude>[^<]*</div><div", page_html)
        )
        == 6
    )


def test_same_text_twice_matches_by_line(tmp_path: Path) -> None:
    """Blocks 1 and 6 have the same text: each badge follows its own fence's line."""
    results = test_badges.load_report(
        write_report(tmp_path / "r.json", [block(3, "failed"), block(40, "passed")])
    )
    found = badges(test_badges.badged(render(SOURCE), SOURCE, PAGE, results))
    assert (found[0], found[-1]) == ("failed", "passed")


def test_no_report_means_not_run_yet(tmp_path: Path) -> None:
    results = test_badges.load_report(tmp_path / "missing.json")
    page_html = test_badges.badged(render(SOURCE), SOURCE, PAGE, results)
    assert badges(page_html) == ["not-run"] * len(TESTED_LINES)
    assert "아직 실행 안 됨" in page_html


def test_other_pages_results_do_not_leak(tmp_path: Path) -> None:
    results = test_badges.load_report(write_report(tmp_path / "r.json", [block(3, "passed")]))
    page_html = test_badges.badged(render(SOURCE), SOURCE, "docs/other.md", results)
    assert set(badges(page_html)) == {"not-run"}


def test_unknown_status_is_an_error(tmp_path: Path) -> None:
    report = write_report(tmp_path / "r.json", [block(3, "flaky")])
    with pytest.raises(ValueError, match="unknown status 'flaky'"):
        test_badges.load_report(report)


def test_unchanged_html_without_tested_blocks() -> None:
    source = "# 제목\n\n```text\n$ ls\n```\n"
    page_html = render(source)
    assert test_badges.badged(page_html, source, PAGE, {}) == page_html
