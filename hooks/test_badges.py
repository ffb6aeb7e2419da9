"""MkDocs hook: one quiet line above each shell and Python block with its latest test result.

Results come from the harness's report (`report/test-report.json`, or the folder that
`DOCHARNESS_REPORT_DIR` names) and are matched by page path (`docs/xxx.md`, relative to the
repository) and the line of the block's opening fence. A passed block names the Docker Engine
version(s) it passed on and the date; a failed one carries its diff from the report, folded;
a skipped one its reason, in Korean. Without a report, or for a block the report does not
know, the line says the block has not run yet.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from code_blocks import rendered

from docharness.engines import NOT_FOR_ENGINE, NOT_FOR_ENGINE_STATUS
from docharness.kinds import TESTED_LANGUAGES, passed_badge
from docharness.schema import REPORT_NAME, read_report

ROOT = Path(__file__).resolve().parents[1]  # the repository: report paths are relative to it
# The harness's own skip reasons (docharness/page.py) by prefix; a page's `skip`
# directive already gives its reason in Korean.
SKIP_REASONS = {
    "needs network: the lab has no internet": "인터넷 필요 (실험실은 오프라인)",
    "needs network: Docker Hub is unreachable": "인터넷 필요 (도커 허브에 닿지 않음)",
    "needs network": "인터넷 필요",
}


@dataclass(frozen=True)
class Result:
    """What the report says about one block."""

    status: str
    reason: str | None
    details: str | None  # a failure's command, exit status and diff
    date: str  # YYYY-MM-DD of the run
    engines: tuple[str, ...]  # Docker Engine versions the result holds for
    client: str  # Docker CLI version (a synopsis is checked against its --help)


Results = dict[tuple[str, int], Result]


def engines(report: Mapping[str, Any], block: Mapping[str, Any]) -> tuple[str, ...]:
    """The Docker Engine version(s) a block's result holds for.

    A run has one engine today, the report's `docker.server`; when the report keeps results
    per engine, this is the one place that reads them.
    """
    del block  # no per-engine results yet
    return (str((report.get("docker") or {}).get("server") or "?"),)


def report_path() -> Path:
    folder = os.environ.get("DOCHARNESS_REPORT_DIR")
    return (Path(folder) if folder else ROOT / "report") / REPORT_NAME


def load_report(path: Path) -> Results:
    """(page, fence line) -> result; empty when the report does not exist."""
    data = read_report(path)
    if data is None:
        return {}
    date = data["created"][:10]
    client = data["docker"]["client"] or "?"
    results: Results = {}
    for block in data["blocks"]:
        results[(block["page"], block["line"])] = Result(
            block["status"],
            block.get("reason"),
            block.get("details"),
            date,
            engines(cast(Mapping[str, Any], data), cast(Mapping[str, Any], block)),
            client,
        )
    return results


def korean_reason(reason: str | None) -> str:
    """A skip reason as the reader sees it."""
    if not reason:
        return "이유가 적혀 있지 않습니다"
    for prefix, korean in SKIP_REASONS.items():
        if reason.startswith(prefix):
            return korean
    return reason


def _line(status: str, text: str, title: str, folded: str = "") -> str:
    return (
        f'<div class="test-badge test-badge--{status}" title="{html.escape(title)}" '
        f'data-search-exclude><span class="test-badge__text">{html.escape(text)}</span>'
        f"{folded}</div>"
    )


def badge(result: Result | None) -> str:
    """The badge's HTML: one line, kept out of the search index."""
    if result is None:
        return _line("not-run", "아직 실행 안 됨", "이 예제는 아직 테스트하지 않았습니다")
    engine = ", ".join(result.engines)
    passed = passed_badge(result.status)
    if passed is not None:
        text, title = passed
        return _line(
            result.status,
            text.format(engine=engine, client=result.client, date=result.date),
            title,
        )
    if result.status == "skipped":
        return _line(
            "skipped",
            f"건너뜀 · {korean_reason(result.reason)} · {result.date}",
            "이 예제는 마지막 테스트에서 실행하지 않았습니다",
        )
    if result.status == NOT_FOR_ENGINE_STATUS:
        limited = (result.reason or "").removeprefix(NOT_FOR_ENGINE + ": ")
        return _line(
            NOT_FOR_ENGINE_STATUS,
            f"다른 엔진용 · {limited} · {result.date}",
            "이 예제는 지시문이 정한 도커 엔진 버전에서만 실행합니다",
        )
    story = "\n".join(part for part in (result.reason, result.details) if part)
    folded = (
        '<details class="test-badge__diff"><summary>차이 보기</summary>'
        f"<pre>{html.escape(story)}</pre></details>"
    )
    return _line(
        "failed",
        f"✗ 도커 엔진 {engine}에서 실패 · {result.date}",
        "마지막 테스트에서 페이지와 다른 결과가 나왔습니다",
        folded,
    )


def badged(page_html: str, source: str, page: str, results: Results) -> str:
    """``page_html`` with a badge in front of every tested block of ``source``."""
    out: list[str] = []
    done = 0
    for block in rendered(Path(page), source, page_html, TESTED_LANGUAGES):
        result = results.get((page, block.fence.line))
        out += [page_html[done : block.block_start], badge(result)]
        done = block.block_start
    out.append(page_html[done:])
    return "".join(out)


_results: Results = {}


def on_config(config: Any, **_: Any) -> None:
    """Read the report once per build."""
    global _results
    _results = load_report(report_path())


def on_page_content(html_text: str, page: Any, **_: Any) -> str:
    name = Path(page.file.abs_src_path).resolve().relative_to(ROOT).as_posix()
    return badged(html_text, page.file.content_string, name, _results)
