"""Transcript blocks: a shell fence with at least one prompt; each step is run on the page's
shell and its output compared with the page's.

This module is the kind's declaration (its steps parsed at collection, its images, the IDs
and digests it shows); ``run.py`` is its evaluator, ``runner.py`` the step runner.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from docharness.image_refs import BlockImages, from_command
from docharness.kinds.kind import RAN_ON_ENGINE, SHELL_LANGUAGES, SHOWN_TOKENS, Kind
from docharness.model import Code, CodeBlock, HarnessError
from docharness.normalise import is_ellipsis, tokenize
from docharness.transcript import has_prompt, parse_steps, parse_transcript

if TYPE_CHECKING:
    from sybil.typing import Evaluator

NAME = "transcript"


def _evaluator() -> Evaluator:
    from docharness.kinds.transcript import run  # the runner: pexpect, docker, pytest

    return run.evaluate


def _steps(block: CodeBlock) -> None:
    """A transcript's steps, and its setup's and teardown's (a bad one fails collection)."""
    block.steps = parse_transcript(block)
    if block.directives.unordered:
        _refuse_ellipsis(block)
    setup, teardown = block.directives.setup, block.directives.teardown
    block.directives = replace(
        block.directives, setup=_hook_steps(block, setup), teardown=_hook_steps(block, teardown)
    )


def _refuse_ellipsis(block: CodeBlock) -> None:
    """`...` could hide any line of an output whose lines come in any order: refuse it."""
    for step in block.steps:
        for line in step.expected:
            if is_ellipsis(line):
                raise HarnessError(
                    block.path, line.line, "`...` in a block marked unordered: show every line"
                )


def _hook_steps(block: CodeBlock, code: Code | None) -> Code | None:
    if code is None:
        return None
    return replace(code, steps=tuple(parse_steps(block.path, code.text, code.line + 1)))


def _images(block: CodeBlock) -> BlockImages:
    """The images of a transcript's host commands (a container's commands run no docker)."""
    found = BlockImages()
    for step in block.steps:
        if not step.in_container:
            from_command(block.path, step.line, step.command, found)
    return found


def _values_in(line: str) -> Iterator[str]:
    """The IDs and digests in a line, in order."""
    return (token.text for token in tokenize(line) if token.kind in SHOWN_TOKENS)


def _shown(block: CodeBlock) -> Iterator[tuple[int, str]]:
    """Expected output lines and the prompts of container shells (a container's hostname is
    its short ID). Commands are the reader's typing, not output: they are left out."""
    for step in block.steps:
        if step.in_container:
            yield from ((step.line, value) for value in _values_in(step.prompt))
        for line in step.expected:
            if not is_ellipsis(line):
                yield from ((line.line, value) for value in _values_in(line.text))


KIND = Kind(
    NAME,
    {language: language for language in SHELL_LANGUAGES},
    has_prompt,
    _evaluator,
    RAN_ON_ENGINE,
    prepare=_steps,
    images=_images,
    shown=_shown,
)
