"""``make test-engines``: every page on each lab engine, one report with a result per engine.

For each engine (oldest first, the default last so the lab is left on it) the lab's page
daemons are restarted on that engine and the pages run; each run writes its own report
(``report/engines/<engine>.json``) and ``report/test-engines.json`` gathers them: per block,
its status (and reason) on every engine, and per engine the client and server versions.
An engine whose packages cannot be fetched is one line; the others still run.

The default engine's row is taken from the run ``make test`` just made (``report/test-report.json``)
when that run covered every page, passed every block it ran, and had the same sources: the same
pages, harness, lab and engine packages (``docharness.sources``); otherwise its pages run here
too. So no page runs twice on one engine, and no result outlives a change of what it proves.

Each engine runs the pages once: a block that fails once fails the engine. A retry would hide
a flaky page, and a flaky page is a bug to find (as the three-name `docker images` order was).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from contracts.report import REPORT_NAME, Report, read_report
from docharness.engines import MATRIX_NAME
from docharness.sources import SourcesUnknown, fingerprint
from lab import engines
from lab.engines import DEFAULT, ENGINES
from lab.paths import REPO

REPORTS = REPO / "report" / "engines"
LAST_RUN = REPO / "report" / REPORT_NAME  # make test's run of every page
MATRIX = REPO / "report" / MATRIX_NAME
# Oldest first, the default last so the lab is left on it; sid-containerd (28.5 on the
# containerd image store) just before it. Named, not every entry of ENGINES: a configuration
# joins the matrix once every page passes on it. sid-containerd left it while dockerfile.md's
# terminal-view builds showed only the classic store's export rows (`writing image …`) and
# rejoined when they had containerd copies (`exporting manifest list …`, `unpacking to …`):
# every page passed on both stores on 2026-12-07 (188 passed, 21 skipped on each).
ORDER = ["bookworm", "trixie", "sid-containerd", DEFAULT]
WORKERS = os.environ.get("PYTEST_WORKERS", "2")
PAGES = "docs"


def run_engine(name: str) -> tuple[str, dict[str, Any] | None]:
    """Bring the lab up on ``name`` and run the pages once, unless the last run's report can
    stand for them (``reusable``); (outcome, the run's report or None)."""
    env = {**os.environ, "LAB_ENGINE": name}
    up = subprocess.run(
        [sys.executable, "-m", "lab", "up"], env=env, capture_output=True, text=True, cwd=REPO
    )
    if up.returncode != 0:
        print((up.stderr.strip().splitlines() or [f"lab: engine {name} did not start"])[-1])
        return "unavailable", None
    last = read_report(LAST_RUN)
    try:
        engine = engines.selected({"LAB_ENGINE": name})
        why_not = reusable(last, fingerprint(REPO, name, engine.release, engines.ensure(engine)))
    except SourcesUnknown as error:
        why_not = str(error)
    if last is not None and why_not is None:
        print(
            f"test-engines: {name}: the pages' results are make test's ({last['created']}, "
            f"{LAST_RUN.relative_to(REPO)}): same pages, harness, lab and engine",
            flush=True,
        )
        return "passed", dict(last)
    print(f"test-engines: {name}: running the pages ({why_not})", flush=True)
    # No second try: a block that fails once on an engine is a finding (a flaky page is a bug).
    passed, report = _run_pages(env, [PAGES], REPORTS / f"{name}.json")
    return ("passed" if passed else "failed"), report


def reusable(last: Report | None, sources: str) -> str | None:
    """None when ``last`` can stand for a run of every page now, ``sources`` being the
    fingerprint of the pages, harness, lab and engine as they are; else why not, in a few
    words."""
    if last is None:
        return f"no {REPORT_NAME} yet"
    if not last["complete"] or last["mode"] != "lab":
        return f"{REPORT_NAME} is not a lab run of every page"
    if any(block["status"] == "failed" for block in last["blocks"]):
        return f"{REPORT_NAME} has failed blocks"
    if last.get("sources") != sources:
        return f"{REPORT_NAME} was made from other pages, harness, lab or engine"
    return None


def _run_pages(
    env: dict[str, str], selection: list[str], report: Path
) -> tuple[bool, dict[str, Any] | None]:
    """Run the pages named; (whether they passed, their report or None)."""
    report.unlink(missing_ok=True)
    pages = subprocess.run(
        [sys.executable, "-m", "pytest", *selection, "-q", "-n", WORKERS],
        env={**env, "DOCHARNESS_REPORT": str(report)},
        cwd=REPO,
    )
    found = json.loads(report.read_text()) if report.exists() else None
    return pages.returncode == 0, found


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
        # The store tells two rows of one engine version apart (sid and sid-containerd).
        "engines": {
            name: {**report["docker"], "store": ENGINES[name].store if name in ENGINES else "?"}
            for name, report in runs.items()
        },
        "blocks": [blocks[key] for key in sorted(blocks)],
    }


def stage(name: str, seconds: float, outcome: str) -> None:
    """One row of CI's stage table (``.ci/stages.py``, which owns its format)."""
    if os.environ.get("CI_STAGES"):
        stages = str(REPO / ".ci" / "stages.py")
        subprocess.run([sys.executable, stages, "record", name, f"{seconds}", outcome], check=True)


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
        seconds = time.monotonic() - started
        print(f"test-engines: {name} {outcomes[name]} in {seconds:.0f} s")
        stage(f"engine {name}", seconds, outcomes[name])
    merged = merge(runs)
    merged["outcomes"] = outcomes
    MATRIX.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    width = max(map(len, outcomes), default=0)
    for name, outcome in outcomes.items():
        server = runs.get(name, {}).get("docker", {}).get("server", "-")
        print(f"test-engines: {name:<{width}} {server:<22} {outcome}")
    print(f"report: {MATRIX.relative_to(REPO)}")
    return 0 if all(outcome == "passed" for outcome in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
