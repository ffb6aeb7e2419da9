"""The JSON report of a run: one record per block, counts per page, Docker versions and date.

Its contract is ``contracts.report``, which also reads and writes the file. With pytest-xdist
the records travel from the workers to the controller in their test reports
(``docharness.plugin``), which writes the one file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from contracts.report import STATUSES, BlockRecord, Report, Status
from docharness.kinds import outcome, outcomes
from docharness.model import CodeBlock


def record(
    block: CodeBlock,
    status: str,
    *,
    reason: str | None = None,
    details: str | None = None,
    duration: float = 0.0,
    root: Path | None = None,
) -> BlockRecord:
    """One block's result; ``page`` is relative to ``root`` (the current directory by default).

    ``details`` is the rest of a failure's story after ``reason`` (command, exit status, diff):
    the site shows it under the failed block.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r} (known: {', '.join(STATUSES)})")
    return {
        "page": page_name(block.path, root or Path.cwd()),
        "line": block.line,
        "language": block.language,
        "kind": block.kind,
        "status": Status(status),
        "reason": reason,
        "details": details,
        "duration": round(duration, 3),
    }


def page_record(path: Path, line: int, reason: str, *, root: Path | None = None) -> BlockRecord:
    """The failure of a page that could not be parsed: at the line it breaks, kind "page"."""
    return {
        "page": page_name(path, root or Path.cwd()),
        "line": line,
        "language": "markdown",
        "kind": "page",
        "status": Status.FAILED,
        "reason": reason,
        "duration": 0.0,
    }


def page_name(path: Path, root: Path) -> str:
    """`docs/image-commands.md`: the page relative to the repository, in POSIX form."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def build_report(
    records: Iterable[BlockRecord],
    *,
    docker: Mapping[str, str],
    mode: str,
    created: datetime | None = None,
    complete: bool = True,
    sources: str | None = None,
) -> Report:
    """The report's JSON object: records sorted by page and line, with counts per page.
    ``docker`` holds the client and server versions and the daemon's image store.

    ``complete`` says whether the run selected every page (a partial run's report is kept
    apart, and the site does not read it); ``sources`` is the run's fingerprint
    (``docharness.sources``).
    """
    ordered = sorted(records, key=lambda block: (block["page"], block["line"]))
    return {
        "created": (created or datetime.now(UTC)).isoformat(timespec="seconds"),
        "complete": complete,
        "docker": {
            "client": docker.get("client", "unknown"),
            "server": docker.get("server", "unknown"),
            "store": docker.get("store", "unknown"),
        },
        "mode": mode,
        "sources": sources,
        "blocks": ordered,
        "pages": summarise(ordered),
    }


def summarise(records: Iterable[BlockRecord]) -> dict[str, dict[str, int]]:
    """Per page: its examples and how many had each outcome (``kinds.outcomes``): passed,
    failed, skipped, checked as a synopsis..."""
    pages: dict[str, Counter[str]] = {}
    for block in records:
        counts = pages.setdefault(block["page"], Counter())
        counts["examples"] += 1
        counts[outcome(block["kind"], block["status"])] += 1
    keys = ("examples", *outcomes())
    return {page: {key: counts[key] for key in keys} for page, counts in sorted(pages.items())}
