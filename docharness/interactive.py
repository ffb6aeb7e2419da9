"""Interactive commands in a pty (pexpect): `docker run -it`, `attach`, `exec -it`, `login`.

A session starts from the page shell's directory and environment. The page's following
container-prompt lines are typed into it one by one; each one's output is what the pty
printed between the echo of the typed line and the next prompt.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pexpect

from docharness.cli import VALUED_OPTIONS

_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][A-Z0-9]|[=>])")
# Escape sequences bash may print right before its prompt (bracketed paste, colours).
_ESCAPES = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"
# The prompt shapes of the notes: `root@328d830cc003:/# ` and `[root@cdc1bef7f247 /]# `.
DEBIAN_PROMPT = _ESCAPES + r"[a-z_][a-z0-9_-]*@[\w.-]+:[^\r\n]*?[#$] "
REDHAT_PROMPT = _ESCAPES + r"\[[a-z_][a-z0-9_-]*@[\w.-]+ [^\]\r\n]*\][#$] "
# Busybox's and alpine's `/ # `, and bash's own default where no bashrc sets one (`bash-5.1# `,
# as in the Oracle Linux based mysql image).
BUSYBOX_PROMPT = r"(?<![^\r\n])" + _ESCAPES + r"[/~][^\s#$]* [#$] "  # at a line's start
VERSIONED_PROMPT = _ESCAPES + r"(?:ba)?sh-\d+(?:\.\d+)*[#$] "

_FLAG_WORDS = ("run", "exec", "start")  # `create -it` only prepares a terminal: not interactive


class SessionError(Exception):
    """The session did not behave like a terminal would (no prompt, no login)."""


def clean(text: str) -> str:
    """Terminal output as a reader sees it: no escape sequences, no carriage returns."""
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    # A lone \r rewinds the line: keep what was written last.
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def prompt_pattern(page_prompt: str) -> str:
    """A regex for the prompts of a session, from the shape of the page's container prompt."""
    shown = page_prompt.lstrip()
    if shown.startswith("["):
        return REDHAT_PROMPT
    if shown.startswith(("/", "~")):
        return BUSYBOX_PROMPT
    if re.match(r"(?:ba)?sh-\d", shown):
        return VERSIONED_PROMPT
    return DEBIAN_PROMPT


def _options_before_operand(words: list[str]) -> list[str]:
    """The option words in front of the first operand (the image or container)."""
    options: list[str] = []
    index = 0
    while index < len(words) and words[index].startswith("-"):
        options.append(words[index])
        index += 2 if words[index] in VALUED_OPTIONS else 1
    return options


def _has_it(words: list[str]) -> bool:
    """Whether docker flags ask for both -i and -t (and not -d): a terminal session."""
    short = "".join(w[1:] for w in words if w.startswith("-") and not w.startswith("--"))
    interactive = "i" in short or "--interactive" in words
    tty = "t" in short or "--tty" in words
    if not tty and ("a" in short or "--attach" in words):  # `docker start -ai`
        tty = True
    detached = "d" in short or "--detach" in words
    return interactive and tty and not detached


def is_interactive(command: str) -> bool:
    """True for commands that need a terminal: docker run/exec -it, attach, login."""
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    if len(words) < 2 or words[0] != "docker":
        return False
    rest = words[2:] if words[1] == "container" and len(words) > 2 else words[1:]
    verb, flags = rest[0], rest[1:]
    options = [w for w in flags if w.startswith("-")]
    if verb == "attach":
        return True
    if verb == "login":
        return not any(o.startswith(("-p", "--password")) for o in options)
    # Only options before the image count: `docker run img sh -c "ls -it"` is not -it.
    if verb in _FLAG_WORDS:
        return _has_it(_options_before_operand(flags))
    return False


@dataclass(frozen=True)
class Login:
    """The answers to `docker login`'s questions."""

    username: str | None
    password: str | None


Listener = Callable[[float, str], None]  # (time.monotonic(), text): what the pty printed


class _Log:
    """pexpect's ``logfile_read``: hands each piece the pty printed, with the time it was read,
    to a listener (the block's recording). Typed input is not in it: a terminal that echoes
    prints it back, and one that does not (a password prompt) keeps it unseen here too."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    def write(self, text: str) -> None:
        self.listener(time.monotonic(), text)

    def flush(self) -> None:
        pass


class Session:
    """One interactive command running in a pty."""

    def __init__(
        self,
        command: str,
        cwd: Path,
        env: dict[str, str],
        page_prompt: str = "",
        timeout: float = 60.0,
        login: Login | None = None,
        enter: Sequence[str] = (),
        listener: Listener | None = None,
    ) -> None:
        """``enter`` prefixes the command to run it in the page shell's namespaces;
        ``listener`` is told what the pty prints as it is read."""
        if not cwd.is_dir():  # else the pty's child fails before exec and runs on as us
            raise NotADirectoryError(f"an interactive session cannot start in {cwd}")
        self.command = command
        self.timeout = timeout
        self.prompt_re = prompt_pattern(page_prompt)
        self.prompt = ""  # the last prompt the container printed, cleaned
        self.status: int | None = None
        self._login = login
        argv = [*enter, "bash", "-c", "exec " + command]  # bash: the page's quoting, as typed
        self._child = pexpect.spawn(
            argv[0],
            argv[1:],
            cwd=str(cwd),
            env={**env, "TERM": "xterm"},
            encoding="utf-8",
            codec_errors="replace",
            dimensions=(50, 200),
            timeout=timeout,
        )
        self._child.delaybeforesend = None  # we only send after a prompt: no need to wait
        if listener is not None:
            self._child.logfile_read = _Log(listener)

    @property
    def pid(self) -> int:
        return int(self._child.pid)

    @property
    def alive(self) -> bool:
        return self.status is None

    def start(self) -> str:
        """Output up to the first prompt, or up to EOF when the command ended.

        Nothing is typed before that prompt. `docker attach` needs no Enter: the CLI resizes
        the container's terminal as it attaches (one row and column more, then the real
        size) so that the shell redraws its prompt. An Enter pressed as well made bash leave
        its prompt for an empty line while the session took the redrawn prompt for the ready
        one: a line typed then, before bash's next prompt, met a terminal back in canonical
        mode, whose echo and the prompt after it read as an empty output
        (tests/test_interactive.py provokes it).
        """
        words = shlex.split(self.command)
        if "login" in words[1:3]:
            return self._answer_login()
        return self._until_prompt()

    def _answer_login(self) -> str:
        patterns = ["Username: ", "Password: ", pexpect.EOF]
        transcript = ""
        while True:
            index = self._child.expect(patterns)
            transcript += self._child.before + (self._child.after if index < 2 else "")
            if index == 2:
                self._finish()
                return _strip_blank_edges(clean(transcript))
            answer = self._login.username if self._login and index == 0 else None
            if index == 1 and self._login:
                answer = self._login.password
            if answer is None:
                self.close()
                raise SessionError(
                    "`docker login` asks for credentials the lab does not have "
                    "(set DOCS_DOCKER_USERNAME / DOCS_DOCKER_PASSWORD, or run `make lab`)"
                )
            self._child.sendline(answer)

    def _until_prompt(self) -> str:
        index = self._child.expect([self.prompt_re, pexpect.EOF])
        text = clean(self._child.before)
        if index == 0:
            self.prompt = clean(self._child.after)
        else:
            self._finish()
        return _strip_blank_edges(text)

    def type(self, command: str) -> str:
        """Type ``command`` at the prompt; what it printed before the next prompt."""
        if not self.alive:
            raise SessionError(f"the session of `{self.command}` has already ended")
        self._child.sendline(command)
        # Wait for the terminal's echo of the (last) line first: bash may redraw its prompt
        # (on the resize docker sends after attaching) before it reads what we typed.
        last = command.rsplit("\n", 1)[-1]
        self._child.expect([re.escape(last) + r"\r*\n", pexpect.EOF])
        return self._until_prompt()

    def _finish(self) -> None:
        self._child.expect(pexpect.EOF)
        self._child.close()
        status = self._child.exitstatus
        self.status = status if status is not None else 128 + (self._child.signalstatus or 0)

    def close(self) -> None:
        """End the session: `exit`, then EOF, then kill its process group (ours)."""
        if self._child.closed:
            return
        if self._child.isalive():
            with contextlib.suppress(OSError):
                self._child.sendline("exit")
            with contextlib.suppress(pexpect.ExceptionPexpect):
                self._child.expect(pexpect.EOF, timeout=3)
        if self._child.isalive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        self._child.close(force=True)
        if self.status is None:
            self.status = self._child.exitstatus if self._child.exitstatus is not None else -1


def _strip_blank_edges(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip("\n")
