"""Reporting: each block's facts on its test report (they travel from xdist workers too), the
run's JSON report (``contracts.report``) and the terminal summary of the examples.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from contracts import lab_state
from contracts.lab_state import Client
from contracts.report import (
    BLOCK,
    PARTIAL_NAME,
    RAN,
    REPORT_NAME,
    BlockRecord,
    recording_path,
    recordings_folder_name,
    report_folder,
    write_report,
)
from contracts.stores import image_store
from docharness import daemon as daemons
from docharness.engines import NOT_FOR_ENGINE, NOT_FOR_ENGINE_STATUS, NOT_FOR_STORE
from docharness.kinds import outcomes
from docharness.page import PAGE_FIXTURE, ROOT, PageRun
from docharness.plugin.collection import BrokenPage, PageItem
from docharness.recording import publish, staging_folder
from docharness.report import build_report, page_name, page_record, record, summarise
from docharness.sources import SourcesUnknown, fingerprint

_RECORDS = pytest.StashKey[list[BlockRecord]]()
_ALL_SKIPPED = pytest.StashKey[bool]()
_REPORT_PATH = pytest.StashKey[Path]()
_SOURCES = pytest.StashKey[str | None]()
_UNRECORDED = pytest.StashKey[list[str]]()
_STAGE = pytest.StashKey[Path]()
_STAGE_INPUT = "docharness_recording_stage"  # the controller's stage, in each worker's input
_PROPERTY = "docharness"
_UNRECORDED_PROPERTY = "docharness-unrecorded"  # a recording that could not be written: why


class _Recorder:
    """Gathers the blocks' facts as their reports arrive (from xdist workers too): a plugin
    object of its own, since ``pytest_runtest_logreport`` is not given the config."""

    def __init__(self, records: list[BlockRecord], unrecorded: list[str]) -> None:
        self.records = records
        self.unrecorded = unrecorded

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == _PROPERTY:  # plain JSON (execnet carries no enum): typed again here
                self.records.append(BLOCK.validate_python(value))
            elif name == _UNRECORDED_PROPERTY:
                self.unrecorded.append(str(value))


class _Stage:
    """Hands the run's recording stage to each xdist worker (registered only with xdist)."""

    def __init__(self, stage: Path) -> None:
        self.stage = stage

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_STAGE_INPUT] = str(self.stage)


def recording_stage(config: pytest.Config) -> Path:
    """Where this run's blocks write their recordings, in every worker the same folder."""
    return config.stash[_STAGE]


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RECORDS] = []
    config.stash[_UNRECORDED] = []
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        config.stash[_STAGE] = Path(workerinput[_STAGE_INPUT])
    else:
        config.stash[_STAGE] = staging_folder(report_path(True).parent)
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_Stage(config.stash[_STAGE]), "docharness-stage")
    if not hasattr(config, "workerinput"):  # the controller (or a serial run) writes the report
        recorder = _Recorder(config.stash[_RECORDS], config.stash[_UNRECORDED])
        config.pluginmanager.register(recorder, "docharness-recorder")
        # Taken before any block runs: an edit during the run makes the report's results
        # belong to no fingerprint, so they are never reused for the edited sources. Only a
        # run of every page can stand for an engine's row, so a run of some pages skips it.
        config.stash[_SOURCES] = _sources() if covers_every_page(config) else None


def _sources() -> str | None:
    """The run's fingerprint (docharness.sources), with the lab engine's packages; None when
    the checkout's files or the lab's engine cannot be told."""
    if os.environ.get("DOCS_DOCKER", "lab") != "lab":
        return None  # your own Docker's results are never reused
    try:
        state = lab_state.read(lab_state.state_file(ROOT, os.environ))
        if state is None or state.engine is None:
            return None
        engine = state.engine
        return fingerprint(ROOT, engine.name, engine.release, engine.packages)
    except (lab_state.LabStateError, SourcesUnknown):
        return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the block's facts to its report (they travel from xdist workers too)."""
    report = yield
    if isinstance(item, BrokenPage) and report.when == "call":
        error = item.error
        facts = page_record(Path(error.path), error.line, str(error), root=ROOT)
        report.user_properties.append((_PROPERTY, BLOCK.dump_python(facts, mode="json")))
    if isinstance(item, PageItem) and (report.when == "call" or report.outcome == "skipped"):
        block = item.block
        status: str = report.outcome  # passed, failed or skipped, for every kind
        reason = details = None
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            if reason.startswith((NOT_FOR_ENGINE, NOT_FOR_STORE)):
                status = NOT_FOR_ENGINE_STATUS  # neither passed nor an ordinary skip
        elif report.failed:
            reason, _, rest = str(report.longrepr).partition("\n")
            details = rest or None
        facts = record(
            block, status, reason=reason, details=details, duration=report.duration, root=ROOT
        )
        _add_recording(item, facts, report)
        report.user_properties.append((_PROPERTY, BLOCK.dump_python(facts, mode="json")))
    return report


def _add_recording(item: PageItem, facts: BlockRecord, report: pytest.TestReport) -> None:
    """The block's recording in its record: its path; None when it ran but its recording
    could not be written (and why, for the summary); absent when it has none."""
    page = item.funcargs.get(PAGE_FIXTURE) if hasattr(item, "funcargs") else None
    if not isinstance(page, PageRun):
        return
    line = item.block.line
    if line in page.recordings:
        facts["recording"] = page.recordings[line]
    elif line in page.unrecorded:
        facts["recording"] = None
        why = f"{facts['page']}:{line}: {page.unrecorded[line]}"
        report.user_properties.append((_UNRECORDED_PROPERTY, why))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    records = config.stash.get(_RECORDS, [])
    if hasattr(config, "workerinput") or not records:
        return
    complete = covers_every_page(config) and exitstatus != pytest.ExitCode.INTERRUPTED
    path = config.stash[_REPORT_PATH] = report_path(complete)
    _publish_recordings(records, config.stash[_STAGE], path, config.stash[_UNRECORDED])
    _write(records, complete, path, config.stash.get(_SOURCES, None))
    ran = [r for r in records if r["status"] in RAN]
    if not ran and session.exitstatus == 0:
        # CI must never pass by skipping every example.
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        config.stash[_ALL_SKIPPED] = True


def _client_version(client: Client | None) -> str:
    """The version of the CLI the pages ran: the lab engine's own, else `docker` on PATH."""
    program = str(client.bin / "docker") if client is not None else "docker"
    try:
        done = subprocess.run(
            [program, "version", "--format", "{{.Client.Version}}"],
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, "DOCKER_HOST": "unix:///nonexistent"},  # the client only
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "unknown"


def _write(records: list[BlockRecord], complete: bool, path: Path, sources: str | None) -> None:
    """The run's report: every block's outcome, the Docker versions, the date."""
    client = None
    try:
        found = daemons.select(ROOT)
        client = found.client
        server, mode = daemons.server_version(found), str(found.mode)
        # Which image store the pages' output is from: sid's 28.5 runs both (lab.engines).
        store = image_store(daemons.driver_status(found))
    except Exception:  # the report is written even when the daemon went away
        server, mode, store = "unknown", os.environ.get("DOCS_DOCKER", "lab"), "unknown"
    docker = {"client": _client_version(client), "server": server, "store": store}
    report = build_report(records, docker=docker, mode=mode, complete=complete, sources=sources)
    write_report(report, path)


def _publish_recordings(
    records: list[BlockRecord], stage: Path, report: Path, unrecorded: list[str]
) -> None:
    """Put the run's recordings beside its report, named in its folder, all at once: what the
    folder holds is what that report plays. If they cannot be put there, no record names one
    and the summary says so."""
    folder = recordings_folder_name(report)
    try:
        publish(stage, report.parent / folder)
    except OSError as error:
        unrecorded.append(f"{page_name(report, ROOT)}: {type(error).__name__}: {error}")
        for block in records:
            if block.get("recording"):
                block["recording"] = None
        return
    for block in records:
        if block.get("recording"):
            block["recording"] = recording_path(block["page"], block["line"], folder)


def report_path(complete: bool) -> Path:
    """Where a run's report goes: a complete run's to report/test-report.json, a partial
    run's beside it, so that running one page never replaces the badges of all the others.

    DOCHARNESS_REPORT names the file outright; DOCHARNESS_REPORT_DIR moves the folder (the
    harness's own tests use both).
    """
    explicit = os.environ.get("DOCHARNESS_REPORT")
    if explicit:
        return Path(explicit)
    return report_folder(ROOT) / (REPORT_NAME if complete else PARTIAL_NAME)


def covers_every_page(config: pytest.Config) -> bool:
    """Whether the run selected every page: a folder holding docs/ (or no argument), and
    nothing narrowed by -k, -m, --deselect or --last-failed."""
    option = config.option
    narrowed = (
        getattr(option, "keyword", "")
        or getattr(option, "markexpr", "")
        or getattr(option, "deselect", None)
        or getattr(option, "lf", False)
    )
    if narrowed:
        return False
    base, docs = config.invocation_params.dir, ROOT / "docs"
    for arg in config.args:
        target = (base / arg).resolve()
        if "::" not in arg and (target == docs or target in docs.parents):
            return True
    return False


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    records = config.stash.get(_RECORDS, [])
    if hasattr(config, "workerinput") or not records:
        return
    write = terminalreporter.write_line
    terminalreporter.section("docs examples")
    for page, counts in summarise(records).items():
        parts = ", ".join(f"{counts[k]} {k}" for k in outcomes() if counts[k])
        write(f"{page}: {counts['examples']} examples ({parts})")
    for block in sorted(records, key=lambda r: (r["page"], r["line"])):
        if block["status"] in ("skipped", NOT_FOR_ENGINE_STATUS):
            write(f"  {block['status']} {block['page']}:{block['line']}: {block['reason']}")
    for why in config.stash.get(_UNRECORDED, []):
        write(f"  recording missing {why}", yellow=True)
    path = config.stash.get(_REPORT_PATH, None)
    if path is not None:
        kept = "" if path.name != PARTIAL_NAME else f" (some pages only: {REPORT_NAME} is kept)"
        write(f"report: {page_name(path, ROOT)}{kept}")
    if config.stash.get(_ALL_SKIPPED, False):
        write("every docs example was skipped: that is a failure, not a pass", red=True)
