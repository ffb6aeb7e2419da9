"""The JSON report: records, counts per page, the report read back."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.report import read_report, write_report
from docharness.kinds import outcomes
from docharness.model import CodeBlock
from docharness.report import build_report, page_name, record, summarise

ROOT = Path("/repo")
# A page's counts hold every outcome, zero or not: each status and each kind's own word.
NONE = dict.fromkeys(outcomes(), 0)


def block(page: str, line: int, kind: str = "transcript") -> CodeBlock:
    language = "python" if kind == "python" else "shell"
    return CodeBlock(ROOT / page, line, line + 3, language, language, "", kind)


def test_record_has_the_report_fields() -> None:
    result = record(
        block("docs/image-commands.md", 224),
        "skipped",
        reason="도커 허브 계정이 필요합니다",
        duration=0.12345,
        root=ROOT,
    )
    assert result == {
        "page": "docs/image-commands.md",
        "line": 224,
        "language": "shell",
        "kind": "transcript",
        "status": "skipped",
        "reason": "도커 허브 계정이 필요합니다",
        "details": None,
        "duration": 0.123,
    }
    with pytest.raises(ValueError, match="unknown status 'ok'"):
        record(block("docs/a.md", 1), "ok", root=ROOT)


def test_a_failure_keeps_its_details() -> None:
    """The diff of a failed block travels in the report: the site shows it under the block."""
    details = "  $ echo hello\n-goodbye\n+hello"
    result = record(
        block("docs/a.md", 3), "failed", reason="docs/a.md:4: output differs", details=details
    )
    assert (result["reason"], result["details"]) == ("docs/a.md:4: output differs", details)


def test_page_name_outside_the_root_is_kept() -> None:
    assert page_name(Path("/elsewhere/page.md"), ROOT) == "/elsewhere/page.md"


def test_records_make_one_report_that_reads_back(tmp_path: Path) -> None:
    records = [
        record(block("docs/image-commands.md", 224), "failed", reason="diff", root=ROOT),
        record(block("docs/image-commands.md", 100, "synopsis"), "passed", root=ROOT),
        record(block("docs/container-commands.md", 40), "passed", duration=2.5, root=ROOT),
        record(block("docs/container-commands.md", 80, "python"), "skipped", root=ROOT),
    ]
    when = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    docker = {"client": "28.2.2", "server": "20.10.24+dfsg1", "store": "classic"}
    report = build_report(records, docker=docker, mode="lab", created=when)
    assert report["created"] == "2024-05-01T09:30:00+00:00"
    assert report["docker"] == docker
    # A run that could not ask its daemon says so rather than guessing a store.
    unasked = build_report(records, docker={"server": "28.5.2"}, mode="lab")["docker"]
    assert unasked["store"] == "unknown"
    assert report["mode"] == "lab"
    assert [(b["page"], b["line"]) for b in report["blocks"]] == [
        ("docs/container-commands.md", 40),
        ("docs/container-commands.md", 80),
        ("docs/image-commands.md", 100),
        ("docs/image-commands.md", 224),
    ]
    # A passed synopsis is counted under its kind's word, its record's status is "passed".
    assert report["blocks"][2]["status"] == "passed"
    assert report["pages"] == {
        "docs/container-commands.md": {"examples": 2, **NONE, "passed": 1, "skipped": 1},
        "docs/image-commands.md": {"examples": 2, **NONE, "failed": 1, "synopsis": 1},
    }
    out = tmp_path / "report" / "test-report.json"
    write_report(report, out)
    assert json.loads(out.read_text(encoding="utf-8")) == report
    assert read_report(out) == report
    assert [p.name for p in (tmp_path / "report").iterdir()] == ["test-report.json"]
    run = read_report(out)
    assert run is not None and (run["docker"]["server"], run["mode"]) == ("20.10.24+dfsg1", "lab")
    assert read_report(tmp_path / "none.json") is None


def test_a_report_with_an_unknown_status_is_refused(tmp_path: Path) -> None:
    report = build_report(
        [record(block("docs/a.md", 5), "failed", root=ROOT)], docker={}, mode="own"
    )
    report["blocks"][0]["status"] = "ok"  # type: ignore[typeddict-item]
    with pytest.raises(ValueError, match="'ok'"):  # the writer refuses it
        write_report(report, tmp_path / "r.json")
    (tmp_path / "r.json").write_text(json.dumps(report), encoding="utf-8")  # a hand's edit
    with pytest.raises(ValueError, match="unknown status 'ok' for docs/a.md"):
        read_report(tmp_path / "r.json")


def test_a_report_of_an_older_harness_says_what_to_do(tmp_path: Path) -> None:
    """Before a passed block's badge came from its kind, a synopsis had status "synopsis"."""
    report = build_report(
        [record(block("docs/a.md", 5, "synopsis"), "passed", root=ROOT)], docker={}, mode="own"
    )
    text = json.dumps(report).replace('"status": "passed"', '"status": "synopsis"')
    (tmp_path / "r.json").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown status 'synopsis' for docs/a.md .*make test"):
        read_report(tmp_path / "r.json")


def test_the_counts_name_each_status_and_each_kinds_word() -> None:
    assert {"passed", "failed", "skipped", "not-for-engine", "synopsis"} <= set(NONE)


def test_summarise_and_build_report_without_parts() -> None:
    records = [record(block("docs/a.md", 9), "passed", root=ROOT)]
    assert summarise(records) == {"docs/a.md": {"examples": 1, **NONE, "passed": 1}}
    assert build_report(records, docker={}, mode="lab")["blocks"] == records
