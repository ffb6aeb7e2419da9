"""Block kinds: what the harness does with a fenced block, one entry per kind.

An entry says which fences are of the kind (their languages and a test of the body), how the
block is prepared at collection, the status the report gives it when it passes, the badge the
site shows for that status, the images its blocks use and the IDs and digests they show (for
the page's ledger). Its evaluator is registered by object in ``evaluators.py``: the site's hooks
read this table without loading the runner (pexpect, docker). A new kind is one module or folder
of this package declaring its ``Kind`` (``kind.py``) and its evaluator, its name in
``BlockKind``, its line in ``KINDS`` and its line in ``evaluators.EVALUATORS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from contracts.report import Status
from docharness.image_refs import BlockImages, from_command, python_calls
from docharness.kinds import compose
from docharness.kinds.kind import TITLE, BlockKind, Kind
from docharness.model import Code, CodeBlock, HarnessError
from docharness.normalise import DIGEST, ID, LONG_ID, is_ellipsis, tokenize
from docharness.transcript import has_prompt, parse_steps, parse_transcript

__all__ = ["KINDS", "BlockKind", "Kind", "classify", "kind", "passed_badge"]

# Every name Markdown renderers (Pygments, GitHub) give a shell session or script.
SHELL_LANGUAGES = frozenset(
    {"shell", "console", "bash", "sh", "shell-session", "shellsession", "terminal", "zsh"}
)
PYTHON_LANGUAGES = {"python": "python", "py": "python"}
# What a run on a real engine proves, said once for every kind that runs on one.
_RAN = (
    "✓ 도커 엔진 {engine}에서 통과{also_failed} · {date}",
    "실제 도커 엔진({engines})에서 실행해 출력까지 페이지와 같은지 확인했습니다",
)


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


def _transcript_images(block: CodeBlock) -> BlockImages:
    """The images of a transcript's host commands (a container's commands run no docker)."""
    found = BlockImages()
    for step in block.steps:
        if not step.in_container:
            from_command(block.path, step.line, step.command, found)
    return found


def _python_images(block: CodeBlock) -> BlockImages:
    return python_calls(block.line, block.source)


# What a run prints and a reader may copy: container and image IDs, digests.
SHOWN_TOKENS = frozenset({DIGEST, LONG_ID, ID})


def _values_in(line: str) -> Iterator[str]:
    """The IDs and digests in a line, in order."""
    return (token.text for token in tokenize(line) if token.kind in SHOWN_TOKENS)


def _transcript_shown(block: CodeBlock) -> Iterator[tuple[int, str]]:
    """Expected output lines and the prompts of container shells (a container's hostname is
    its short ID). Commands are the reader's typing, not output: they are left out."""
    for step in block.steps:
        if step.in_container:
            yield from ((step.line, value) for value in _values_in(step.prompt))
        for line in step.expected:
            if not is_ellipsis(line):
                yield from ((line.line, value) for value in _values_in(line.text))


KINDS = (
    Kind(
        BlockKind.TRANSCRIPT,
        {language: language for language in SHELL_LANGUAGES},
        has_prompt,
        Status.PASSED,
        _RAN,
        prepare=_steps,
        images=_transcript_images,
        shown=_transcript_shown,
    ),
    Kind(
        BlockKind.SYNOPSIS,
        {language: language for language in SHELL_LANGUAGES},
        lambda source: not has_prompt(source),
        Status.SYNOPSIS,
        (
            "✓ 명령 형식 확인 · 도커 클라이언트 {client} · {date}",
            "명령과 옵션이 docker --help에 있는지 확인했습니다",
        ),
    ),
    Kind(
        BlockKind.PYTHON,
        PYTHON_LANGUAGES,
        lambda source: True,
        Status.PASSED,
        _RAN,
        images=_python_images,
    ),
    compose.KIND,
)
TESTED_LANGUAGES = frozenset(language for kind in KINDS for language in kind.languages)
PASSED_STATUSES = tuple(dict.fromkeys(kind.passed for kind in KINDS))


def _check_statuses() -> None:
    """The report's contract lists every status statically: a kind's must be one of them."""
    for entry in KINDS:
        if not isinstance(entry.passed, Status):
            raise TypeError(
                f"kind {entry.name.value}: status {entry.passed!r} is not in "
                "contracts.report.Status: add it there (the report and site read it)"
            )


_check_statuses()


def classify(language: str, source: str, info: str = "") -> Kind | None:
    """The kind of a fence of ``language`` holding ``source`` (``info``: its whole info string);
    None: the fence is not tested."""
    titled = TITLE.search(info) is not None
    return next(
        (
            k
            for k in KINDS
            if language in k.languages and k.accepts(source) and (titled or not k.titled)
        ),
        None,
    )


def kind(name: BlockKind) -> Kind:
    """The entry of a kind."""
    return next(k for k in KINDS if k.name is name)


def passed_badge(status: str) -> tuple[str, str] | None:
    """The badge text and title of a passed block's report status; None for other statuses."""
    return next((k.badge for k in KINDS if k.passed == status), None)
