"""MkDocs hook: one quiet line above each shell and Python block with its latest test result.

Results come from the harness's report (`report/test-report.json`, or the folder that
`DOCHARNESS_REPORT_DIR` names) and are matched by page path (`docs/xxx.md`, relative to the
repository) and the line of the block's opening fence. A passed block names the Docker Engine
version(s) it passed on (by major.minor, as every part of the site names engines) and the
date: every engine of the matrix (`test-engines.json` beside the report, from `make
test-engines`) when there is one, else the report's single engine, and the engines where it
passed only when the matrix ran its page again. A failed block carries
its diff from the report, folded; a skipped one its reason in Korean sentences (the first on
the line, the rest folded); a block limited to other engines says which engines print its
output, in plain Korean. Without a report, or for a block the report does not
know, the line says the block has not run yet. A block the run recorded gets the control that
plays its terminal recording beside its line (hooks/recordings.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from code_blocks import rendered
from engine_names import engine_name, engine_numbers, range_words
from failure_story import story
from recordings import Recording, control, published

from contracts.layout import ROOT  # the repository: report paths are relative to it
from contracts.matrix import MATRIX_NAME, EngineMatrix, engine_label, read_matrix, trusted
from contracts.report import (
    REPORT_NAME,
    BlockRecord,
    Report,
    Status,
    read_report,
    report_folder,
)
from docharness import kinds
from docharness.engines import (
    NOT_FOR_ENGINE,
    NOT_FOR_ENGINE_STATUS,
    NOT_FOR_STORE,
    EngineRange,
)

# The harness's own skip reasons (docharness/page.py) by prefix, in the reader's words: a
# sentence for the line, and a second one behind "자세히". A page's `skip` directive gives its
# own reason in Korean; an English one no entry here translates fails the build.
SKIP_REASONS = {
    "needs network: the lab has no internet": (
        "인터넷이 필요합니다.",
        "테스트하는 실험실은 인터넷에 닿지 않아서 이 예제를 실행하지 않았습니다.",
    ),
    "needs network: Docker Hub is unreachable": (
        "도커 허브가 필요합니다.",
        "테스트할 때 도커 허브에 닿지 않아서 이 예제를 실행하지 않았습니다.",
    ),
    "needs network": (
        "인터넷이 필요합니다.",
        "테스트할 때 인터넷에 닿지 않아서 이 예제를 실행하지 않았습니다.",
    ),
}
_HANGUL = re.compile("[가-힣]")
# The end of a sentence in 합니다체: ...니다. (or ...니까? for a question).
_SENTENCE = re.compile(r"(?<=[다까][.?])\s+")


@dataclass(frozen=True)
class Result:
    """What the report says about one block."""

    status: Status
    kind: str  # its kind's name (docharness.kinds): a passed block's badge is its kind's
    reason: str | None
    details: str | None  # a failure's command, exit status and diff
    date: str  # YYYY-MM-DD of the run
    engines: tuple[str, ...]  # Docker Engine versions the result holds for
    client: str  # Docker CLI version (a synopsis is checked against its --help)
    failed_on: tuple[str, ...] = ()  # engines of the matrix where the block failed
    recording: Recording | None = None  # its terminal recording, when the site has it


Results = dict[tuple[str, int], Result]


def engines(
    report: Report, block: BlockRecord, matrix: EngineMatrix | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The Docker Engine versions a block passed on, and those it failed on.

    With the matrix (``test-engines.json``) where it agrees with the report
    (``contracts.matrix.trusted``): the rows docharness.matrix found it passed and failed on.
    Otherwise, the report's one engine.
    """
    # Named with its store: "28.5.2 (containerd 저장소)" on the containerd image store.
    label = engine_label(report.get("docker") or {"client": "?", "server": "?"})
    status = block.get("status")
    fallback = ((label,), ()) if status in (Status.PASSED, Status.FAILED) else ((), ())
    if not matrix or status is None:
        return fallback
    found = trusted(matrix, label, block["page"], block["line"], status)
    if found is None:
        return fallback
    return tuple(found["passed_on"]), tuple(found["failed_on"])


def report_path() -> Path:
    return report_folder(ROOT) / REPORT_NAME


def load_report(path: Path) -> Results:
    """(page, fence line) -> result; empty when the report does not exist.

    The engine matrix is read from the same folder when ``make test-engines`` wrote it.
    """
    data = read_report(path)
    if data is None:
        return {}
    matrix = read_matrix(path.with_name(MATRIX_NAME))
    date = data["created"][:10]
    client = data["docker"]["client"] or "?"
    results: Results = {}
    for block in data["blocks"]:
        passed_on, failed_on = engines(data, block, matrix)
        results[(block["page"], block["line"])] = Result(
            block["status"],
            block["kind"],
            block.get("reason"),
            block.get("details"),
            date,
            passed_on,
            client,
            failed_on,
            published(path.parent, data, block),
        )
    return results


class ReasonError(ValueError):
    """A reason the reader would see in English, or not in 합니다체."""


def korean_reason(reason: str | None) -> tuple[str, str]:
    """A skip reason as the reader sees it: its first sentence for the badge's line, the rest
    (maybe empty) behind "자세히". Raises ReasonError for a reason not in Korean sentences."""
    if not reason:
        return "이유가 적혀 있지 않습니다.", ""
    for prefix, korean in SKIP_REASONS.items():
        if reason.startswith(prefix):
            return korean
    if not _HANGUL.search(reason):
        raise ReasonError(
            f"skip reason {reason!r} is not in Korean: give it Korean words in "
            "hooks/test_badges.py SKIP_REASONS (or in the page's skip directive)"
        )
    sentences = _SENTENCE.split(reason.strip())
    if not all(s.endswith(("다", "다.", "까?")) for s in sentences):
        raise ReasonError(
            f"skip reason {reason!r}: write it in sentences ending in 합니다체 (…니다.)"
        )
    return sentences[0], " ".join(sentences[1:])


def korean_range(reason: str | None) -> tuple[str, str]:
    """``not for this engine: engine <25 (this engine: 28.5.2)`` -> the range in words
    (``엔진 25 이전에서만 나오는 출력``) and the engine the run had (``도커 엔진 28.5``, or empty
    when the reason does not say). Raises ReasonError for a reason that is not a range."""
    text = (reason or "").removeprefix(NOT_FOR_ENGINE + ": ").removeprefix("engine ")
    limits, _, this = text.partition(" (this engine: ")
    try:
        words = range_words(EngineRange.parse(limits))
    except ValueError as error:
        raise ReasonError(f"not an engine range: {reason!r} ({error})") from None
    return words, engine_name(this.removesuffix(")")) if this else ""


KOREAN_STORES = {"classic": "기존 이미지 저장소", "containerd": "containerd 이미지 저장소"}


def korean_store(reason: str | None) -> tuple[str, str] | None:
    """``not for this store: store classic (this daemon: containerd)`` -> the store in words
    (``기존 이미지 저장소에서만 나오는 출력``) and the daemon's (``containerd 이미지 저장소``);
    None for a reason that is not about the store."""
    if not (reason or "").startswith(NOT_FOR_STORE + ": "):
        return None
    text = (reason or "").removeprefix(NOT_FOR_STORE + ": ").removeprefix("store ")
    store, _, this = text.partition(" (this daemon: ")
    if store not in KOREAN_STORES:
        raise ReasonError(f"not an image store: {reason!r}")
    running = KOREAN_STORES.get(this.removesuffix(")"), "")
    return f"{KOREAN_STORES[store]}에서만 나오는 출력", running


def _line(status: str, text: str, title: str, folded: str = "", play: str = "") -> str:
    """One badge line: its text, the recording's control (``play``) beside it, and what it
    keeps folded."""
    return (
        f'<div class="test-badge test-badge--{status}" title="{html.escape(title)}" '
        f'data-search-exclude><span class="test-badge__text">{html.escape(text)}</span>'
        f"{play}{folded}</div>"
    )


def _folded(summary: str, inside: str) -> str:
    """What a badge's line keeps folded: the diff of a failure, the rest of a skip reason."""
    return (
        f'<details class="test-badge__diff"><summary>{summary}</summary>'
        f'<div class="test-badge__story">{inside}</div></details>'
    )


def badge(result: Result | None) -> str:
    """The badge's HTML: one line, kept out of the search index. Engines are named one way
    everywhere, by their major.minor (engine_names)."""
    if result is None:
        return _line("not-run", "아직 실행 안 됨", "이 예제는 아직 테스트하지 않았습니다")
    play = control(result.recording) if result.recording else ""
    engine = engine_numbers(result.engines)
    failed_on = engine_numbers(result.failed_on)
    also_failed = f" · {failed_on}에서 실패" if result.failed_on else ""
    if result.status == Status.PASSED:
        entry = kinds.kind(result.kind)
        values = {
            "engine": engine,
            "also_failed": also_failed,
            "engines": engine_numbers(result.engines + result.failed_on),
            "client": engine_numbers((result.client,)),
            "date": result.date,
        }
        text, title = entry.badge
        return _line(entry.passed_as, text.format(**values), title.format(**values), play=play)
    if result.status == "skipped":
        first, rest = korean_reason(result.reason)
        more = _folded("자세히", f"<p>{html.escape(rest)}</p>") if rest else ""
        return _line(
            "skipped",
            f"건너뜀 · {first.removesuffix('.')} · {result.date}",  # the line's · ends it
            f"이 예제는 마지막 테스트에서 실행하지 않았습니다. {first} {rest}".strip(),
            more,
            play,
        )
    if result.status == NOT_FOR_ENGINE_STATUS:
        store = korean_store(result.reason)
        words, this = store if store is not None else korean_range(result.reason)
        kind = "저장소" if store is not None else "엔진"
        if result.engines:
            text = f"✓ 도커 엔진 {engine}에서 통과 · {words}{also_failed}"
            title = (
                f"이 예제의 출력은 {words.removesuffix(' 나오는 출력')} 나오는 모양입니다. "
                f"다른 {kind}에서는 출력이 달라서, 테스트는 이 {kind}에서만 출력을 비교합니다."
            )
        else:
            text = f"{words} · 이번 테스트에서는 실행 안 함"
            where = f"{this}에서" if this else f"다른 {kind}에서"
            title = (
                f"이 예제의 출력은 {words.removesuffix(' 나오는 출력')} 나오는 모양입니다. "
                f"이번 테스트는 {where} 실행해서 이 예제를 실행하지 않았습니다."
            )
        return _line(NOT_FOR_ENGINE_STATUS, f"{text} · {result.date}", title, play=play)
    failed = failed_on if result.failed_on else engine
    folded = _folded("차이 보기", story(result.reason, result.details, failed, result.date))
    passed_too = f" · {engine}에서 통과" if result.failed_on and result.engines else ""
    return _line(
        "failed",
        f"✗ 도커 엔진 {failed}에서 실패{passed_too} · {result.date}",
        "마지막 테스트에서 페이지와 다른 결과가 나왔습니다",
        folded,
        play,
    )


def badged(page_html: str, source: str, page: str, results: Results) -> str:
    """``page_html`` with a badge in front of every tested block of ``source``."""
    out: list[str] = []
    done = 0
    for block in rendered(Path(page), source, page_html, tested_only=True):
        result = results.get((page, block.fence.line))
        try:
            line = badge(result)
        except ReasonError as error:  # the report's reason, placed at the block it is for
            raise ReasonError(f"{page}:{block.fence.line}: {error}") from None
        out += [page_html[done : block.block_start], line]
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
