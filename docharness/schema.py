"""The report's schema: what a run writes (``docharness.report``) and the site and bench read.

`report/test-report.json` holds the last run of every page, `report/partial-report.json` a
run of some pages. One record per block (or per page that could not be parsed, kind
``page``), the Docker versions, the date and counts per page.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NotRequired, TypedDict

from docharness.engines import NOT_FOR_ENGINE_STATUS
from docharness.kinds import PASSED_STATUSES

REPORT_NAME = "test-report.json"  # the last run of every page: what the site's badges read
PARTIAL_NAME = "partial-report.json"  # a run of some pages: never overwrites the full report
RECORDINGS_FOLDER = "recordings"  # beside the reports: one asciicast v2 file per recorded block


def report_folder(root: Path, env: Mapping[str, str] = os.environ) -> Path:
    """Where reports live: ``report/`` in the checkout, or the folder DOCHARNESS_REPORT_DIR
    names (the harness's own tests move it); the site reads the complete report there."""
    return Path(env.get("DOCHARNESS_REPORT_DIR") or root / "report")


# In the order the report counts them; a kind's own passed status (synopsis) after the rest.
STATUSES = tuple(
    dict.fromkeys(("passed", "failed", "skipped", *PASSED_STATUSES, NOT_FOR_ENGINE_STATUS))
)
RAN = (*PASSED_STATUSES, "failed")  # a block with one of these really ran


class BlockRecord(TypedDict):
    """One block's result. ``details`` is a failure's story after ``reason`` (command, exit
    status, diff); ``kind`` is a block kind's name, or ``page`` for a page that broke."""

    page: str  # relative to the repository, POSIX form
    line: int  # the opening fence's line (a broken page: the line it breaks at)
    language: str
    kind: str
    status: str  # one of STATUSES
    reason: str | None
    details: NotRequired[str | None]  # not in a broken page's record
    duration: float
    # The block's terminal recording (asciicast v2), relative to the report's folder, as
    # recording_path names it in the report's recordings folder (recordings_folder_name);
    # None or absent when the block has none (skipped, not run, or not written).
    recording: NotRequired[str | None]


def recording_file(page: str, line: int) -> str:
    """A block's recording inside a recordings folder: ``page`` is the page's path relative to
    the repository (``docs/image-commands.md``), ``line`` the fence's line."""
    stem = Path(page).with_suffix("").as_posix().removeprefix("docs/")
    return f"{stem}/{line}.cast"


def recording_path(page: str, line: int, folder: str = RECORDINGS_FOLDER) -> str:
    """Where a block's recording lives, relative to the report folder: ``recording_file`` in
    the run's recordings folder (``recordings_folder_name``)."""
    return f"{folder}/{recording_file(page, line)}"


def recordings_folder_name(report: Path) -> str:
    """The folder beside ``report`` holding its run's recordings: ``recordings`` for the
    complete report the site reads, ``<stem>-recordings`` for any other (a run of some pages,
    an engine's row), so that no other run replaces what the complete report plays."""
    return RECORDINGS_FOLDER if report.name == REPORT_NAME else f"{report.stem}-recordings"


class Docker(TypedDict):
    client: str
    server: str


class Report(TypedDict):
    created: str  # ISO 8601, seconds
    complete: bool  # the run selected every page
    docker: Docker
    mode: str  # "lab" (the lab's daemons and stand-in images) or "own" (the reader's Docker)
    # What the results depend on (docharness.sources.fingerprint: pages, harness, lab, engine),
    # as the run found it when it started; None when it could not be told.
    sources: NotRequired[str | None]
    blocks: list[BlockRecord]  # sorted by page and line
    pages: dict[str, dict[str, int]]  # page -> "examples" and a count per status


def read_report(path: Path) -> Report | None:
    """The report at ``path``; None when there is none. An unknown status is a ValueError."""
    if not path.exists():
        return None
    report: Report = json.loads(path.read_text(encoding="utf-8"))
    for block in report["blocks"]:
        if block["status"] not in STATUSES:
            raise ValueError(f"{path}: unknown status {block['status']!r} for {block['page']}")
    return report
