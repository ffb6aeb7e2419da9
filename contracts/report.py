"""The report's contract: what a run writes (``docharness.report``) and the site and bench read.

`report/test-report.json` holds the last run of every page, `report/partial-report.json` a
run of some pages. One record per block (or per page that could not be parsed, kind
``page``), the Docker versions, the date and counts per page.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import NotRequired

from pydantic import TypeAdapter, ValidationError

# pydantic reads TypedDicts of typing_extensions only, on Python 3.11.
from typing_extensions import TypedDict

from contracts.layout import Layout

REPORT_NAME = "test-report.json"  # the last run of every page: what the site's badges read
PARTIAL_NAME = "partial-report.json"  # a run of some pages: never overwrites the full report
RECORDINGS_FOLDER = "recordings"  # beside the reports: one asciicast v2 file per recorded block


def report_folder(root: Path, env: Mapping[str, str] = os.environ) -> Path:
    """Where reports live: ``report/`` in the checkout, or the folder DOCHARNESS_REPORT_DIR
    names (the harness's own tests move it); the site reads the complete report there."""
    return Layout.from_env(env, root).report


class Status(StrEnum):
    """Every status a block's record can have, in the order the report counts them: the same
    for every kind. A passed block's badge and count word come from its record's ``kind``
    (``docharness.kinds``), so a new kind adds no status here."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_FOR_ENGINE = "not-for-engine"  # its output is another engine's or store's: not compared


STATUSES = tuple(Status)
RAN = (Status.PASSED, Status.FAILED)  # a block with one of these really ran


class BlockRecord(TypedDict):
    """One block's result. ``details`` is a failure's story after ``reason`` (command, exit
    status, diff); ``kind`` is a block kind's name, or ``page`` for a page that broke: a
    passed block's badge is its kind's."""

    page: str  # relative to the repository, POSIX form
    line: int  # the opening fence's line (a broken page: the line it breaks at)
    language: str
    kind: str
    status: Status
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
    # The image store the run's daemon ran (contracts.stores: "classic" or "containerd", from
    # its `docker info`), or "unknown" when it could not be asked; absent in reports written
    # before the store was recorded. The site names a containerd run's engine by it.
    store: NotRequired[str]


class Report(TypedDict):
    created: str  # ISO 8601, seconds
    complete: bool  # the run selected every page
    docker: Docker
    mode: str  # "lab" (the lab's daemons and stand-in images) or "own" (the reader's Docker)
    # What the results depend on (docharness.sources.fingerprint: pages, harness, lab, engine),
    # as the run found it when it started; None when it could not be told.
    sources: NotRequired[str | None]
    blocks: list[BlockRecord]  # sorted by page and line
    # page -> "examples" and a count per outcome (docharness.kinds.outcomes: each status, a
    # passed block under its kind's word, e.g. "synopsis")
    pages: dict[str, dict[str, int]]


REPORT = TypeAdapter(Report)
BLOCK = TypeAdapter(BlockRecord)  # one record, as it travels from an xdist worker


class ReportError(ValueError):
    """A file that is not a report: an unknown status, a missing or mistyped field."""


def read_report(path: Path) -> Report | None:
    """The report at ``path``; None when there is none. A file that is not one is a
    ReportError naming the file and, for an unknown status, the block's page."""
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    try:
        return REPORT.validate_json(text)
    except ValidationError as error:
        raise ReportError(f"{path}: {_problem(text, error)}") from None


def _problem(text: str, error: ValidationError) -> str:
    """The first thing wrong, in words: ``unknown status 'ok' for docs/a.md`` for a status."""
    first = error.errors()[0]
    where = first["loc"]
    if len(where) == 3 and where[0] == "blocks" and where[2] == "status":
        page = _page_of(text, where[1])
        # "synopsis" or "compose": a report of an older harness, which gave them statuses.
        return (
            f"unknown status {first['input']!r} for {page} "
            "(an older harness's report? `make test` writes it again)"
        )
    return f"not a report: {'.'.join(map(str, where))}: {first['msg']}"


def _page_of(text: str, index: int | str) -> str:
    """The page of the report's block ``index``, or ``?`` (only to word an error)."""
    data: object = json.loads(text)
    blocks = data.get("blocks") if isinstance(data, dict) else None
    if isinstance(blocks, list) and isinstance(index, int) and index < len(blocks):
        block = blocks[index]
        if isinstance(block, dict):
            return str(block.get("page", "?"))
    return "?"


def write_report(report: Report, path: Path) -> None:
    """Write the report as UTF-8 JSON (Korean reasons stay readable), whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A status that is no Status (a str where a member belongs) is an error, not a warning.
    text = REPORT.dump_json(report, indent=2, warnings="error").decode()
    write_json(path, text + "\n")


def write_json(path: Path, text: str) -> None:
    """Write then rename: a reader (the site build, the controller) never sees half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
