"""MkDocs hook: a small badge above each shell and Python block with its latest test result.

Results come from the harness's `report/test-report.json` and are matched by page path
(`docs/xxx.md`, relative to the repository) and the line of the block's opening fence. Without
a report, or for a block the report does not know, the badge says the block has not run yet.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from code_blocks import rendered

from docharness.fences import PYTHON_LANGUAGES, SHELL_LANGUAGES

TESTED = SHELL_LANGUAGES | frozenset(PYTHON_LANGUAGES)
STATUSES = {"passed", "failed", "skipped", "synopsis"}
REPORT = Path("report") / "test-report.json"


@dataclass(frozen=True)
class Result:
    """What the report says about one block."""

    status: str
    reason: str | None
    date: str  # YYYY-MM-DD of the run
    server: str  # Docker server version of the run


Results = dict[tuple[str, int], Result]


def load_report(path: Path) -> Results:
    """(page, fence line) -> result; empty when the report does not exist."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    date = str(data["created"])[:10]
    server = str((data.get("docker") or {}).get("server") or "?")
    results: Results = {}
    for block in data["blocks"]:
        if block["status"] not in STATUSES:
            raise ValueError(f"{path}: unknown status {block['status']!r} for {block['page']}")
        results[(block["page"], int(block["line"]))] = Result(
            block["status"], block.get("reason"), date, server
        )
    return results


def badge(result: Result | None) -> str:
    """The badge's HTML; kept out of the search index."""
    if result is None:
        status, text, title = "not-run", "아직 실행 안 됨", "이 예제는 아직 테스트되지 않았습니다"
    else:
        status = result.status
        ran = f"{result.date} · Docker {result.server}"
        text, title = {
            "passed": (f"✓ 통과 · {ran}", "실제 도커 엔진에서 실행해 출력까지 확인했습니다"),
            "failed": (f"✗ 실패 · {ran}", "마지막 테스트에서 실패했습니다"),
            "skipped": (f"건너뜀: {result.reason or '이유 없음'}", f"{ran}에 건너뛰었습니다"),
            "synopsis": (f"문법 확인됨 · {ran}", "명령과 옵션이 docker --help에 있는지 봤습니다"),
        }[status]
    return (
        f'<div class="test-badge test-badge--{status}" title="{html.escape(title)}" '
        f"data-search-exclude>{html.escape(text)}</div>"
    )


def badged(page_html: str, source: str, page: str, results: Results) -> str:
    """``page_html`` with a badge in front of every tested block of ``source``."""
    out: list[str] = []
    done = 0
    for block in rendered(Path(page), source, page_html, TESTED):
        result = results.get((page, block.fence.line))
        out += [page_html[done : block.block_start], badge(result)]
        done = block.block_start
    out.append(page_html[done:])
    return "".join(out)


ROOT = Path(__file__).resolve().parents[1]  # the repository: report paths are relative to it
_results: Results = {}


def on_config(config: Any, **_: Any) -> None:
    """Read the report once per build."""
    global _results
    _results = load_report(ROOT / REPORT)


def on_page_content(html_text: str, page: Any, **_: Any) -> str:
    name = Path(page.file.abs_src_path).resolve().relative_to(ROOT).as_posix()
    return badged(html_text, page.file.content_string, name, _results)
