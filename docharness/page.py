"""A page's run: the state its blocks share, and what every block kind needs from it.

One PageRun per page (the plugin's module-scoped fixture): the page shell, the daemon's
snapshot taken before the first command, the values earlier output bound. Block kinds
(``docharness.kinds``) read it through ``page_of``; a failure is an ExampleFailed whose
message is the whole story.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
from docker.errors import DockerException
from requests.exceptions import RequestException
from sybil import Example

from contracts.layout import lab_dir
from contracts.stores import image_store
from docharness import cleanup, container_view, daemonlog, runs
from docharness.boundary import lab_hidden
from docharness.daemon import Daemon, driver_status, server_version
from docharness.engines import not_for, not_for_store
from docharness.interrupts import deferred
from docharness.model import CodeBlock
from docharness.normalise import Bindings
from docharness.pagefile import PageSource
from docharness.shell import DEFAULT_TIMEOUT, PageShell

PAGE_FIXTURE = "_docharness_page"


class ExampleFailed(AssertionError):
    """A block did not do what its page shows; the message is the whole story."""


def display_path(path: Path) -> str:
    """The page's path as the reader runs pytest: relative to the working directory."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Resource(Protocol):
    """What a kind keeps for a page (``PageRun.resources``): closed when the page finishes."""

    def close(self) -> None: ...


@dataclass
class PageRun:
    """What one page's blocks share: shell, daemon snapshot, values bound so far.

    ``bindings`` gathers what earlier blocks bound; a block matches its output against its
    own fresh bindings (the notes reuse `328d830cc003` for two different containers in two
    blocks) and uses the earlier ones only to substitute values into its commands.

    With ``update`` (`pytest --update-docs`) output and exit checks do not fail: each step's
    real output is kept in ``outputs`` (step line -> lines) for ``docharness.update``. The
    lines are those of ``source``, the page as collection read it: update mode writes nothing
    unless the file still holds exactly those bytes, so the lines cannot have gone stale.
    """

    path: Path
    workdir: Path
    daemon: Daemon
    update: bool = False
    source: PageSource | None = None
    bindings: Bindings = field(default_factory=Bindings)
    outputs: dict[int, list[str]] = field(default_factory=dict)
    # Each transcript block's own bound values (block line -> page value -> real), for update
    # mode: ``bindings`` holds a later block's value where two blocks reuse one page value.
    block_bindings: dict[int, dict[str, str]] = field(default_factory=dict)
    # A block's recording (block line -> its path, contracts.report.recording_path), or why
    # it could not be written (block line -> the error).
    recordings: dict[int, str] = field(default_factory=dict)
    unrecorded: dict[int, str] = field(default_factory=dict)
    # Where this run's blocks write their recordings (docharness.recording.staging_folder);
    # None: nothing is recorded.
    recording_stage: Path | None = None
    shell: PageShell = field(init=False)
    # What a kind keeps for the page's blocks, by kind name (the python kind's worker
    # process, once one runs): closed, in order, when the page finishes, before its shell.
    resources: dict[str, Resource] = field(default_factory=dict)
    # Why the page cannot run (its daemon did not answer when the fixture began it), or None.
    not_begun: str | None = None
    _api: Any = None
    _before: cleanup.Snapshot | None = None
    _finished: bool = False

    def __post_init__(self) -> None:
        self.shell = PageShell(
            self.workdir, self.daemon.host, _hidden(self.daemon), self.daemon.client
        )

    def __hash__(self) -> int:
        return id(self)

    def begin(self) -> None:
        """Snapshot the daemon before the page's first command changes it."""
        if self._before is None:
            try:
                self._api = cleanup.client_for(self.daemon.host)
                self._before = cleanup.snapshot(self._api)
            except DAEMON_GONE as error:
                raise ExampleFailed(
                    _no_answer(self.daemon, error, "the page cannot start")
                ) from None

    def before_listing(self, command: str) -> None:
        """Before ``command`` runs: if it lists containers, let the daemon's list catch up
        with exits it is handling (docharness.container_view). Not begun: no daemon to ask."""
        if self._api is not None and container_view.lists_containers(command):
            try:
                container_view.catch_up(self._api)
            except DAEMON_GONE as error:
                raise ExampleFailed(
                    _no_answer(self.daemon, error, f"cannot run `{command}`")
                ) from None

    def finish(self) -> list[str]:
        """Close the shell, remove what the page created; the problems met. A Ctrl-C or
        SIGTERM meanwhile waits until it is done (docharness.interrupts)."""
        with deferred():
            return self._finish()

    def _finish(self) -> list[str]:
        if self._finished:
            return []
        self._finished = True
        _unfinished.discard(self)
        for resource in self.resources.values():
            resource.close()
        self.shell.close()
        if self._before is None:
            return []
        try:
            return cleanup.restore(self._api, self._before)
        except DAEMON_GONE as error:
            return [_no_answer(self.daemon, error, "nothing was cleaned up")]
        finally:
            self._api.close()


_unfinished: set[PageRun] = set()
ROOT = Path(__file__).resolve().parent.parent


def _hidden(daemon: Daemon) -> list[Path]:
    """What the page's shell must not see (docharness.boundary), for this daemon."""
    socket = Path(daemon.host[7:]) if daemon.host.startswith("unix://") else None
    return lab_hidden(ROOT, lab_dir(ROOT, os.environ), socket)


# A daemon that died or went away: docker-py raises these (a requests error underneath).
DAEMON_GONE = (DockerException, RequestException)


def _no_answer(daemon: Daemon, error: BaseException, consequence: str) -> str:
    """One sentence instead of a connection traceback."""
    return (
        f"the Docker daemon at {daemon.host} does not answer ({type(error).__name__}): "
        f"{consequence}; `make lab` restarts it and removes what was left"
    )


def finish_at_exit(page: PageRun) -> None:
    """Clean ``page`` at the interpreter's exit if nothing else did: the plugin's page fixture
    asks it; a PageRun made elsewhere (a test's) leaves no global state behind."""
    _unfinished.add(page)


@atexit.register
def _finish_all() -> None:
    """Last resort (an interrupted run that skipped fixture teardown): clean every page."""
    for page in list(_unfinished):
        with contextlib.suppress(Exception):
            page.finish()


def page_of(example: Example) -> PageRun:
    page = example.namespace.get(PAGE_FIXTURE)
    if not isinstance(page, PageRun):
        raise RuntimeError("docharness: the page fixture is missing (is the plugin loaded?)")
    return page


@contextlib.contextmanager
def running(example: Example) -> Iterator[tuple[CodeBlock, PageRun]]:
    """A block's turn on its page, as every kind that runs one takes it: the run marked as
    running it; a failure gets what the daemon logged meanwhile. Whether it runs at all was
    decided at collection (``skip_reason``, a skip mark); the daemon's snapshot was taken by
    the page fixture (``PageRun.begin``), and a page whose daemon did not answer then fails
    each block it runs with that sentence."""
    block: CodeBlock = example.parsed
    page = page_of(example)
    if page.not_begun is not None:
        raise ExampleFailed(page.not_begun)
    start = daemonlog.mark(page.daemon.log)
    with runs.running(where(block)):
        try:
            yield block, page
        except ExampleFailed as failed:
            logged = start.excerpt() if start is not None else []
            if not logged:
                raise
            raise ExampleFailed("\n".join([str(failed), *logged])) from None


def where(block: CodeBlock) -> str:
    """`docs/page.md:12`: the block's fence, as failures name it."""
    return f"{display_path(block.path)}:{block.line}"


def skip_mark(block: CodeBlock, daemon: Daemon) -> pytest.MarkDecorator | None:
    """The skip mark the plugin puts on the block's item at collection, with the reason
    ``skip_reason`` gives; None when the block runs."""
    reason = skip_reason(block, daemon)
    return None if reason is None else pytest.mark.skip(reason=reason)


def skip_reason(block: CodeBlock, daemon: Daemon) -> str | None:
    """Why the block does not run here, or None: a `skip` directive, an `engine` range this
    run's engine is outside of (reported as not for this engine), a `store` the daemon does not
    run (reported as not for this store), `requires network` offline. The bench asks it too, so
    both its sides run exactly the blocks the harness runs."""
    directives = block.directives
    if directives.skip is not None:
        return directives.skip
    if directives.engine is not None:
        version = _engine(daemon.host)
        if not directives.engine.contains(version):
            return not_for(directives.engine, version)
    if directives.store is not None:
        running = _store(daemon.host)
        if directives.store != running:
            return not_for_store(directives.store, running)
    if directives.requires == "network" and not daemon.online:
        where = "the lab has no internet" if daemon.mode == "lab" else "Docker Hub is unreachable"
        return f"needs network: {where}"
    return None


@functools.cache
def _engine(host: str) -> str:
    """The version the daemon at ``host`` reports, asked once per run."""
    return server_version(Daemon(host, "lab"))


@functools.cache
def _store(host: str) -> str:
    """The image store the daemon at ``host`` runs, asked once per run."""
    return image_store(driver_status(Daemon(host, "lab")))


def forget_daemons() -> None:
    """Ask the daemons their engine and store again: ``make bench-stores`` restarts the lab on
    the other image store, whose daemons answer on the same sockets."""
    _engine.cache_clear()
    _store.cache_clear()


def block_timeout(block: CodeBlock) -> float:
    """The block's `timeout` directive in seconds, else the default."""
    return block.directives.timeout or DEFAULT_TIMEOUT
