"""Update mode (`pytest --update-docs`): pages get their commands' real output written back,
and the terminal summary shows the diffs.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import pytest

from contracts.stores import image_store
from docharness import daemon as daemons
from docharness import ledger
from docharness.fences import parse_page
from docharness.model import HarnessError
from docharness.page import ROOT, PageRun, display_path
from docharness.pagefile import PageChanged, ensure_unchanged, read_source, replace_file
from docharness.report import page_name
from docharness.update import unified_diff, update_blocks


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("docharness").addoption(
        "--update-docs",
        action="store_true",
        default=False,
        help="write each command's real output back into the pages instead of failing",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_UPDATES] = []
    config.stash[_DIFFS] = []
    config.stash[_PROBLEMS] = []


def enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("update_docs"))


def keep(config: pytest.Config, page: PageRun) -> None:
    """Keep a finished page's real outputs, to be written back at the end of the session."""
    config.stash[_UPDATES].append(page)


_UPDATES = pytest.StashKey[list[PageRun]]()
_DIFFS = pytest.StashKey[list[str]]()
_PROBLEMS = pytest.StashKey[list[str]]()


def update_pages(config: pytest.Config) -> list[str]:
    """Write each updated page back and its ledger (docharness.ledger); keep the diffs for the
    terminal summary. The problems met (a page changed during the run, a block refused), one
    line each naming the page."""
    problems: list[str] = []
    origin: dict[str, str] | None = None
    for page in config.stash.get(_UPDATES, []):
        origin = origin or _run_origin(page.daemon)
        try:
            problems += _update(config, page, origin)
        except PageChanged:
            problems.append(str(PageChanged(display_path(page.path))))
        except HarnessError as error:
            problems.append(str(error))
    return problems


def _update(config: pytest.Config, page: PageRun, origin: Mapping[str, str]) -> list[str]:
    # The text the run parsed (collection's read): ``page.outputs`` is keyed by its lines.
    source = page.source or read_source(page.path)
    old = source.text
    blocks = parse_page(page.path, old)
    where = ledger.path_for(page.path, ROOT)
    recorded = ledger.load(where)
    unproven = frozenset(item.value for item in ledger.unproven(blocks, recorded))
    new, refused = update_blocks(
        old, blocks, page.outputs, page.bindings, unproven, page.block_bindings
    )
    name = page_name(page.path, ROOT)
    problems = [f"{display_path(page.path)}:{r.line}: {r.reason}" for r in refused]
    printed = ledger.values_in(line for lines in page.outputs.values() for line in lines)
    fresh = ledger.after_update(recorded, parse_page(page.path, new), printed, origin)
    if new == old and fresh == recorded:
        return problems
    ensure_unchanged(page.path, source.data)  # the run's parse is the page's: nothing stale
    if new != old:
        # Kill-safe order: the ledger first lists the old and the new values, then the page is
        # replaced, then the ledger drops what the page no longer shows. Each file changes in
        # one rename (docharness.pagefile), so a kill anywhere leaves a ledger covering the page
        # on disk, old or new (tests/test_ledger.py passes), and the next update prunes it.
        both = {**recorded, **fresh}
        if both != recorded:
            ledger.save(where, both)
        replace_file(page.path, source.encode(new), expected=source.data)
        config.stash[_DIFFS].append(unified_diff(old, new, name))
    if fresh != recorded:
        ledger.save(where, fresh)
    return problems


def _run_origin(daemon: daemons.Daemon) -> dict[str, str]:
    """How the ledger names this run: the date, the engine, its image store and whose Docker
    it was. The store as the report records it (``docker.store``): store-gated twins show
    values of either store, and an image ID is a manifest digest on the containerd one."""
    try:
        engine = daemons.server_version(daemon)
        store = image_store(daemons.driver_status(daemon))
    except Exception:  # the daemon went away: the values were still printed by it
        engine, store = "unknown", "unknown"
    today = datetime.date.today().isoformat()
    return {
        "source": "run",
        "date": today,
        "docker": engine,
        "store": store,
        "mode": str(daemon.mode),
    }


def pytest_sessionfinish(session: pytest.Session) -> None:
    problems = update_pages(session.config)
    session.config.stash[_PROBLEMS] = problems
    if problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED  # a page left unwritten is a failure


@pytest.hookimpl(tryfirst=True)  # before the examples' summary, as the diffs come first
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not enabled(config) or hasattr(config, "workerinput"):
        return
    diffs = config.stash.get(_DIFFS, [])
    problems = config.stash.get(_PROBLEMS, [])
    terminalreporter.section("docs updated")
    for diff in diffs:
        terminalreporter.write_line(diff)
    if not diffs and not problems:
        terminalreporter.write_line("every page already shows its real output")
    if problems:
        terminalreporter.section("docs not updated", red=True)
        for problem in problems:
            terminalreporter.write_line(problem)
