"""Python blocks: Sybil's PythonEvaluator, one namespace per page, the page's daemon.

The block runs in the page's document namespace (earlier blocks' names are visible), with
DOCKER_HOST pointing at the page's daemon so a reader's `docker.from_env()` works, and in the
page's folder. Setup and teardown directives are Python code, compiled with their page lines.

A block has the same `timeout` as a transcript's command (the directive, else the default):
SIGALRM interrupts it, an endless loop included, and the block fails naming its line.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType, SimpleNamespace
from typing import NoReturn

from sybil import Example
from sybil.evaluators.python import PythonEvaluator, pad
from sybil.region import Lexeme

from docharness.model import Code, CodeBlock
from docharness.page import ExampleFailed, block_timeout, running, where

_EVALUATOR = PythonEvaluator()


class Overtime(BaseException):
    """Raised inside a Python block when its time is up.

    A BaseException, so that the block's own `except Exception:` cannot swallow it.
    """


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise Overtime in this (the main) thread once ``seconds`` have passed."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("docharness: Python blocks must run in the main thread (SIGALRM)")

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Overtime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run_directive(directive: Code, example: Example) -> None:
    """Run setup/teardown code; tracebacks point at its lines in the Markdown file."""
    code = compile(pad(directive.text, directive.line), example.path, "exec", dont_inherit=True)
    exec(code, example.namespace)
    example.namespace.pop("__builtins__", None)


def _as_sybil_example(block: CodeBlock, example: Example) -> SimpleNamespace:
    """What PythonEvaluator reads: the source, padded so line 1 is the fence line + 1."""
    return SimpleNamespace(
        parsed=Lexeme(block.source, offset=0, line_offset=0),
        line=block.line,
        path=example.path,
        namespace=example.namespace,
    )


def evaluate(example: Example) -> None:
    """The Sybil evaluator of Python blocks."""
    with running(example) as (block, page), page.python_environment(), _no_exit(where(block)):
        seconds = block_timeout(block)
        setup, teardown = block.directives.setup, block.directives.teardown
        try:
            with _timed(block, seconds, "block"):
                if setup is not None:
                    _run_directive(setup, example)
                _EVALUATOR(_as_sybil_example(block, example))  # type: ignore[arg-type]
        finally:
            if teardown is not None:
                with _timed(block, seconds, "teardown"):
                    _run_directive(teardown, example)


class _Exit(BaseException):
    """A block's ``os._exit(code)``, stopped before it ended the whole run."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@contextlib.contextmanager
def _no_exit(where: str) -> Iterator[None]:
    """Turn ``os._exit`` in the block into a failure naming it.

    ``os._exit`` ends the process with no cleanup at all: no teardown, no report, the page's
    containers left on the daemon. A child the block forks still exits for real.
    """
    real, owner = os._exit, os.getpid()

    def refuse(status: int) -> NoReturn:
        if os.getpid() != owner:
            real(status)
        raise _Exit(status)

    os._exit = refuse
    try:
        yield
    except _Exit as stopped:
        raise ExampleFailed(
            f"{where}: the Python block called os._exit({stopped.code}), which would end the "
            "test run at once; it was stopped here and the page is cleaned up as usual"
        ) from None
    finally:
        os._exit = real


@contextlib.contextmanager
def _timed(block: CodeBlock, seconds: float, what: str) -> Iterator[None]:
    """Run under ``deadline``; running out is the block's failure, naming its line."""
    try:
        with deadline(seconds):
            yield
    except Overtime:
        raise ExampleFailed(
            f"{where(block)}: Python {what} timed out after "
            f"{seconds:g} s (set `<!-- test: timeout N -->` if it needs longer)"
        ) from None
