"""The run's sources (docharness.sources) and the engine matrix's reuse of make test's run."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from contracts.report import Report
from docharness import matrix
from docharness.sources import SourcesUnknown, fingerprint

SID = {"docker.io": "28.5.2+dfsg4-5"}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git checkout with a page, a harness module, an ignored cache and a README."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("# page\n")
    (tmp_path / "docharness").mkdir()
    (tmp_path / "docharness" / "run.py").write_text("x = 1\n")
    (tmp_path / "README.md").write_text("readme\n")
    (tmp_path / ".gitignore").write_text("docs/cache/\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    return tmp_path


def test_a_change_to_a_page_the_harness_or_the_engine_changes_the_sources(checkout: Path) -> None:
    before = fingerprint(checkout, "sid", "sid", SID)
    assert fingerprint(checkout, "sid", "sid", SID) == before
    assert fingerprint(checkout, "trixie", "trixie", SID) != before
    assert fingerprint(checkout, "sid", "sid", {"docker.io": "28.5.3"}) != before
    (checkout / "docs" / "page.md").write_text("# page, edited\n")  # not committed: still counts
    edited = fingerprint(checkout, "sid", "sid", SID)
    assert edited != before
    (checkout / "docharness" / "new.py").write_text("y = 2\n")  # new, not yet added
    assert fingerprint(checkout, "sid", "sid", SID) != edited


def test_ignored_files_and_files_outside_the_sources_do_not_count(checkout: Path) -> None:
    before = fingerprint(checkout, "sid", "sid", SID)
    (checkout / "docs" / "cache").mkdir()
    (checkout / "docs" / "cache" / "x.json").write_text("{}\n")
    (checkout / "README.md").write_text("another readme\n")
    assert fingerprint(checkout, "sid", "sid", SID) == before


def test_a_removed_page_changes_the_sources(checkout: Path) -> None:
    before = fingerprint(checkout, "sid", "sid", SID)
    (checkout / "docs" / "page.md").unlink()
    assert fingerprint(checkout, "sid", "sid", SID) != before


def test_a_folder_that_is_no_checkout_cannot_be_fingerprinted(tmp_path: Path) -> None:
    with pytest.raises(SourcesUnknown, match="cannot list the checkout's files"):
        fingerprint(tmp_path, "sid", "sid", SID)


def report(**changes: Any) -> Report:
    base: Report = {
        "created": "2026-12-07T03:00:00+00:00",
        "complete": True,
        "docker": {"client": "28.5.2", "server": "28.5.2"},
        "mode": "lab",
        "sources": "abc",
        "blocks": [
            {
                "page": "docs/a.md",
                "line": 3,
                "language": "console",
                "kind": "transcript",
                "status": "passed",
                "reason": None,
                "duration": 0.1,
            }
        ],
        "pages": {},
    }
    return {**base, **changes}  # type: ignore[typed-dict-item]


def test_make_tests_run_stands_for_the_engine_only_when_everything_matches() -> None:
    assert matrix.reusable(report(), "abc") is None
    assert matrix.reusable(None, "abc") == "no test-report.json yet"
    assert "other pages, harness, lab or engine" in str(matrix.reusable(report(), "abd"))
    assert "other pages" in str(matrix.reusable(report(sources=None), "abc"))
    assert "not a lab run of every page" in str(matrix.reusable(report(complete=False), "abc"))
    assert "not a lab run of every page" in str(matrix.reusable(report(mode="own"), "abc"))
    failed = report()
    failed["blocks"] = [{**failed["blocks"][0], "status": "failed"}]
    assert matrix.reusable(failed, "abc") == "test-report.json has failed blocks"
