"""Run a page's blocks: the Sybil evaluators, and the per-page state they share.

A transcript's steps run in order: host commands in the page's shell, interactive ones in
a pty session, container-prompt lines typed into the open session. Page values bound by
earlier output (the PID `1842`, a container ID) are replaced by the real ones in later
commands. A failure names the failing command's own line of the page.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pexpect
import pytest
from docker.errors import DockerException
from requests.exceptions import RequestException
from sybil import Example

from docharness import artifacts, cleanup, runs
from docharness.boundary import lab_hidden
from docharness.daemon import Daemon, lab_file, server_version
from docharness.diagnose import causes
from docharness.directives import seconds
from docharness.engines import EngineRange, not_for
from docharness.interactive import Login, Session, SessionError, is_interactive
from docharness.model import BlockKind, CodeBlock, ExpectedLine, HarnessError, Step
from docharness.normalise import DIFF_LINES, Bindings, Mismatch, is_ellipsis, match
from docharness.shell import DEFAULT_TIMEOUT, CommandTimeout, PageShell
from docharness.synopsis import OptionClaim, check_option_claims, check_synopsis
from docharness.transcript import parse_steps

PAGE_FIXTURE = "_docharness_page"


class ExampleFailed(AssertionError):
    """A block did not do what its page shows; the message is the whole story."""


def display_path(path: Path) -> str:
    """The page's path as the reader runs pytest: relative to the working directory."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class PageRun:
    """What one page's blocks share: shell, daemon snapshot, values bound so far.

    ``bindings`` gathers what earlier blocks bound; a block matches its output against its
    own fresh bindings (the notes reuse `328d830cc003` for two different containers in two
    blocks) and uses the earlier ones only to substitute values into its commands.

    With ``update`` (`pytest --update-docs`) output and exit checks do not fail: each step's
    real output is kept in ``outputs`` (step line -> lines) for ``docharness.update``.
    """

    path: Path
    workdir: Path
    daemon: Daemon
    update: bool = False
    bindings: Bindings = field(default_factory=Bindings)
    outputs: dict[int, list[str]] = field(default_factory=dict)
    shell: PageShell = field(init=False)
    _api: Any = None
    _before: cleanup.Snapshot | None = None
    _finished: bool = False

    def __post_init__(self) -> None:
        self.shell = PageShell(
            self.workdir, self.daemon.host, _hidden(self.daemon), self.daemon.client
        )
        _unfinished.add(self)

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

    def finish(self) -> list[str]:
        """Close the shell, remove what the page created; the problems met."""
        if self._finished:
            return []
        self._finished = True
        _unfinished.discard(self)
        self.shell.close()
        if self._before is None:
            return []
        try:
            return cleanup.restore(self._api, self._before)
        except DAEMON_GONE as error:
            return [_no_answer(self.daemon, error, "nothing was cleaned up")]
        finally:
            self._api.close()

    @contextlib.contextmanager
    def python_environment(self) -> Iterator[None]:
        """os.environ and cwd as a reader's: `docker.from_env()` reaches the page's daemon,
        `subprocess.run(["docker", ...])` runs the page shell's `docker`."""
        saved = {k: os.environ.get(k) for k in ("DOCKER_HOST", "DOCKER_CONFIG", "HOME", "PATH")}
        cwd = os.getcwd()
        os.environ.update({k: self.shell.env[k] for k in saved})
        os.chdir(self.workdir)
        try:
            yield
        finally:
            os.chdir(cwd)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


_unfinished: set[PageRun] = set()
ROOT = Path(__file__).resolve().parent.parent


def _hidden(daemon: Daemon) -> list[Path]:
    """What the page's shell must not see (docharness.boundary), for this daemon."""
    lab_dir = lab_file(ROOT, os.environ).parent
    socket = Path(daemon.host[7:]) if daemon.host.startswith("unix://") else None
    return lab_hidden(ROOT, lab_dir, socket)


# A daemon that died or went away: docker-py raises these (a requests error underneath).
DAEMON_GONE = (DockerException, RequestException)


def _no_answer(daemon: Daemon, error: BaseException, consequence: str) -> str:
    """One sentence instead of a connection traceback."""
    return (
        f"the Docker daemon at {daemon.host} does not answer ({type(error).__name__}): "
        f"{consequence}; `make lab` restarts it and removes what was left"
    )


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


def skip_if_asked(block: CodeBlock, daemon: Daemon) -> None:
    """pytest.skip for a `skip` directive, `requires network` when offline, or an `engine`
    range this run's engine is outside of (reported as not for this engine)."""
    skip = block.directive("skip")
    if skip is not None:
        pytest.skip(skip.value)
    limited = block.directive("engine")
    if limited is not None:
        engine_range, version = EngineRange.parse(limited.value), _engine(daemon.host)
        if not engine_range.contains(version):
            pytest.skip(not_for(engine_range, version))
    needs = block.directive("requires")
    if needs is not None and needs.value == "network" and not daemon.online:
        where = "the lab has no internet" if daemon.mode == "lab" else "Docker Hub is unreachable"
        pytest.skip(f"needs network: {where}")


@functools.cache
def _engine(host: str) -> str:
    """The version the daemon at ``host`` reports, asked once per run."""
    return server_version(Daemon(host, "lab"))


def block_timeout(block: CodeBlock) -> float:
    """The block's `timeout` directive in seconds (validated when parsed), else the default."""
    directive = block.directive("timeout")
    if directive is None:
        return DEFAULT_TIMEOUT
    value = seconds(directive.value)
    if value is None:  # a directive made by hand, not by parse_directives
        raise HarnessError(block.path, directive.line, f"bad timeout {directive.value!r}")
    return value


def evaluate_transcript(example: Example) -> None:
    """The Sybil evaluator of TRANSCRIPT blocks."""
    block: CodeBlock = example.parsed
    page = page_of(example)
    skip_if_asked(block, page.daemon)
    page.begin()
    with runs.running(f"{display_path(block.path)}:{block.line}"):
        _run_transcript(page, block)


def _run_transcript(page: PageRun, block: CodeBlock) -> None:
    runner = _Transcript(page, block_timeout(block))
    error: BaseException | None = None
    try:
        setup = block.directive("setup")
        if setup is not None:
            runner.run(parse_steps(block.path, setup.value, setup.line + 1), "setup: ")
        runner.run(block.steps)
    except BaseException as raised:
        error = raised
        raise
    finally:
        runner.close_sessions()
        runner.keep_bindings()
        teardown = block.directive("teardown")
        if teardown is not None:
            try:
                runner.run(parse_steps(block.path, teardown.value, teardown.line + 1), "teardown: ")
            except ExampleFailed:
                if error is None:
                    raise
            finally:
                runner.close_sessions()


class _Transcript:
    """Runs steps for one block; keeps the pty sessions the block opened."""

    def __init__(self, page: PageRun, timeout: float) -> None:
        self.page = page
        self.timeout = timeout
        self.sessions: list[Session] = []
        self.bindings = Bindings()

    def keep_bindings(self) -> None:
        """Hand this block's bound values to the page, for later blocks' commands."""
        self.page.bindings.values.update(self.bindings.values)

    def run(self, steps: list[Step], label: str = "") -> None:
        for index, step in enumerate(steps):
            following = steps[index + 1] if index + 1 < len(steps) else None
            self.step(step, following, label)

    def close_sessions(self) -> None:
        while self.sessions:
            self.sessions.pop().close()

    def step(self, step: Step, following: Step | None, label: str) -> None:
        known = Bindings({**self.page.bindings.values, **self.bindings.values})
        command = known.substitute(step.command)
        if step.in_container:
            self.typed(step, command, label)
        elif is_interactive(command):
            self.interactive(step, command, following, label)
        else:
            try:
                result = self.page.shell.run(command, self.timeout)
            except CommandTimeout as timeout:
                self.fail(step, f"{label}{timeout}", output=timeout.output)
            self.check(step, command, result.lines, result.status, label)

    def interactive(self, step: Step, command: str, following: Step | None, label: str) -> None:
        shell = self.page.shell
        page_prompt = following.prompt if following and following.in_container else ""
        daemon = self.page.daemon
        terminal = shell.another_terminal()
        session = Session(
            command,
            terminal.cwd,
            shell.environment(),
            enter=terminal.enter,
            page_prompt=page_prompt,
            timeout=self.timeout,
            login=Login(daemon.username, daemon.password),
        )
        self.sessions.append(session)
        output = self.guarded(step, command, session.start, label)
        self.check(step, command, output.split("\n"), session.status, label)

    def typed(self, step: Step, command: str, label: str) -> None:
        session = next((s for s in reversed(self.sessions) if s.alive), None)
        if session is None:
            self.fail(
                step,
                f"{label}a container prompt, but no interactive session is open "
                "(start one in this block: `docker run -it …`, `docker exec -it …`)",
            )
        prompt = [ExpectedLine(step.prompt.rstrip(), step.line)]
        mismatch = match(prompt, [session.prompt.rstrip()], self.bindings)
        if mismatch is not None:
            self.fail(step, f"{label}the container's prompt differs", mismatch=mismatch)
        output = self.guarded(step, command, lambda: session.type(command), label)
        if command.strip() == "exit" and not step.expected:
            return  # bash echoes `exit` as it leaves; the page need not show it
        self.check(step, command, output.split("\n"), None, label)

    def guarded(self, step: Step, command: str, action: Callable[[], str], label: str) -> str:
        """Run a pty action, turning its timeouts and surprises into clear failures."""
        try:
            return action()
        except pexpect.TIMEOUT as timeout:
            seen = str(getattr(timeout, "value", ""))
            self.fail(step, f"{label}timed out after {self.timeout:g} s: {command}", output=seen)
        except (SessionError, pexpect.ExceptionPexpect) as error:
            self.fail(step, f"{label}{command}: {error}")

    def check(
        self, step: Step, command: str, actual: list[str], status: int | None, label: str
    ) -> None:
        """Compare output; a non-zero exit passes only when the page shows the error."""
        mismatch = match(step.expected, actual, self.bindings)
        if self.page.update:
            self.page.outputs[step.line] = list(actual)
            return
        shown = any(not is_ellipsis(line) for line in step.expected)
        undocumented = status not in (None, 0) and not shown
        if mismatch is None and not undocumented:
            return
        if undocumented:
            what = "exits with an error the page does not show"
        else:
            what = "output differs from the page"
        for cause in causes(actual, [line.text for line in step.expected]):
            what += f"\n  likely cause: {cause}"
        saved = None
        if mismatch is not None and mismatch.more:
            saved = artifacts.save_output(self.page.path, step.line, actual)
        self.fail(
            step,
            f"{label}{what}",
            status=status,
            mismatch=mismatch,
            command=command,
            saved=saved,
        )

    def fail(
        self,
        step: Step,
        what: str,
        status: int | None = None,
        mismatch: Mismatch | None = None,
        command: str | None = None,
        output: str = "",
        saved: Path | None = None,
    ) -> NoReturn:
        lines = [f"{display_path(self.page.path)}:{step.line}: {what}"]
        lines.append(f"  {step.prompt}{command or step.command}")
        if status is not None:
            lines.append(f"exit status: {status}")
        if mismatch is not None:
            if mismatch.line is not None and mismatch.line != step.line:
                lines.append(f"first differing line of the page: {mismatch.line}")
            lines.append(mismatch.diff)
            if mismatch.more:
                lines.append(f"... and {mismatch.more} more changed lines not shown")
            if saved is not None:
                lines.append(f"full output: {display_path(saved)}")
        elif output.strip():
            seen = output.rstrip().split("\n")
            if len(seen) > DIFF_LINES:  # the end says where it hung; all of it could be GBs
                lines.append(f"output so far (last {DIFF_LINES} of {len(seen)} lines):")
                seen = seen[-DIFF_LINES:]
            else:
                lines.append("output so far:")
            lines += seen
        raise ExampleFailed("\n".join(lines))


def evaluator_for(block: CodeBlock) -> Callable[[Example], None] | None:
    """The evaluator of a block, by kind (the PageParser's ``evaluator_for``)."""
    if block.kind is BlockKind.TRANSCRIPT:
        return evaluate_transcript
    if block.kind is BlockKind.PYTHON:
        from docharness.pyblocks import evaluate_python

        return evaluate_python
    return evaluate_synopsis


def evaluate_synopsis(example: Example) -> None:
    """The Sybil evaluator of SYNOPSIS blocks: every name must exist in `docker ... --help`."""
    block: CodeBlock = example.parsed
    skip_if_asked(block, page_of(example).daemon)
    problems = check_synopsis(block)
    if problems:
        raise ExampleFailed("\n".join(problems))


def claims_evaluator(claims: list[OptionClaim]) -> Callable[[Example], None]:
    """The evaluator of a page's prose option claims (lists, tables, bold synopses)."""

    def evaluate(example: Example) -> None:
        problems = check_option_claims(claims)
        if problems:
            raise ExampleFailed("\n".join(problems))

    return evaluate
