"""The JSON report of a run: one record per block, counts per page, Docker versions and date.

Its schema is ``docharness.schema``. With pytest-xdist the records travel from the workers to
the controller in their test reports (``docharness.plugin``), which writes the one file.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from docharness.model import CodeBlock
from docharness.schema import STATUSES, BlockRecord, Report, read_report


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
        "kind": block.kind.value,
        "status": status,
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
        "status": "failed",
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
        },
        "mode": mode,
        "sources": sources,
        "blocks": ordered,
        "pages": summarise(ordered),
    }


def summarise(records: Iterable[BlockRecord]) -> dict[str, dict[str, int]]:
    """Per page: its examples and how many passed, failed, were skipped, were synopses."""
    pages: dict[str, Counter[str]] = {}
    for block in records:
        counts = pages.setdefault(block["page"], Counter())
        counts["examples"] += 1
        counts[block["status"]] += 1
    keys = ("examples", *STATUSES)
    return {page: {key: counts[key] for key in keys} for page, counts in sorted(pages.items())}


def write_report(report: Report, path: Path) -> None:
    """Write the report as UTF-8 JSON (Korean reasons stay readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(path, report)


def _write_json(path: Path, data: object) -> None:
    # Write then rename: a reader (the site build, the controller) never sees half a file.
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)


@dataclass(frozen=True)
class Run:
    """What a report says about the run as a whole: the Docker it ran against and when."""

    client: str
    server: str
    mode: str  # "lab" (the lab's daemons and stand-in images) or "own" (the reader's Docker)
    created: str


def read_run(path: Path) -> Run | None:
    """The run described by the report at ``path``; None when there is no report yet."""
    report = read_report(path)
    if report is None:
        return None
    docker = report["docker"]
    return Run(docker["client"], docker["server"], report["mode"], report["created"])
