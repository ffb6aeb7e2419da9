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

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from contracts.matrix import (
    MATRIX_NAME,
    STORE_LABEL,
    EngineMatrix,
    EngineResult,
    EngineRow,
    MatrixBlock,
    engine_label,
    write_matrix,
)
from contracts.report import REPORT_NAME, Docker, Report, Status, read_report
from docharness.engines import engine_version
from docharness.sources import SourcesUnknown, fingerprint
from lab import engines
from lab.engines import DEFAULT, ENGINES
from lab.paths import REPO

REPORTS = REPO / "report" / "engines"
LAST_RUN = REPO / "report" / REPORT_NAME  # make test's run of every page
MATRIX = REPO / "report" / MATRIX_NAME
# Oldest first, the default last so the lab is left on it: sid (28.5 on the classic image
# store) just before sid-containerd (28.5 on the containerd store, the default since
# 2026-12-07, as Engine 29 installs it). Named, not every entry of ENGINES: a configuration
# joins the matrix once every page passes on it. sid-containerd left it while dockerfile.md's
# terminal-view builds showed only the classic store's export rows (`writing image …`) and
# rejoined when they had containerd copies (`exporting manifest list …`, `unpacking to …`):
# every page passed on both stores on 2026-12-07 (188 passed, 21 skipped on each).
ORDER = ["bookworm", "trixie", "sid", DEFAULT]
WORKERS = os.environ.get("PYTEST_WORKERS", "2")
PAGES = "docs"


def run_engine(name: str) -> tuple[str, Report | None]:
    """Bring the lab up on ``name`` and run the pages once, unless the last run's report can
    stand for them (``reusable``); (outcome, the run's report or None)."""
    env = {**os.environ, "LAB_ENGINE": name}
    refused = lab_up(name)
    if refused is not None:
        print(refused)
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
        return "passed", last
    print(f"test-engines: {name}: running the pages ({why_not})", flush=True)
    # No second try: a block that fails once on an engine is a finding (a flaky page is a bug).
    passed, report = _run_pages(env, [PAGES], REPORTS / f"{name}.json")
    return ("passed" if passed else "failed"), report


def lab_up(name: str) -> str | None:
    """`LAB_ENGINE=name make lab`: the lab's daemons restarted on that engine (and its image
    store) when they run another; None once they run it, else the lab's last line on why not.
    ``make bench-stores`` switches stores with it too."""
    up = subprocess.run(
        [sys.executable, "-m", "lab", "up"],
        env={**os.environ, "LAB_ENGINE": name},
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if up.returncode == 0:
        return None
    return (up.stderr.strip().splitlines() or [f"lab: engine {name} did not start"])[-1]


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
) -> tuple[bool, Report | None]:
    """Run the pages named; (whether they passed, their report or None)."""
    report.unlink(missing_ok=True)
    pages = subprocess.run(
        [sys.executable, "-m", "pytest", *selection, "-q", "-n", WORKERS],
        env={**env, "DOCHARNESS_REPORT": str(report)},
        cwd=REPO,
    )
    return pages.returncode == 0, read_report(report)


Results = Mapping[tuple[str, int], Mapping[str, EngineResult]]  # (page, line) -> row -> result


def merge(runs: Mapping[str, Report]) -> EngineMatrix:
    """One record per block with its result on every engine row that ran it."""
    results: dict[tuple[str, int], dict[str, EngineResult]] = {}
    for name, report in runs.items():
        for block in report["blocks"]:
            by_row = results.setdefault((block["page"], block["line"]), {})
            by_row[name] = {"status": block["status"], "reason": block["reason"]}
    # The store tells two rows of one engine version apart (sid and sid-containerd).
    rows = {name: row(report["docker"], _store(name, report)) for name, report in runs.items()}
    return assemble(rows, results)


def _store(name: str, report: Report) -> str:
    """The store a row ran: what its run's daemon reported, else what its engine is for."""
    recorded = report["docker"].get("store", "unknown")
    if recorded != "unknown":
        return recorded
    return ENGINES[name].store if name in ENGINES else "?"


def row(docker: Docker, store: str) -> EngineRow:
    """An engine row as the site names it: its server version, marked on containerd."""
    label = engine_label({**docker, "store": store})
    return {"client": docker["client"], "server": docker["server"], "store": store, "label": label}


def assemble(rows: Mapping[str, EngineRow], results: Results) -> EngineMatrix:
    """The matrix: per block, beside its results, the rows it passed and failed on."""
    blocks: list[MatrixBlock] = []
    for (page, line), by_row in sorted(results.items()):
        blocks.append(
            {
                "page": page,
                "line": line,
                "engines": dict(by_row),
                "passed_on": _labels(rows, by_row, Status.PASSED),
                "failed_on": _labels(rows, by_row, Status.FAILED),
            }
        )
    return {"engines": dict(rows), "blocks": blocks}


def _labels(
    rows: Mapping[str, EngineRow], by_row: Mapping[str, EngineResult], status: Status
) -> list[str]:
    """The labels of the rows where the block had ``status``, oldest first; of one version,
    the classic store before the containerd one."""
    found = [rows[name]["label"] for name, got in by_row.items() if got["status"] == status]
    return sorted(found, key=_oldest_first)


def _oldest_first(label: str) -> tuple[int, ...]:
    try:
        version = engine_version(label.removesuffix(STORE_LABEL))
    except ValueError:
        return (0,)  # "?" or "unknown": first, as the site always had it
    return (*version, int(label.endswith(STORE_LABEL)))


def stage(name: str, seconds: float, outcome: str) -> None:
    """One row of CI's stage table (``.ci/stages.py``, which owns its format)."""
    if os.environ.get("CI_STAGES"):
        stages = str(REPO / ".ci" / "stages.py")
        subprocess.run([sys.executable, stages, "record", name, f"{seconds}", outcome], check=True)


def main() -> int:
    REPORTS.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, str] = {}
    runs: dict[str, Report] = {}
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
    write_matrix(MATRIX, merged)
    width = max(map(len, outcomes), default=0)
    for name, outcome in outcomes.items():
        server = runs[name]["docker"]["server"] if name in runs else "-"
        print(f"test-engines: {name:<{width}} {server:<22} {outcome}")
    print(f"report: {MATRIX.relative_to(REPO)}")
    return 0 if all(outcome == "passed" for outcome in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
