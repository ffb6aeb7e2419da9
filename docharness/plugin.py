"""The pytest side: which Markdown files are pages, the per-page fixture, the daemon check,
the failure display, the JSON report and the terminal summary.

Loaded by the root conftest.py (``pytest_plugins = ["docharness.plugin"]``).
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import re
import signal
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, cast

import pytest
from sybil import Document, Region, Sybil
from sybil.integration.pytest import SybilFile, SybilItem

from docharness import daemon as daemons
from docharness import ledger, runs
from docharness.engines import NOT_FOR_ENGINE, NOT_FOR_ENGINE_STATUS
from docharness.fences import (
    ENCODING,
    PageParser,
    find_fences,
    language_of,
    read_page,
    untested_transcripts,
)
from docharness.fences import parse_page as parse_blocks
from docharness.kinds import evaluator_for
from docharness.kinds.synopsis import claims_evaluator
from docharness.labstate import Client
from docharness.model import BlockKind, CodeBlock, HarnessError
from docharness.page import DAEMON_GONE, PAGE_FIXTURE, ExampleFailed, PageRun
from docharness.report import build_report, page_record, record, summarise, write_report
from docharness.schema import PARTIAL_NAME, RAN, REPORT_NAME, BlockRecord
from docharness.synopsis import option_claims
from docharness.update import unified_diff, update_text

ROOT = Path(__file__).resolve().parent.parent
HOST_PORTS_LOCK = Path(tempfile.gettempdir()) / "docharness-host-ports.lock"
# `-p 8080:80`, `--publish=127.0.0.1:8080:80`, docker-py's `ports={...}`: a host port.
PUBLISHES_PORT = re.compile(r"(?:\s-p|--publish)[ =](?:[\d.]+:)?\d+:\d+|\bports=\{")
# Never pages unless named on the command line: tools' folders and the harness's own samples.
EXCLUDED = (".venv", "node_modules", "site", ".cache", ".git", "tests/integration/pages")


def parse_page(document: Document) -> Iterator[Region]:
    """Sybil parser: the page's code blocks, then one region for its prose option claims."""
    yield from _BLOCKS(document)
    path = Path(document.path)
    claims = option_claims(path, document.text)
    if claims:
        # A zero-width region at the first claim's line: prose, so it overlaps no fence.
        line = claims[0].line
        start = sum(len(text) + 1 for text in document.text.split("\n")[: line - 1])
        block = CodeBlock(path, line, line, "markdown", "", "", BlockKind.SYNOPSIS)
        yield Region(start, start, parsed=block, evaluator=claims_evaluator(claims))


_BLOCKS = PageParser(evaluator_for)
SYBIL = Sybil(
    parsers=[parse_page],
    patterns=["*.md"],
    fixtures=[PAGE_FIXTURE],
    path=str(ROOT),
    encoding=ENCODING,
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


def publishes_host_ports(page: Path) -> bool:
    """Whether a code block of the page publishes host ports (`-p 8080:80`, ``ports=``)."""
    fences = find_fences(page, read_page(page))
    return any(PUBLISHES_PORT.search("\n".join(fence.body)) for fence in fences)


@contextlib.contextmanager
def host_ports_turn(page: Path) -> Iterator[None]:
    """Wait for this page's turn at the host's ports, if it publishes any.

    The lab's daemons share the host's network, and so do xdist workers on one daemon (or on
    two checkouts): pages that publish host ports run one at a time, under one file lock.
    """
    if not publishes_host_ports(page):
        yield
        return
    with HOST_PORTS_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class BrokenPage(pytest.Item):
    """A page that cannot be read or parsed: one failing item naming file:line.

    A collection error would stop the whole session; as an item, the page fails alone and
    every other page still runs.
    """

    def __init__(self, *, error: HarnessError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        return str(self.error)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.error.line - 1, f"{_relative(self.path)}: cannot be run"


class UntestedTranscript(UserWarning):
    """A fence that is not run although it shows prompts (a transcript mislabelled?)."""


class PageFile(SybilFile):
    """A Markdown page; a malformed one is one failing item naming file:line."""

    def collect(self) -> Iterator[PageItem | BrokenPage]:
        try:
            text = read_page(self.path)  # another encoding: file:line, not Sybil's error
            parsed = [(sybil, sybil.parse(self.path)) for sybil in self.sybils]
            examples = [(sybil, list(document.examples())) for sybil, document in parsed]
        except HarnessError as error:
            yield BrokenPage.from_parent(self, name="page", error=error)
            return
        for fence in untested_transcripts(find_fences(self.path, text)):
            named = f"a {language_of(fence.info)} fence" if fence.info else "a fence"
            warnings.warn_explicit(
                f"{named} shows `$ ` prompts but is not run; name its language console to run it",
                UntestedTranscript,
                _relative(self.path),  # the summary shows the page and line, not ours
                fence.line,
            )
        self.documents.extend(document for _, document in parsed)
        for sybil, found in examples:
            for example in found:
                yield PageItem.from_parent(self, sybil=sybil, example=example)


_NAMED = pytest.StashKey[frozenset[Path]]()


def _named(config: pytest.Config) -> frozenset[Path]:
    """The files given on the command line (`pytest some/page.md`).

    Resolved once per run: pytest asks for every file it visits, and resolving every
    argument each time made naming N pages cost N x N resolutions.
    """
    named = config.stash.get(_NAMED, None)
    if named is None:
        base = config.invocation_params.dir
        named = frozenset((base / arg.split("::")[0]).resolve() for arg in config.args)
        config.stash[_NAMED] = named
    return named


def is_page(path: Path, config: pytest.Config) -> bool:
    """docs/**.md are pages; any other .md (README.md too) only when named."""
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
    return relative.parts[0] == "docs"


_PAGES = pytest.StashKey[dict[Path, bool]]()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PageFile | None:
    """Sybil's collection, for the files that are pages (a named one may lie outside the repo)."""
    if file_path.suffix != ".md" or not _collects(file_path, parent.config):
        return None
    page: PageFile = PageFile.from_parent(parent, path=file_path, sybils=[SYBIL])
    return page


def _collects(file_path: Path, config: pytest.Config) -> bool:
    """Whether a file is a page Sybil parses, decided once per file and run.

    pytest visits a folder's files again for each argument naming one of them.
    """
    known = config.stash.setdefault(_PAGES, {})
    if file_path not in known:
        path = file_path.resolve()
        named = path in _named(config)
        known[file_path] = is_page(path, config) and (named or SYBIL.should_parse(path))
    return known[file_path]


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
    if hasattr(config, "workerinput") or config.option.collectonly or not _runs_pages(config):
        return  # `--collect-only` runs nothing: it needs no daemon
    try:
        for found in _daemons_of_run(config):
            daemons.ping(found)
    except daemons.DaemonError as error:
        # A usage error: pytest prints just "ERROR: <message>" and exits with status 4.
        raise pytest.UsageError(f"docharness: {error}") from None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("docharness").addoption(
        "--update-docs",
        action="store_true",
        default=False,
        help="write each command's real output back into the pages instead of failing",
    )


def _terminated(signum: int, frame: FrameType | None) -> None:
    """SIGTERM handler: the run stops as it does on Ctrl-C."""
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_unconfigure(config: pytest.Config) -> None:
    if signal.getsignal(signal.SIGTERM) is _terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def pytest_configure(config: pytest.Config) -> None:
    _CONFIG["config"] = config
    # SIGTERM (a CI cancel, `timeout`) ends the run as Ctrl-C does: teardowns clean the pages.
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        with contextlib.suppress(ValueError):  # not the main thread: leave it
            signal.signal(signal.SIGTERM, _terminated)
    config.stash[_RECORDS] = []
    config.stash[_UPDATES] = []
    config.stash[_DIFFS] = []
    # A page's blocks share a shell and bindings: they must run in one worker, in order.
    if getattr(config.option, "dist", "no") in ("load", "worksteal"):
        config.option.dist = "loadfile"


def announcer(config: pytest.Config) -> Callable[[str], None] | None:
    """Write lines straight to the terminal (past output capture); None in an xdist worker,
    which has no terminal: there runs.claim warns instead."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if terminal is None:
        return None

    def say(line: str) -> None:
        # Said during a fixture's setup, where output is captured: step past the capture.
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            terminal.write_line(line)

    return say


@pytest.fixture(scope="session")
def _docharness_daemon(request: pytest.FixtureRequest) -> daemons.Daemon:
    """This process's daemon, held for the whole session (see docharness.runs)."""
    try:
        return runs.claim(ROOT, announcer(request.config)).daemon
    except daemons.DaemonError as error:
        raise pytest.UsageError(f"docharness: {error}") from None
    except DAEMON_GONE as error:
        raise pytest.UsageError(f"docharness: the Docker daemon does not answer: {error}") from None


@pytest.fixture(scope="module")
def _docharness_page(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _docharness_daemon: daemons.Daemon,
) -> Iterator[PageRun]:
    """The page's shared state; afterwards (pass, fail or Ctrl-C) its traces are removed."""
    path = Path(request.node.path)
    update = bool(request.config.getoption("update_docs"))
    page = PageRun(path, tmp_path_factory.mktemp(path.stem), _docharness_daemon, update)
    with host_ports_turn(path):
        try:
            yield page
        finally:
            for problem in page.finish():
                warnings.warn(f"docharness cleanup of {path.name}: {problem}", stacklevel=1)
            if update:
                request.config.stash[_UPDATES].append(page)


# ---- update mode --------------------------------------------------------------------------

_UPDATES = pytest.StashKey[list[PageRun]]()
_DIFFS = pytest.StashKey[list[str]]()


def update_pages(config: pytest.Config) -> None:
    """Write each updated page back and its ledger (docharness.ledger); keep the diffs for the
    terminal summary."""
    origin: dict[str, str] | None = None
    for page in config.stash.get(_UPDATES, []):
        old = read_page(page.path)
        blocks = parse_blocks(page.path, old)
        where = ledger.path_for(page.path, ROOT)
        recorded = ledger.load(where)
        unproven = frozenset(item.value for item in ledger.unproven(blocks, recorded))
        new = update_text(old, blocks, page.outputs, page.bindings, unproven)
        if new != old:
            page.path.write_text(new, encoding="utf-8")
            config.stash[_DIFFS].append(unified_diff(old, new, _relative(page.path)))
        origin = origin or _run_origin(page.daemon)
        printed = ledger.values_in(line for lines in page.outputs.values() for line in lines)
        fresh = ledger.after_update(recorded, parse_blocks(page.path, new), printed, origin)
        if fresh != recorded:
            ledger.save(where, fresh)


def _run_origin(daemon: daemons.Daemon) -> dict[str, str]:
    """How the ledger names this run: the date, the engine and whose Docker it was."""
    try:
        engine = daemons.server_version(daemon)
    except Exception:  # the daemon went away: the values were still printed by it
        engine = "unknown"
    today = datetime.date.today().isoformat()
    return {"source": "run", "date": today, "docker": engine, "mode": str(daemon.mode)}


# ---- reporting ----------------------------------------------------------------------------

_RECORDS = pytest.StashKey[list[BlockRecord]]()
_ALL_SKIPPED = pytest.StashKey[bool]()
_REPORT_PATH = pytest.StashKey[Path]()
_PROPERTY = "docharness"
_CONFIG: dict[str, pytest.Config] = {}  # logreport gets no config: remember it


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the block's facts to its report (they travel from xdist workers too)."""
    report = yield
    if isinstance(item, BrokenPage) and report.when == "call":
        error = item.error
        facts = page_record(Path(error.path), error.line, str(error), root=ROOT)
        report.user_properties.append((_PROPERTY, facts))
    if isinstance(item, PageItem) and (report.when == "call" or report.outcome == "skipped"):
        block = item.block
        status: str = report.outcome
        if block.kind is BlockKind.SYNOPSIS and status == "passed":
            status = "synopsis"
        reason = details = None
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            if reason.startswith(NOT_FOR_ENGINE):
                status = NOT_FOR_ENGINE_STATUS  # neither passed nor an ordinary skip
        elif report.failed:
            reason, _, rest = str(report.longrepr).partition("\n")
            details = rest or None
        facts = record(
            block, status, reason=reason, details=details, duration=report.duration, root=ROOT
        )
        report.user_properties.append((_PROPERTY, facts))
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    config = _CONFIG.get("config")
    if config is None or hasattr(config, "workerinput"):
        return
    for name, value in report.user_properties:
        if name == _PROPERTY:
            config.stash[_RECORDS].append(cast(BlockRecord, value))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    update_pages(config)
    records = config.stash.get(_RECORDS, [])
    if hasattr(config, "workerinput") or not records:
        return
    complete = covers_every_page(config) and exitstatus != pytest.ExitCode.INTERRUPTED
    config.stash[_REPORT_PATH] = report_path(complete)
    _write(records, complete, config.stash[_REPORT_PATH])
    ran = [r for r in records if r["status"] in RAN]
    if not ran and session.exitstatus == 0:
        # CI must never pass by skipping every example.
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        config.stash[_ALL_SKIPPED] = True


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


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


def _write(records: list[BlockRecord], complete: bool, path: Path) -> None:
    """The run's report: every block's outcome, the Docker versions, the date."""
    client = None
    try:
        found = daemons.select(ROOT)
        client = found.client
        server, mode = daemons.server_version(found), str(found.mode)
    except Exception:  # the report is written even when the daemon went away
        server, mode = "unknown", os.environ.get("DOCS_DOCKER", "lab")
    docker = {"client": _client_version(client), "server": server}
    write_report(build_report(records, docker=docker, mode=mode, complete=complete), path)


def report_path(complete: bool) -> Path:
    """Where a run's report goes: a complete run's to report/test-report.json, a partial
    run's beside it, so that running one page never replaces the badges of all the others.

    DOCHARNESS_REPORT names the file outright; DOCHARNESS_REPORT_DIR moves the folder (the
    harness's own tests use both).
    """
    explicit = os.environ.get("DOCHARNESS_REPORT")
    if explicit:
        return Path(explicit)
    folder = Path(os.environ.get("DOCHARNESS_REPORT_DIR") or ROOT / "report")
    return folder / (REPORT_NAME if complete else PARTIAL_NAME)


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
    if config.getoption("update_docs") and not hasattr(config, "workerinput"):
        diffs = config.stash.get(_DIFFS, [])
        terminalreporter.section("docs updated")
        for diff in diffs:
            terminalreporter.write_line(diff)
        if not diffs:
            terminalreporter.write_line("every page already shows its real output")
    records = config.stash.get(_RECORDS, [])
    if hasattr(config, "workerinput") or not records:
        return
    write = terminalreporter.write_line
    terminalreporter.section("docs examples")
    for page, counts in summarise(records).items():
        shown = ("passed", "failed", "skipped", NOT_FOR_ENGINE_STATUS)
        parts = ", ".join(f"{counts[k]} {k}" for k in shown if counts[k])
        synopses = f", {counts['synopsis']} synopsis" if counts["synopsis"] else ""
        write(f"{page}: {counts['examples']} examples ({parts}{synopses})")
    for block in sorted(records, key=lambda r: (r["page"], r["line"])):
        if block["status"] in ("skipped", NOT_FOR_ENGINE_STATUS):
            write(f"  {block['status']} {block['page']}:{block['line']}: {block['reason']}")
    path = config.stash.get(_REPORT_PATH, None)
    if path is not None:
        kept = "" if path.name != PARTIAL_NAME else f" (some pages only: {REPORT_NAME} is kept)"
        write(f"report: {_relative(path)}{kept}")
    if config.stash.get(_ALL_SKIPPED, False):
        write("every docs example was skipped: that is a failure, not a pass", red=True)
