"""MkDocs hook: one quiet line above each shell and Python block with its latest test result.

Results come from the harness's report (`report/test-report.json`, or the folder that
`DOCHARNESS_REPORT_DIR` names) and are matched by page path (`docs/xxx.md`, relative to the
repository) and the line of the block's opening fence. A passed block names the Docker Engine
version(s) it passed on and the date: every engine of the matrix (`test-engines.json` beside
the report, from `make test-engines`) when there is one, else the report's single engine, and
the engines where it passed only when the matrix ran its page again. A failed block carries
its diff from the report, folded; a skipped one its reason, in Korean; a block limited to
other engines its range, and one limited to the other image store that store, in Korean.
Without a report, or for a block the report does not know, the line says the block has not
run yet.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from code_blocks import rendered
from failure_story import story

from docharness.engines import (
    MATRIX_NAME,
    NOT_FOR_ENGINE,
    NOT_FOR_ENGINE_STATUS,
    NOT_FOR_STORE,
    EngineRange,
    engine_version,
)
from docharness.kinds import TESTED_LANGUAGES, passed_badge
from docharness.schema import REPORT_NAME, read_report, report_folder

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
    failed_on: tuple[str, ...] = ()  # engines of the matrix where the block failed


Results = dict[tuple[str, int], Result]


def engines(
    report: Mapping[str, Any], block: Mapping[str, Any], matrix: Mapping[str, Any] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The Docker Engine versions a block passed on, and those it failed on.

    With the matrix (``test-engines.json``): every engine where the block passed (or, for a
    block limited to other engines, where it ran and passed), oldest first. The matrix is
    trusted only where it agrees with the report: the report's engine is in it and gave the
    block the same status there (a matrix older than the page's last edit would not).
    Otherwise, the report's one engine.
    """
    server = str((report.get("docker") or {}).get("server") or "?")
    fallback = ((server,), ()) if block.get("status") in ("passed", "failed") else ((), ())
    if not matrix:
        return fallback
    versions = engine_versions(matrix)
    results = matrix_results(matrix).get(_key(block))
    by_engine = {name: str(r["status"]) for name, r in results.items()} if results else None
    default = next((name for name, version in versions.items() if version == server), None)
    if by_engine is None or default is None or by_engine.get(default) != block.get("status"):
        return fallback

    def oldest_first(status: str) -> tuple[str, ...]:
        found = [versions[name] for name, got in by_engine.items() if got == status]
        return tuple(sorted(found, key=_sortable))

    return oldest_first("passed"), oldest_first("failed")


# How a badge names an engine row that runs the containerd image store: sid's 28.5 runs on
# both stores, and "28.5 · 28.5" would not tell the reader which is which.
STORE_LABEL = " (containerd 저장소)"


def engine_versions(matrix: Mapping[str, Any]) -> dict[str, str]:
    """Engine name -> the server version it reported, from ``test-engines.json``, with
    STORE_LABEL for a row on the containerd image store (the classic store is the default's,
    whose version is the report's own)."""
    return {
        name: str(found.get("server") or "?")
        + (STORE_LABEL if found.get("store") == "containerd" else "")
        for name, found in (matrix.get("engines") or {}).items()
    }


def matrix_results(
    matrix: Mapping[str, Any],
) -> dict[tuple[str, int], dict[str, Mapping[str, Any]]]:
    """(page, fence line) -> {engine name: its result (status, reason)} from
    ``test-engines.json``."""
    return {
        (str(entry["page"]), int(entry["line"])): dict(entry["engines"])
        for entry in matrix.get("blocks", [])
    }


def _key(block: Mapping[str, Any]) -> tuple[str, int]:
    return (str(block.get("page")), int(block.get("line", 0)))


def _sortable(version: str) -> tuple[int, ...]:
    """Oldest first; of one version, the classic store before the containerd one."""
    try:
        return (*engine_version(version), int(version.endswith(STORE_LABEL)))
    except ValueError:
        return (0,)


def short_version(version: str) -> str:
    """``28.5.2+dfsg4`` -> ``28.5``: enough to tell the engines apart on one line; a store
    label stays (``28.5 (containerd 저장소)``)."""
    label = STORE_LABEL if version.endswith(STORE_LABEL) else ""
    number = version.removesuffix(STORE_LABEL)
    return ".".join(number.split("+")[0].split("-")[0].split(".")[:2]) + label


def report_path() -> Path:
    return report_folder(ROOT) / REPORT_NAME


def load_report(path: Path) -> Results:
    """(page, fence line) -> result; empty when the report does not exist.

    The engine matrix is read from the same folder when ``make test-engines`` wrote it.
    """
    data = read_report(path)
    if data is None:
        return {}
    matrix_path = path.with_name(MATRIX_NAME)
    matrix = json.loads(matrix_path.read_text(encoding="utf-8")) if matrix_path.exists() else None
    date = data["created"][:10]
    client = data["docker"]["client"] or "?"
    results: Results = {}
    for block in data["blocks"]:
        report, entry = cast(Mapping[str, Any], data), cast(Mapping[str, Any], block)
        passed_on, failed_on = engines(report, entry, matrix)
        results[(block["page"], block["line"])] = Result(
            block["status"],
            block.get("reason"),
            block.get("details"),
            date,
            passed_on,
            client,
            failed_on,
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


KOREAN_BOUNDS = {"<": "미만", "<=": "이하", ">": "초과", ">=": "이상"}
KOREAN_STORES = {"classic": "기존 이미지 저장소", "containerd": "containerd 이미지 저장소"}


def korean_store(reason: str | None) -> str | None:
    """``not for this store: store classic (this daemon: containerd)`` -> ``기존 이미지
    저장소``; None for a reason that is not about the store."""
    if not (reason or "").startswith(NOT_FOR_STORE + ": "):
        return None
    store = (reason or "").removeprefix(NOT_FOR_STORE + ": ").removeprefix("store ")
    store = store.split(" (")[0]
    return KOREAN_STORES.get(store, store or "저장소가 적혀 있지 않습니다")


def korean_range(reason: str | None) -> str:
    """``not for this engine: engine >=23,<26 (this engine: 28.5.2)`` -> ``23 이상 26 미만``."""
    text = (reason or "").removeprefix(NOT_FOR_ENGINE + ": ").removeprefix("engine ")
    text = text.split(" (")[0]
    try:
        limits = EngineRange.parse(text)
    except ValueError:
        return text or "범위가 적혀 있지 않습니다"
    words = []
    for bound in limits.bounds:
        version = ".".join(map(str, bound.version))
        words.append(f"{version} 계열" if bound.operator == "==" else
                     f"{version} {KOREAN_BOUNDS[bound.operator]}")  # fmt: skip
    return " ".join(words)


def _versions(versions: tuple[str, ...], short: bool) -> str:
    """The engines as they report themselves, or by their major.minor, joined by a dot."""
    return " · ".join(short_version(v) if short else v for v in versions)


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
    # One engine as it reports itself; when the line names several, their major.minor.
    full = result.engines + result.failed_on
    short = len(full) > 1
    engine = _versions(result.engines, short)
    also_failed = f" · {_versions(result.failed_on, short)}에서 실패" if result.failed_on else ""
    passed = passed_badge(result.status)
    if passed is not None:
        values = {
            "engine": engine,
            "also_failed": also_failed,
            "engines": ", ".join(full),
            "client": result.client,
            "date": result.date,
        }
        text, title = passed
        return _line(result.status, text.format(**values), title.format(**values))
    if result.status == "skipped":
        return _line(
            "skipped",
            f"건너뜀 · {korean_reason(result.reason)} · {result.date}",
            "이 예제는 마지막 테스트에서 실행하지 않았습니다",
        )
    if result.status == NOT_FOR_ENGINE_STATUS:
        store = korean_store(result.reason)
        limited = korean_range(result.reason) if store is None else store
        other = "다른 엔진용" if store is None else "다른 저장소용"
        ran = (
            f"✓ 도커 엔진 {engine}에서 통과 · {limited}용"
            if result.engines
            else f"{other} ({limited})"
        )
        title = (
            "이 예제는 지시문이 정한 도커 엔진 버전에서만 실행합니다"
            if store is None
            else "이 예제는 지시문이 정한 이미지 저장소에서만 실행합니다"
        )
        return _line(NOT_FOR_ENGINE_STATUS, f"{ran}{also_failed} · {result.date}", title)
    failed = _versions(result.failed_on, short) if result.failed_on else engine
    folded = (
        '<details class="test-badge__diff"><summary>차이 보기</summary>'
        f'<div class="test-badge__story">'
        f"{story(result.reason, result.details, failed, result.date)}</div></details>"
    )
    passed_too = f" · {engine}에서 통과" if result.failed_on and result.engines else ""
    return _line(
        "failed",
        f"✗ 도커 엔진 {failed}에서 실패{passed_too} · {result.date}",
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
