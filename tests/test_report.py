"""The JSON report: records, parts per worker, merge, counts per page."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from docharness.model import BlockKind, CodeBlock
from docharness.report import (
    build_report,
    clear_parts,
    merge_parts,
    page_name,
    record,
    summarise,
    write_part,
    write_report,
)

ROOT = Path("/repo")


def block(page: str, line: int, kind: BlockKind = BlockKind.TRANSCRIPT) -> CodeBlock:
    language = "python" if kind is BlockKind.PYTHON else "shell"
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


def test_parts_from_two_workers_merge_into_one_report(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    gw0 = [
        record(block("docs/image-commands.md", 224), "failed", reason="diff", root=ROOT),
        record(block("docs/image-commands.md", 100, BlockKind.SYNOPSIS), "synopsis", root=ROOT),
    ]
    gw1 = [
        record(block("docs/container-commands.md", 40), "passed", duration=2.5, root=ROOT),
        record(block("docs/container-commands.md", 80, BlockKind.PYTHON), "skipped", root=ROOT),
    ]
    write_part(gw0, parts, "gw0")
    write_part(gw1, parts, "gw1")
    when = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    report = merge_parts(
        parts, docker={"client": "28.2.2", "server": "20.10.24+dfsg1"}, mode="lab", created=when
    )
    assert report["created"] == "2024-05-01T09:30:00+00:00"
    assert report["docker"] == {"client": "28.2.2", "server": "20.10.24+dfsg1"}
    assert report["mode"] == "lab"
    assert [(b["page"], b["line"]) for b in report["blocks"]] == [
        ("docs/container-commands.md", 40),
        ("docs/container-commands.md", 80),
        ("docs/image-commands.md", 100),
        ("docs/image-commands.md", 224),
    ]
    assert report["pages"] == {
        "docs/container-commands.md": {
            "examples": 2,
            "passed": 1,
            "failed": 0,
            "skipped": 1,
            "synopsis": 0,
            "not-for-engine": 0,
        },
        "docs/image-commands.md": {
            "examples": 2,
            "passed": 0,
            "failed": 1,
            "skipped": 0,
            "synopsis": 1,
            "not-for-engine": 0,
        },
    }
    out = tmp_path / "report" / "test-report.json"
    write_report(report, out)
    assert json.loads(out.read_text(encoding="utf-8")) == report
    assert [p.name for p in (tmp_path / "report").iterdir()] == ["test-report.json"]
    clear_parts(parts)
    assert list(parts.iterdir()) == []


def test_a_block_recorded_twice_keeps_its_last_record(tmp_path: Path) -> None:
    first = record(block("docs/a.md", 5), "failed", root=ROOT)
    write_part([first], tmp_path, "gw0")
    write_part([dict(first, status="passed")], tmp_path, "gw1")
    report = merge_parts(tmp_path, docker={}, mode="own")
    assert [b["status"] for b in report["blocks"]] == ["passed"]
    assert report["docker"] == {"client": "unknown", "server": "unknown"}


def test_summarise_and_build_report_without_parts() -> None:
    records = [record(block("docs/a.md", 9), "passed", root=ROOT)]
    assert summarise(records) == {
        "docs/a.md": {
            "examples": 1,
            "passed": 1,
            "failed": 0,
            "skipped": 0,
            "synopsis": 0,
            "not-for-engine": 0,
        }
    }
    assert build_report(records, docker={}, mode="lab")["blocks"] == records
