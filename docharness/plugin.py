"""The pytest side: which Markdown files are pages, the per-page fixture, the daemon check,
the failure display, the JSON report and the terminal summary.

Loaded by the root conftest.py (``pytest_plugins = ["docharness.plugin"]``).
"""

from __future__ import annotations

import os
import subprocess
import warnings
from collections import Counter
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sybil import Sybil
from sybil.integration.pytest import SybilFile, SybilItem

from docharness import daemon as daemons
from docharness.evaluator import PAGE_FIXTURE, ExampleFailed, PageRun, evaluator_for
from docharness.fences import PageParser
from docharness.model import BlockKind, CodeBlock, HarnessError

ROOT = Path(__file__).resolve().parent.parent
# Never pages unless named on the command line: tools' folders and the harness's own samples.
EXCLUDED = (".venv", "node_modules", "site", ".cache", ".git", "tests/integration/pages")
REPORT = ROOT / "report" / "test-report.json"
NO_DAEMON_STATUS = 4  # pytest's "usage error": the environment is not ready

SYBIL = Sybil(
    parsers=[PageParser(evaluator_for)],
    patterns=["*.md"],
    fixtures=[PAGE_FIXTURE],
    path=str(ROOT),
)


# ---- collection -------------------------------------------------------------------------


class PageItem(SybilItem):
    """One block of a page; a failing block shows its message, not a traceback."""

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ExampleFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    @property
    def block(self) -> CodeBlock:
        block: CodeBlock = self.example.parsed
        return block


class PageFile(SybilFile):
    """A Markdown page; a malformed one is one clear collection error naming file:line."""

    def collect(self) -> Iterator[PageItem]:
        for sybil in self.sybils:
            document = sybil.parse(self.path)
            self.documents.append(document)
            for example in document.examples():
                yield PageItem.from_parent(self, sybil=sybil, example=example)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, HarnessError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


def _named(config: pytest.Config) -> set[Path]:
    """The files given on the command line (`pytest some/page.md`)."""
    base = config.invocation_params.dir
    return {(base / arg.split("::")[0]).resolve() for arg in config.args}


def is_page(path: Path, config: pytest.Config) -> bool:
    """docs/**.md and README.md are pages; any other .md of the repo only when named."""
    path = path.resolve()
    if path.suffix != ".md":
        return False
    if path in _named(config):
        return True
    try:
        relative = path.relative_to(ROOT)
    except ValueError:
        return False
    text = relative.as_posix()
    if any(text == part or text.startswith(part + "/") for part in EXCLUDED):
        return False
    return relative.parts[0] == "docs" or text == "README.md"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PageFile | None:
    """Sybil's collection, for the files that are pages."""
    if not is_page(file_path, parent.config) or not SYBIL.should_parse(file_path.resolve()):
        return None
    page: PageFile = PageFile.from_parent(parent, path=file_path, sybils=[SYBIL])
    return page


# ---- the daemon ---------------------------------------------------------------------------


def _runs_pages(config: pytest.Config) -> bool:
    """Whether this run may collect pages: only then is a daemon required."""
    base = config.invocation_params.dir
    targets = [base / a.split("::")[0] for a in config.args] or [base]
    for target in targets:
        if target.suffix == ".md":
            return True
        if target.is_dir():
            for directory, subdirs, files in os.walk(target):
                here = Path(directory)
                subdirs[:] = [d for d in subdirs if not _excluded(here / d)]
                if any(is_page(here / f, config) for f in files if f.endswith(".md")):
                    return True
    return False


def _excluded(directory: Path) -> bool:
    try:
        text = directory.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return False
    return any(text == part or text.startswith(part + "/") for part in EXCLUDED)


def _daemons_of_run(config: pytest.Config) -> list[daemons.Daemon]:
    """The daemons this run's workers will use (one per worker, as select() assigns)."""
    workers = getattr(config.option, "numprocesses", None)
    count = workers if isinstance(workers, int) and workers > 0 else 1
    chosen: dict[str, daemons.Daemon] = {}
    for index in range(count):
        env = {**os.environ, "PYTEST_XDIST_WORKER": f"gw{index}"}
        found = daemons.select(ROOT, env)
        chosen[found.host] = found
    return list(chosen.values())


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """One clear error, before any example runs, when no daemon answers."""
    config = session.config
    if hasattr(config, "workerinput") or not _runs_pages(config):
        return
    try:
        for found in _daemons_of_run(config):
            daemons.ping(found)
    except daemons.DaemonError as error:
        pytest.exit(f"docharness: {error}", returncode=NO_DAEMON_STATUS)


def pytest_configure(config: pytest.Config) -> None:
    _CONFIG["config"] = config
    config.stash[_RECORDS] = []
    # A page's blocks share a shell and bindings: they must run in one worker, in order.
    if getattr(config.option, "dist", "no") in ("load", "worksteal"):
        config.option.dist = "loadfile"


@pytest.fixture(scope="session")
def _docharness_daemon() -> daemons.Daemon:
    try:
        return daemons.select(ROOT)
    except daemons.DaemonError as error:
        pytest.exit(f"docharness: {error}", returncode=NO_DAEMON_STATUS)


@pytest.fixture(scope="module")
def _docharness_page(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _docharness_daemon: daemons.Daemon,
) -> Iterator[PageRun]:
    """The page's shared state; afterwards (pass, fail or Ctrl-C) its traces are removed."""
    path = Path(request.node.path)
    page = PageRun(path, tmp_path_factory.mktemp(path.stem), _docharness_daemon)
    try:
        yield page
    finally:
        for problem in page.finish():
            warnings.warn(f"docharness cleanup of {path.name}: {problem}", stacklevel=1)


# ---- reporting ----------------------------------------------------------------------------

_RECORDS = pytest.StashKey[list[dict[str, Any]]]()
_ALL_SKIPPED = pytest.StashKey[bool]()
_PROPERTY = "docharness"
_CONFIG: dict[str, pytest.Config] = {}  # logreport gets no config: remember it


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the block's facts to its report (they travel from xdist workers too)."""
    report = yield
    if isinstance(item, PageItem) and (report.when == "call" or report.outcome == "skipped"):
        block = item.block
        status: str = report.outcome
        if block.kind is BlockKind.SYNOPSIS and status == "passed":
            status = "synopsis"
        reason = None
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        elif report.failed:
            reason = str(report.longrepr).split("\n", 1)[0]
        record = {
            "page": _relative(block.path),
            "line": block.line,
            "language": block.language,
            "kind": block.kind.value,
            "status": status,
            "reason": reason,
            "duration": round(report.duration, 3),
        }
        report.user_properties.append((_PROPERTY, record))
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    config = _CONFIG.get("config")
    if config is None or hasattr(config, "workerinput"):
        return
    for name, value in report.user_properties:
        if name == _PROPERTY:
            config.stash[_RECORDS].append(dict(value))  # type: ignore[call-overload]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    records = config.stash.get(_RECORDS, [])
    if hasattr(config, "workerinput") or not records:
        return
    write_report(records, config)
    ran = [r for r in records if r["status"] in ("passed", "failed", "synopsis")]
    if not ran and session.exitstatus == 0:
        # CI must never pass by skipping every example.
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        config.stash[_ALL_SKIPPED] = True


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _client_version() -> str:
    try:
        done = subprocess.run(
            ["docker", "version", "--format", "{{.Client.Version}}"],
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, "DOCKER_HOST": "unix:///nonexistent"},  # the client only
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "unknown"


def summarise(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per page: examples and how many passed, failed, were skipped, were synopses."""
    pages: dict[str, Counter[str]] = {}
    for record in records:
        counts = pages.setdefault(record["page"], Counter())
        counts["examples"] += 1
        counts[record["status"]] += 1
    keys = ("examples", "passed", "failed", "skipped", "synopsis")
    return {page: {k: counts[k] for k in keys} for page, counts in sorted(pages.items())}


def write_report(records: list[dict[str, Any]], config: pytest.Config) -> None:
    """report/test-report.json: every block's outcome, versions and date."""
    import json

    try:
        found = daemons.select(ROOT)
        server, mode = daemons.server_version(found), str(found.mode)
    except Exception:  # the report is written even when the daemon went away
        server, mode = "unknown", os.environ.get("DOCS_DOCKER", "lab")
    ordered = sorted(records, key=lambda r: (r["page"], r["line"]))
    data = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "docker": {"client": _client_version(), "server": server},
        "mode": mode,
        "blocks": ordered,
        "pages": summarise(ordered),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    records = config.stash.get(_RECORDS, [])
    if hasattr(config, "workerinput") or not records:
        return
    write = terminalreporter.write_line
    terminalreporter.section("docs examples")
    for page, counts in summarise(records).items():
        parts = ", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "skipped") if counts[k])
        synopses = f", {counts['synopsis']} synopsis" if counts["synopsis"] else ""
        write(f"{page}: {counts['examples']} examples ({parts}{synopses})")
    for record in sorted(records, key=lambda r: (r["page"], r["line"])):
        if record["status"] == "skipped":
            write(f"  skipped {record['page']}:{record['line']}: {record['reason']}")
    write(f"report: {_relative(REPORT)}")
    if config.stash.get(_ALL_SKIPPED, False):
        write("every docs example was skipped: that is a failure, not a pass", red=True)
