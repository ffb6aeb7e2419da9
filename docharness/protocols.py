"""What the step runner needs from the page's shell and its terminals, as protocols.

``docharness.kinds.transcript.runner`` drives a block's steps through these and nothing else:
``PageShell`` is the ``Shell``, the class ``interactive.Session`` is the ``Terminals`` (calling
it opens a ``PtySession``), both structurally. A test hands the runner a fake of each and runs
a block in-process, with no bash, no pty and no daemon (``tests/test_runner.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from docharness.interactive import Listener, Login
from docharness.shell import Result, Terminal


class Shell(Protocol):
    """The page's persistent shell: a host command's output and status; where another terminal
    beside it starts; its exported variables now."""

    def run(self, command: str, timeout: float) -> Result:
        """Run ``command``; raise ``shell.CommandTimeout`` after ``timeout`` seconds."""
        ...

    def another_terminal(self) -> Terminal: ...

    def environment(self) -> dict[str, str]: ...


class PtySession(Protocol):
    """One interactive command on a pty (`docker run -it`): its output up to the first prompt,
    then each typed line's output up to the next prompt."""

    prompt: str  # the last prompt the container printed
    status: int | None  # the command's exit status once it ended

    @property
    def alive(self) -> bool: ...

    def start(self) -> str: ...

    def type(self, command: str) -> str: ...

    def close(self) -> None: ...


class Terminals(Protocol):
    """Opens a pty session for an interactive command (``interactive.Session`` is one)."""

    def __call__(
        self,
        command: str,
        cwd: Path,
        env: dict[str, str],
        page_prompt: str = ...,
        timeout: float = ...,
        login: Login | None = ...,
        enter: Sequence[str] = ...,
        listener: Listener | None = ...,
    ) -> PtySession: ...
