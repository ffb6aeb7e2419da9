"""The step runner of transcript blocks: ``TranscriptRunner`` runs one block's steps.

A transcript's steps run in order: host commands in the page's shell, interactive ones in
a pty session, container-prompt lines typed into the open session. A host command whose
output the page shows as a terminal view (`[+] Building … FINISHED`) runs in the page's shell
with a pty as its terminal and is compared on the final screen (``docharness.screen``).
Page values bound by earlier output (the PID `1842`, a container ID) are replaced by the real
ones in later commands. A failure names the failing command's own line of the page.

The runner reaches the shell and the pty sessions only through ``docharness.protocols``:
the page's ``PageShell`` and ``interactive.Session`` in a run, fakes in ``tests/test_runner.py``.

Each block's own steps (not its setup or teardown) are recorded as the reader's terminal would
have shown them (``docharness.recording``); the file is written when the block ends, and one
that cannot be written leaves the block's result as it is and is named in the run's summary.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pexpect

from contracts.report import recording_file, recording_path
from docharness import artifacts
from docharness.diagnose import causes
from docharness.interactive import Login, Session, SessionError, is_interactive
from docharness.model import CodeBlock, ExpectedLine, ScreenLines, Size, Step
from docharness.normalise import DIFF_LINES, Bindings, Mismatch, is_ellipsis, match, shorten
from docharness.page import ROOT, ExampleFailed, PageRun, block_timeout, display_path
from docharness.protocols import PtySession, Shell, Terminals
from docharness.recording import Recorder, pieces
from docharness.report import page_name
from docharness.screen import DEFAULT_SIZE, HEADER, canonical, claims_view
from docharness.shell import CommandTimeout
from docharness.terminal import TerminalTimeout, run_on_terminal


def _timed_out(seconds: float, command: str) -> str:
    """A step's timeout, with the directive that gives it longer (as a Python block's says)."""
    first, *more = command.split("\n")
    return (
        f"timed out after {seconds:g} s: {first}{' …' if more else ''} "
        "(set `<!-- test: timeout N -->` if it needs longer)"
    )


class TranscriptRunner:
    """Runs one block's steps on the page's ``shell``; keeps the pty sessions the block opened
    (``terminals`` opens them). ``page`` holds what the page's blocks share: the bindings,
    update mode's outputs, the recordings."""

    def __init__(
        self,
        page: PageRun,
        block: CodeBlock,
        shell: Shell,
        terminals: Terminals = Session,
    ) -> None:
        self.page = page
        self.block = block
        self.shell = shell
        self.terminals = terminals
        self.timeout = block_timeout(block)
        self.unordered = block.directives.unordered  # output lines may come in any order
        self.terminal = block.directives.terminal  # every host command on a terminal
        self.sessions: list[PtySession] = []
        self.bindings = Bindings()
        # What the block last typed into: the host shell, or an open session. A recording is one
        # terminal: switching shows on a line of its own, and the session's prompt again.
        self.on_host = True
        self.page_name = page_name(block.path, ROOT)
        password = page.daemon.password
        self.recorder = Recorder(
            f"{self.page_name}:{block.line}",
            self.terminal or DEFAULT_SIZE,
            secrets=(password,) if password else (),
        )

    def run_block(self) -> None:
        """The block's setup, its steps, then its teardown. The first failure is the one
        reported: a teardown's failure only when the block and its setup passed."""
        error: BaseException | None = None
        try:
            setup = self.block.directives.setup
            if setup is not None:
                self.run(list(setup.steps), "setup: ")
            self.run(self.block.steps)
        except BaseException as raised:
            error = raised
            raise
        finally:
            self.recorder.stop()  # the harness closing sessions, the teardown: not the reader's
            try:
                self.close_sessions()
                self.keep_bindings()
                teardown = self.block.directives.teardown
                if teardown is not None:
                    try:
                        self.run(list(teardown.steps), "teardown: ")
                    except ExampleFailed:
                        if error is None:
                            raise
                    finally:
                        self.close_sessions()
            finally:
                self.save_recording()

    def save_recording(self) -> None:
        """Write the block's recording into the run's stage; the page keeps its name (in the
        complete report's folder, which the run renames for another report), or why not."""
        stage = self.page.recording_stage
        if stage is None:
            return
        try:
            self.recorder.write(stage / recording_file(self.page_name, self.block.line))
        except OSError as error:
            self.page.unrecorded[self.block.line] = f"{type(error).__name__}: {error}"
        else:
            self.page.recordings[self.block.line] = recording_path(self.page_name, self.block.line)

    def keep_bindings(self) -> None:
        """Hand this block's bound values to the page, for later blocks' commands."""
        self.page.bindings.values.update(self.bindings.values)
        self.page.block_bindings[self.block.line] = dict(self.bindings.values)  # update mode's

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
        # Only the block's own steps are recorded: the page shows no setup or teardown.
        recorder = None if label else self.recorder
        if step.in_container:
            if recorder is not None:
                session = self.open_session()
                again = session.prompt if session is not None and self.on_host else None
                recorder.typed_into_session(command, again)
                self.on_host = False
            self.typed(step, command, label)
            return
        if recorder is not None:
            if not self.on_host:
                recorder.fresh_line()
            recorder.command(step.prompt, command)
            self.on_host = not is_interactive(command)
        self.page.before_listing(command)
        if is_interactive(command):
            self.interactive(step, command, following, label, recorder)
        elif self.terminal is not None or claims_view(e.text for e in step.expected):
            self.on_terminal(step, command, self.terminal or DEFAULT_SIZE, label, recorder)
        else:
            try:
                result = self.shell.run(command, self.timeout)
            except CommandTimeout as timeout:
                if recorder is not None:
                    recorder.text(timeout.output, pipe=True)
                what = _timed_out(timeout.seconds, timeout.command)
                self.fail(step, f"{label}{what}", output=timeout.output)
            if recorder is not None:
                recorder.chunks(pieces(result.raw, result.arrivals), pipe=True)
            self.check(step, command, result.lines, result.status, label)

    def on_terminal(
        self, step: Step, command: str, size: Size, label: str, recorder: Recorder | None
    ) -> None:
        """Run a host command on a terminal of ``size``; compare the final screen."""
        try:
            drawn = run_on_terminal(self.shell, command, self.timeout, size)
        except TerminalTimeout as timeout:
            if recorder is not None:
                recorder.chunks(pieces(timeout.data, timeout.arrivals), drawn=True)
            what = _timed_out(timeout.seconds, timeout.command)
            last = "\n".join(timeout.screen)
            self.fail(
                step, f"{label}{what}", output=last, seen=f"the terminal's last screen ({size})"
            )
        if recorder is not None:
            recorder.chunks(pieces(drawn.data, drawn.arrivals), drawn=True)
        screen = drawn.screen
        claimed = next((e for e in step.expected if HEADER.match(e.text)), None)
        if claimed is not None and not claims_view(screen) and not self.page.update:
            self.fail(
                step,
                f"{label}the block at line {self.block.line} shows a terminal view "
                f"({claimed.text.strip()!r}, line {claimed.line}), but this command draws none "
                f"on a terminal of {size} (a plain printer, `--progress=plain`?)",
                output="\n".join(screen),
                seen=f"its screen ({size})",
            )
        self.check(step, command, ScreenLines(screen), drawn.status, label, size)

    def interactive(
        self,
        step: Step,
        command: str,
        following: Step | None,
        label: str,
        recorder: Recorder | None,
    ) -> None:
        shell = self.shell
        page_prompt = following.prompt if following and following.in_container else ""
        daemon = self.page.daemon
        terminal = shell.another_terminal()
        session = self.terminals(
            command,
            terminal.cwd,
            shell.environment(),
            enter=terminal.enter,
            page_prompt=page_prompt,
            timeout=self.timeout,
            login=Login(daemon.username, daemon.password),
            listener=recorder.output if recorder is not None else None,
        )
        self.sessions.append(session)
        output = self.guarded(step, command, session.start, label)
        self.check(step, command, output.split("\n"), session.status, label)

    def open_session(self) -> PtySession | None:
        """The session a container prompt types into: the last one still open."""
        return next((s for s in reversed(self.sessions) if s.alive), None)

    def typed(self, step: Step, command: str, label: str) -> None:
        session = self.open_session()
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
            self.fail(step, f"{label}{_timed_out(self.timeout, command)}", output=seen)
        except (SessionError, pexpect.ExceptionPexpect) as error:
            self.fail(step, f"{label}{command}: {error}")

    def check(
        self,
        step: Step,
        command: str,
        actual: list[str],
        status: int | None,
        label: str,
        size: Size | None = None,
    ) -> None:
        """Compare output; a non-zero exit passes only when the page shows the error.

        A terminal's screen (``size``) and the page are compared as ``screen.canonical`` has
        them; update mode writes the screen as it is."""
        expected, compared = step.expected, actual
        if size is not None:
            expected = [ExpectedLine(canonical(e.text, size), e.line) for e in expected]
            compared = [canonical(line, size) for line in actual]
        mismatch = match(expected, compared, self.bindings, self.unordered)
        if self.page.update:
            self.page.outputs[step.line] = actual if size is not None else list(actual)
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
        if mismatch is not None and mismatch.shortened:
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
        seen: str = "output so far",
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
            shown = output.rstrip().split("\n")
            if len(shown) > DIFF_LINES:  # the end says where it hung; all of it could be GBs
                lines.append(f"{seen} (last {DIFF_LINES} of {len(shown)} lines):")
                shown = shown[-DIFF_LINES:]
            else:
                lines.append(f"{seen}:")
            lines += map(shorten, shown)
        raise ExampleFailed("\n".join(lines))
