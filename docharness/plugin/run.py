"""Running pages: the daemon check, each block's skip decided at collection, the daemon and
page fixtures (the page's daemon snapshot), the host-port turn."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from docharness import daemon as daemons
from docharness import runs
from docharness.fences import find_fences, read_page
from docharness.page import DAEMON_GONE, ROOT, ExampleFailed, PageRun, finish_at_exit, skip_mark
from docharness.plugin import update_mode
from docharness.plugin.collection import PageItem, runs_pages
from docharness.plugin.reporting import recording_stage

HOST_PORTS_LOCK = Path(tempfile.gettempdir()) / "docharness-host-ports.lock"
# `-p 8080:80`, `--publish=127.0.0.1:8080:80`, docker-py's `ports={...}`, a compose file's
# `ports:` entry (`- "8080:80"`): a host port.
PUBLISHES_PORT = re.compile(
    r"(?:\s-p|--publish)[ =](?:[\d.]+:)?\d+:\d+|\bports=\{"
    r"|(?m:^[ \t]*-[ \t]+[\"']?(?:[\d.]+:)?\d+:\d+(?:/\w+)?[\"']?[ \t]*$)"
)


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


def _lab_daemons(chosen: daemons.Daemon) -> list[daemons.Daemon]:
    """Every daemon of the lab ``chosen`` belongs to."""
    return [dataclasses.replace(chosen, host=host) for host in runs.lab_hosts(ROOT)]


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
    if hasattr(config, "workerinput") or config.option.collectonly or not runs_pages(config):
        return  # `--collect-only` runs nothing: it needs no daemon
    try:
        found = _daemons_of_run(config)
        if found[0].mode == "lab" and not os.environ.get("DOCS_DOCKER_HOST"):
            # A lab daemon that died is passed over for a living one (runs.claim says so):
            # stop only when none of the lab's daemons answers.
            found = _lab_daemons(found[0])
            if any(map(runs.answers, found)):
                return
        for each in found:
            daemons.ping(each)
    except daemons.DaemonError as error:
        # A usage error: pytest prints just "ERROR: <message>" and exits with status 4.
        raise pytest.UsageError(f"docharness: {error}") from None


def pytest_configure(config: pytest.Config) -> None:
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


@pytest.hookimpl(trylast=True)  # after -k, -m and --lf chose the items: claim only if one runs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each block's skip, decided once before any block runs: a skip mark with the reason
    ``page.skip_reason`` gives (a `skip` directive, an engine or store this daemon is not,
    no network). The daemon is the session's (claimed here, first, as its fixture would);
    its engine and store are asked once."""
    blocks = [item for item in items if isinstance(item, PageItem)]
    if config.option.collectonly or not blocks:
        return  # `--collect-only` runs nothing: it needs no daemon
    try:
        daemon = runs.claim(ROOT, announcer(config)).daemon
    except (daemons.DaemonError, *DAEMON_GONE):
        return  # the daemon fixture says why, on each block, as it always has
    try:
        for item in blocks:
            mark = skip_mark(item.block, daemon)
            if mark is not None:
                item.add_marker(mark)
    except DAEMON_GONE as error:
        raise pytest.UsageError(f"docharness: the Docker daemon does not answer: {error}") from None


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
    """The page's shared state, the daemon's snapshot taken before its first block; afterwards
    (pass, fail or Ctrl-C) its traces are removed."""
    path = Path(request.node.path)
    update = update_mode.enabled(request.config)
    source = getattr(request.node, "source", None)  # the PageFile: the page as collected
    workdir = tmp_path_factory.mktemp(path.stem)
    stage = recording_stage(request.config)
    page = PageRun(path, workdir, _docharness_daemon, update, source, recording_stage=stage)
    finish_at_exit(page)
    with host_ports_turn(path):
        try:
            try:
                page.begin()
            except ExampleFailed as failed:  # each block that runs fails with the sentence
                page.not_begun = str(failed)
            yield page
        finally:
            for problem in page.finish():
                warnings.warn(f"docharness cleanup of {path.name}: {problem}", stacklevel=1)
            if update:
                update_mode.keep(request.config, page)
