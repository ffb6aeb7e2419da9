"""The run records' contract: ``<runs folder>/<pid>.json``, written and read by
``docharness.runs``, one per process that holds a daemon.

A record names the process (its PID and start time, so a reused PID is not taken for it), the
daemon it holds, the daemon's state when it claimed it (``Snapshot``), the block it runs now and
the hub repositories its pages pushed: what the next run's sweep needs should this one die.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError


@dataclass(frozen=True)
class Snapshot:
    """IDs (names for volumes) of what exists on a daemon at one moment (docharness.cleanup)."""

    containers: frozenset[str]
    images: dict[str, frozenset[str]]  # image ID -> its repo:tag names
    volumes: frozenset[str]
    networks: frozenset[str]
    build_cache: frozenset[str] = frozenset()


@dataclass
class Record:
    """What a claiming process keeps on disk."""

    pid: int
    started: str  # the process's start time (/proc/<pid>/stat), so a reused PID is not it
    daemon: str
    before: Snapshot  # the daemon as the run found it
    block: str | None = None  # "docs/page.md:12" while a block runs
    pushed: list[str] = field(default_factory=list)  # hub repositories its pages pushed


RECORD = TypeAdapter(Record)


def read_record(path: Path) -> Record | None:
    """The record at ``path``; None when it cannot be read (a process died mid-write leaves
    only its ``.tmp``, never this, but a record of an older harness may not parse)."""
    try:
        return RECORD.validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


def write_record(path: Path, record: Record) -> None:
    """Write then rename: a sweep never reads half a record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_bytes(RECORD.dump_json(record))
    partial.replace(path)
