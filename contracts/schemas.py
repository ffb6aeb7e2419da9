"""The JSON Schemas of every contract, generated from the types both sides read and write."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from contracts import lab_state, matrix, report, runs, upstream

Adapter = (
    TypeAdapter[report.Report]
    | TypeAdapter[matrix.EngineMatrix]
    | TypeAdapter[lab_state.LabState]
    | TypeAdapter[runs.Record]
    | TypeAdapter[upstream.Upstream]
)
# File stem -> the adapter its writer and readers use.
ADAPTERS: dict[str, Adapter] = {
    "test-report": report.REPORT,
    "test-engines": matrix.MATRIX,
    "lab": lab_state.ADAPTER,
    "run-record": runs.RECORD,
    "upstream": upstream.UPSTREAM,
}


def schemas() -> dict[str, str]:
    """File stem -> its JSON Schema as text."""
    return {
        name: json.dumps(adapter.json_schema(), ensure_ascii=False, indent=2) + "\n"
        for name, adapter in ADAPTERS.items()
    }


def write(folder: Path) -> list[Path]:
    """Write ``<stem>.schema.json`` for each contract into ``folder``; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schemas().items():
        path = folder / f"{name}.schema.json"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
