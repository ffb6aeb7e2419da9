"""Update mode (`pytest --update-docs`): pages get their commands' real output written back,
and the terminal summary shows the diffs.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from docharness import daemon as daemons
from docharness import ledger
from docharness.fences import parse_page, read_page
from docharness.page import ROOT, PageRun
from docharness.report import page_name
from docharness.update import unified_diff, update_text


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


def enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("update_docs"))


def keep(config: pytest.Config, page: PageRun) -> None:
    """Keep a finished page's real outputs, to be written back at the end of the session."""
    config.stash[_UPDATES].append(page)


_UPDATES = pytest.StashKey[list[PageRun]]()
_DIFFS = pytest.StashKey[list[str]]()


def update_pages(config: pytest.Config) -> None:
    """Write each updated page back and its ledger (docharness.ledger); keep the diffs for the
    terminal summary."""
    origin: dict[str, str] | None = None
    for page in config.stash.get(_UPDATES, []):
        old = read_page(page.path)
        blocks = parse_page(page.path, old)
        where = ledger.path_for(page.path, ROOT)
        recorded = ledger.load(where)
        unproven = frozenset(item.value for item in ledger.unproven(blocks, recorded))
        new = update_text(old, blocks, page.outputs, page.bindings, unproven)
        if new != old:
            page.path.write_text(new, encoding="utf-8")
            config.stash[_DIFFS].append(unified_diff(old, new, page_name(page.path, ROOT)))
        origin = origin or _run_origin(page.daemon)
        printed = ledger.values_in(line for lines in page.outputs.values() for line in lines)
        fresh = ledger.after_update(recorded, parse_page(page.path, new), printed, origin)
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


def pytest_sessionfinish(session: pytest.Session) -> None:
    update_pages(session.config)


@pytest.hookimpl(tryfirst=True)  # before the examples' summary, as the diffs come first
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not enabled(config) or hasattr(config, "workerinput"):
        return
    diffs = config.stash.get(_DIFFS, [])
    terminalreporter.section("docs updated")
    for diff in diffs:
        terminalreporter.write_line(diff)
    if not diffs:
        terminalreporter.write_line("every page already shows its real output")
