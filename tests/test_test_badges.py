"""Unit tests of hooks/test_badges.py: reading the report and matching blocks to it."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import markdown
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks"))
import test_badges  # noqa: E402

from contracts.matrix import MATRIX_NAME  # noqa: E402
from contracts.matrix import write_matrix as write_matrix_file  # noqa: E402
from contracts.report import Status  # noqa: E402
from docharness import kinds, page  # noqa: E402
from docharness.daemon import Daemon  # noqa: E402
from docharness.fences import parse_page  # noqa: E402
from docharness.matrix import assemble, row  # noqa: E402

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
        "complete": True,
        "docker": {"client": "28.2.2", "server": "20.10.24+dfsg1"},
        "mode": "lab",
        "blocks": blocks,
        "pages": {},
    }
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def block(
    line: int,
    status: str,
    reason: str | None = None,
    details: str | None = None,
    kind: str = "transcript",
) -> dict[str, object]:
    return {"page": PAGE, "line": line, "language": "shell", "kind": kind,
            "status": status, "reason": reason, "details": details, "duration": 0.1}  # fmt: skip


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
                block(32, "passed", kind="synopsis"),
                block(40, "passed"),
            ],
        )
    )
    page_html = test_badges.badged(render(SOURCE), SOURCE, PAGE, results)
    # line 24 (python) is not in the report: not run yet
    assert badges(page_html) == ["passed", "failed", "skipped", "not-run", "synopsis", "passed"]
    assert "인터넷이 필요합니다" in page_html
    assert "✓ 도커 엔진 20.10에서 통과 · 2025-11-27" in page_html
    assert "✓ 명령 형식 확인 · 도커 클라이언트 28.2 · 2025-11-27" in page_html
    # each badge sits right before its block, and the search index leaves it out
    assert len(re.findall(r"data-search-exclude>.*?</div><div", page_html)) == 6


def test_a_failed_block_carries_its_diff_folded(tmp_path: Path) -> None:
    details = "  $ docker ps\n-CONTAINER ID\n+CONTAINER  ID <&>"
    results = test_badges.load_report(
        write_report(
            tmp_path / "r.json",
            [block(3, "failed", "docs/sample.md:4: output differs from the page", details)],
        )
    )
    page_html = test_badges.badged(render(SOURCE), SOURCE, PAGE, results)
    folded = re.search(r'<details class="test-badge__diff">(.*?)</details>', page_html, re.S)
    assert folded is not None and "<summary>차이 보기</summary>" in folded.group(1)
    story = folded.group(1)
    # in Korean around the harness's diff, its lines kept and escaped
    assert "출력이 페이지와 다릅니다 · 도커 엔진 20.10 · 2025-11-27" in story
    assert "명령: <code>$ docker ps</code>" in story
    assert "− 기대한 출력 (페이지)" in story and "+ 실제 출력 (도커 엔진 20.10)" in story
    assert '<pre tabindex="0">-CONTAINER ID\n+CONTAINER  ID &lt;&amp;&gt;</pre>' in story
    assert "output differs" not in story
    assert "✗ 도커 엔진 20.10에서 실패 · 2025-11-27" in page_html


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        (
            "needs network: the lab has no internet",
            (
                "인터넷이 필요합니다.",
                "테스트하는 실험실은 인터넷에 닿지 않아서 이 예제를 실행하지 않았습니다.",
            ),
        ),
        (
            "needs network: Docker Hub is unreachable",
            (
                "도커 허브가 필요합니다.",
                "테스트할 때 도커 허브에 닿지 않아서 이 예제를 실행하지 않았습니다.",
            ),
        ),
        ("도커 허브 계정이 필요합니다", ("도커 허브 계정이 필요합니다", "")),  # a page's own reason
        (  # a page's longer reason: its first sentence on the line, the rest folded
            "계정이 필요합니다. 실험실에는 계정이 없습니다.",
            ("계정이 필요합니다.", "실험실에는 계정이 없습니다."),
        ),
        (None, ("이유가 적혀 있지 않습니다.", "")),
    ],
)
def test_skip_reasons_are_shown_in_korean(reason: str | None, shown: tuple[str, str]) -> None:
    assert test_badges.korean_reason(reason) == shown


@pytest.mark.parametrize(
    "reason", ["needs a registry", "계정이 필요함", "계정이 필요합니다. 실험실엔 없음"]
)
def test_a_reason_not_in_korean_sentences_is_an_error(tmp_path: Path, reason: str) -> None:
    """English, or Korean not in 합니다체, never reaches the reader: the build fails at the
    block's fence."""
    results = test_badges.load_report(
        write_report(tmp_path / "r.json", [block(3, "skipped", reason)])
    )
    with pytest.raises(test_badges.ReasonError, match=r"docs/sample.md:3: skip reason"):
        test_badges.badged(render(SOURCE), SOURCE, PAGE, results)


def test_the_harness_skip_reasons_all_have_korean_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every reason the harness's one rule (docharness.page.skip_reason) gives is translated."""
    monkeypatch.setattr(page, "_engine", lambda host: "28.5.2+dfsg4")
    source = "<!-- test: requires network -->\n```shell\n$ echo hi\nhi\n```\n"
    source += "\n<!-- test: engine <26 -->\n```shell\n$ echo hi\nhi\n```\n"
    online, old = parse_page(tmp_path / "p.md", source)
    for mode in ("lab", "own"):
        reason = page.skip_reason(online, Daemon("unix:///nowhere", mode))
        assert reason is not None and reason.startswith("needs network")
        first, rest = test_badges.korean_reason(reason)
        assert first.endswith("니다.") and rest.endswith("니다."), reason
    words, engine = test_badges.korean_range(page.skip_reason(old, Daemon("unix:///n", "lab")))
    assert (words, engine) == ("엔진 26 이전에서만 나오는 출력", "도커 엔진 28.5")


def test_engine_versions_are_read_in_one_place() -> None:
    report = {"docker": {"client": "28.2.2", "server": "28.5.1"}}
    passed = {"page": PAGE, "line": 3, "status": "passed"}
    assert test_badges.engines(report, passed) == (("28.5.1",), ())
    assert test_badges.engines({}, {"status": "failed"}) == (("?",), ())
    assert test_badges.engines(report, {**passed, "status": "skipped"}) == ((), ())
    # A run on the containerd image store is named with it; "classic" and "unknown" are not.
    on_containerd = {"docker": {**report["docker"], "store": "containerd"}}
    assert test_badges.engines(on_containerd, passed) == (("28.5.1 (containerd 저장소)",), ())
    on_classic = {"docker": {**report["docker"], "store": "classic"}}
    assert test_badges.engines(on_classic, passed) == (("28.5.1",), ())


ENGINES = {
    "bookworm": {"client": "20.10.24+dfsg1", "server": "20.10.24+dfsg1"},
    "trixie": {"client": "26.1.5+dfsg1", "server": "26.1.5+dfsg1"},
    "sid": {"client": "28.5.2+dfsg4", "server": "28.5.2+dfsg4"},
}


def write_matrix(
    folder: Path,
    blocks: dict[int, dict[str, str]],
    engines: dict[str, dict[str, str]] = ENGINES,
) -> None:
    """``test-engines.json`` as docharness.matrix writes it: per block, a status per engine."""
    rows = {name: row(docker, docker.get("store", "?")) for name, docker in engines.items()}
    results = {
        (PAGE, line): {name: {"status": Status(got), "reason": None} for name, got in by.items()}
        for line, by in blocks.items()
    }
    write_matrix_file(folder / MATRIX_NAME, assemble(rows, results))


def sid_report(folder: Path, blocks: list[dict[str, object]], store: str = "classic") -> Path:
    """A report of sid's 28.5 on ``store`` beside the matrix."""
    path = write_report(folder / "test-report.json", blocks)
    data = json.loads(path.read_text())
    data["docker"] = {"client": "28.5.2+dfsg4", "server": "28.5.2+dfsg4", "store": store}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def badge_texts(page_html: str) -> list[str]:
    return re.findall(r'class="test-badge__text">(.*?)</span>', page_html)


def test_badges_name_every_engine_of_the_matrix(tmp_path: Path) -> None:
    everywhere = {"bookworm": "passed", "trixie": "passed", "sid": "passed"}
    older = {"bookworm": "passed", "trixie": "not-for-engine", "sid": "not-for-engine"}
    write_matrix(
        tmp_path,
        {
            3: everywhere,
            10: {"bookworm": "failed", "trixie": "passed", "sid": "passed"},
            18: older,
            40: {"bookworm": "passed", "trixie": "passed", "sid": "failed"},
        },
    )
    reason = "not for this engine: engine <26 (this engine: 28.5.2+dfsg4)"
    report = sid_report(
        tmp_path,
        [
            block(3, "passed"),
            block(10, "passed"),
            block(18, "not-for-engine", reason),
            block(24, "not-for-engine", reason),  # the matrix does not know it: no engine
            block(40, "failed", "docs/sample.md:41: output differs from the page"),
        ],
    )
    texts = badge_texts(test_badges.badged(render(SOURCE), SOURCE, PAGE, load(report)))
    assert texts == [
        "✓ 도커 엔진 20.10 · 26.1 · 28.5에서 통과 · 2025-11-27",
        "✓ 도커 엔진 26.1 · 28.5에서 통과 · 20.10에서 실패 · 2025-11-27",
        "✓ 도커 엔진 20.10에서 통과 · 엔진 26 이전에서만 나오는 출력 · 2025-11-27",
        "엔진 26 이전에서만 나오는 출력 · 이번 테스트에서는 실행 안 함 · 2025-11-27",
        "아직 실행 안 됨",
        "✗ 도커 엔진 28.5에서 실패 · 20.10 · 26.1에서 통과 · 2025-11-27",
    ]


def test_the_default_is_the_containerd_row_and_the_classic_row_is_named_beside_it(
    tmp_path: Path,
) -> None:
    """sid (classic store) and sid-containerd (the default) report one version: the badge
    names the store, and the report (make test on the containerd default) is matched with the
    containerd row, not with the classic one of the same version."""
    engines = {
        **ENGINES,
        "sid": {**ENGINES["sid"], "store": "classic"},
        "sid-containerd": {**ENGINES["sid"], "store": "containerd"},
    }
    store_reason = "not for this store: store classic (this daemon: containerd)"
    write_matrix(
        tmp_path,
        {
            3: {
                "bookworm": "passed",
                "trixie": "passed",
                "sid": "passed",
                "sid-containerd": "passed",
            },
            10: {
                "bookworm": "passed",
                "trixie": "passed",
                "sid": "passed",
                "sid-containerd": "not-for-engine",
            },
            18: {
                "bookworm": "not-for-engine",
                "trixie": "not-for-engine",
                "sid": "not-for-engine",
                "sid-containerd": "passed",
            },
        },
        engines,
    )
    blocks = [block(3, "passed"), block(10, "not-for-engine", store_reason), block(18, "passed")]
    report = sid_report(tmp_path, blocks, store="containerd")
    texts = badge_texts(test_badges.badged(render(SOURCE), SOURCE, PAGE, load(report)))
    assert texts[:3] == [
        "✓ 도커 엔진 20.10 · 26.1 · 28.5 · 28.5 (containerd 저장소)에서 통과 · 2025-11-27",
        "✓ 도커 엔진 20.10 · 26.1 · 28.5에서 통과 · 기존 이미지 저장소에서만 나오는 출력"
        " · 2025-11-27",
        "✓ 도커 엔진 28.5 (containerd 저장소)에서 통과 · 2025-11-27",
    ]
    # Read as a classic run, the report is matched with the classic row, which did not run
    # line 18: the matrix is not trusted for it and the badge names the run's engine alone.
    classic = sid_report(tmp_path, blocks, store="classic")
    texts = badge_texts(test_badges.badged(render(SOURCE), SOURCE, PAGE, load(classic)))
    assert texts[2] == "✓ 도커 엔진 28.5에서 통과 · 2025-11-27"


def load(report: Path) -> test_badges.Results:
    return test_badges.load_report(report)


def test_without_the_matrix_the_report_engine_is_named(tmp_path: Path) -> None:
    """Only `make test` ran: the badge names the one engine of report.json."""
    report = sid_report(tmp_path, [block(3, "passed")])
    texts = badge_texts(test_badges.badged(render(SOURCE), SOURCE, PAGE, load(report)))
    assert texts[0] == "✓ 도커 엔진 28.5에서 통과 · 2025-11-27"


def test_a_matrix_that_disagrees_with_the_report_is_not_trusted(tmp_path: Path) -> None:
    """A matrix from before the page changed: the block failed on sid there, passed now."""
    write_matrix(tmp_path, {3: {"bookworm": "passed", "trixie": "passed", "sid": "failed"}})
    report = sid_report(tmp_path, [block(3, "passed")])
    texts = badge_texts(test_badges.badged(render(SOURCE), SOURCE, PAGE, load(report)))
    assert texts[0] == "✓ 도커 엔진 28.5에서 통과 · 2025-11-27"
    # nor one whose engines do not include the report's
    write_matrix(tmp_path, {3: {"bookworm": "passed", "trixie": "passed", "sid": "passed"}})
    other = sid_report(tmp_path, [block(3, "passed")])
    data = json.loads(other.read_text())
    data["docker"]["server"] = "29.0.1"  # e.g. DOCS_DOCKER=own after a lab matrix
    other.write_text(json.dumps(data), encoding="utf-8")
    texts = badge_texts(test_badges.badged(render(SOURCE), SOURCE, PAGE, load(other)))
    assert texts[0] == "✓ 도커 엔진 29.0에서 통과 · 2025-11-27"


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("<26 (this engine: 28.5.2+dfsg4)", "엔진 26 이전에서만 나오는 출력"),
        (">=28 (this engine: 20.10.24+dfsg1)", "엔진 28부터 나오는 출력"),
        (">=23,<26 (this engine: 28.5.2)", "엔진 23부터 26 이전까지 나오는 출력"),
        ("<=25,>20 (this engine: 28.5.2)", "엔진 20 다음 버전부터 25까지 나오는 출력"),
        ("<=25 (this engine: 28.5.2)", "엔진 25까지만 나오는 출력"),
        ("20.10 (this engine: 28.5.2)", "엔진 20.10에서만 나오는 출력"),
        (">=23,>=24 (this engine: 28.5.2)", "엔진 범위(23부터, 24부터)에서만 나오는 출력"),
    ],
)
def test_engine_ranges_are_said_in_korean(reason: str, shown: str) -> None:
    words, engine = test_badges.korean_range(f"not for this engine: engine {reason}")
    assert words == shown
    assert engine in ("도커 엔진 28.5", "도커 엔진 20.10")


def test_a_reason_that_is_no_range_is_an_error() -> None:
    with pytest.raises(test_badges.ReasonError, match="not an engine range"):
        test_badges.korean_range("not for this engine: something else")


def test_a_block_for_the_other_image_store_names_that_store_in_korean(tmp_path: Path) -> None:
    """The default (classic) run skips a block written for the containerd image store, and
    the other way round; the badge names the store, never an engine range."""
    report = sid_report(
        tmp_path,
        [
            block(
                3, "not-for-engine", "not for this store: store containerd (this daemon: classic)"
            ),
            block(
                10, "not-for-engine", "not for this store: store classic (this daemon: containerd)"
            ),
        ],
    )
    texts = badge_texts(test_badges.badged(render(SOURCE), SOURCE, PAGE, load(report)))
    assert texts[:2] == [
        "containerd 이미지 저장소에서만 나오는 출력 · 이번 테스트에서는 실행 안 함 · 2025-11-27",
        "기존 이미지 저장소에서만 나오는 출력 · 이번 테스트에서는 실행 안 함 · 2025-11-27",
    ]
    page_html = test_badges.badged(render(SOURCE), SOURCE, PAGE, load(report))
    assert "이 예제의 출력은 containerd 이미지 저장소에서만 나오는 모양입니다" in page_html
    assert test_badges.korean_store("not for this engine: engine <26 (this engine: 28.5)") is None


def test_the_report_folder_can_be_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCHARNESS_REPORT_DIR", str(tmp_path))
    assert test_badges.report_path() == tmp_path / "test-report.json"
    monkeypatch.delenv("DOCHARNESS_REPORT_DIR")
    assert test_badges.report_path() == test_badges.ROOT / "report" / "test-report.json"


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


def test_only_fences_the_harness_collects_get_a_badge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Badges pick fences by language and body (``kinds.classify``), as collection does: a
    fence of a tested language that no kind accepts is not a tested block."""
    python = kinds.kind("python")
    picky = replace(python, accepts=lambda source: "docker" in source)
    monkeypatch.setattr(kinds, "KINDS", tuple(picky if k is python else k for k in kinds.KINDS))
    source = "```python\nprint(1)\n```\n\n```python\nimport docker\n```\n"
    page_html = test_badges.badged(render(source), source, PAGE, {})
    assert badges(page_html) == ["not-run"]
    assert page_html.index("test-badge") > page_html.index("print")
