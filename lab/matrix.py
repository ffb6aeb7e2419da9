"""``make test-engines``: every page on each lab engine, one report with a result per engine.

For each engine (oldest first, the default last so the lab is left on it) the lab's page
daemons are restarted on that engine and the pages run; each run writes its own report
(``report/engines/<engine>.json``) and ``report/test-engines.json`` gathers them: per block,
its status (and reason) on every engine, and per engine the client and server versions.
An engine whose packages cannot be fetched is one line; the others still run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from docharness.engines import MATRIX_NAME
from lab.engines import DEFAULT, ENGINES
from lab.paths import REPO

REPORTS = REPO / "report" / "engines"
MATRIX = REPO / "report" / MATRIX_NAME
ORDER = [*(name for name in ENGINES if name != DEFAULT)][::-1] + [DEFAULT]
WORKERS = os.environ.get("PYTEST_WORKERS", "2")


def run_engine(name: str) -> tuple[str, dict[str, Any] | None]:
    """Bring the lab up on ``name`` and run the pages; (outcome, the run's report or None)."""
    env = {**os.environ, "LAB_ENGINE": name}
    up = subprocess.run(
        [sys.executable, "-m", "lab", "up"], env=env, capture_output=True, text=True, cwd=REPO
    )
    if up.returncode != 0:
        print((up.stderr.strip().splitlines() or [f"lab: engine {name} did not start"])[-1])
        return "unavailable", None
    report = REPORTS / f"{name}.json"
    report.unlink(missing_ok=True)
    pages = subprocess.run(
        [sys.executable, "-m", "pytest", "docs", "-q", "-n", WORKERS],
        env={**env, "DOCHARNESS_REPORT": str(report)},
        cwd=REPO,
    )
    found = json.loads(report.read_text()) if report.exists() else None
    return ("passed" if pages.returncode == 0 else "failed"), found


def merge(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One record per block with ``engines: {name: {status, reason}}``."""
    blocks: dict[tuple[str, int], dict[str, Any]] = {}
    for name, report in runs.items():
        for block in report["blocks"]:
            key = (block["page"], block["line"])
            entry = blocks.setdefault(
                key, {"page": block["page"], "line": block["line"], "engines": {}}
            )
            entry["engines"][name] = {"status": block["status"], "reason": block["reason"]}
    return {
        "engines": {name: report["docker"] for name, report in runs.items()},
        "blocks": [blocks[key] for key in sorted(blocks)],
    }


def main() -> int:
    REPORTS.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, str] = {}
    runs: dict[str, dict[str, Any]] = {}
    for name in ORDER:
        started = time.monotonic()
        print(f"test-engines: {name} ({ENGINES[name].release})", flush=True)
        outcomes[name], report = run_engine(name)
        if report is not None:
            runs[name] = report
        print(f"test-engines: {name} {outcomes[name]} in {time.monotonic() - started:.0f} s")
    merged = merge(runs)
    merged["outcomes"] = outcomes
    MATRIX.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    for name, outcome in outcomes.items():
        server = runs.get(name, {}).get("docker", {}).get("server", "-")
        print(f"test-engines: {name:<9} {server:<22} {outcome}")
    print(f"report: {MATRIX.relative_to(REPO)}")
    return 0 if all(outcome == "passed" for outcome in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
