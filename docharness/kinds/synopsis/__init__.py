"""Synopsis blocks: a shell fence without a prompt (`docker image tag SOURCE TARGET`); every
command and option it names must exist in `docker ... --help`. The page's prose option claims
(lists, tables, bold synopses) are checked the same way, as one region of the page.

This module is the kind's declaration; ``run.py`` its evaluator and the claims' parser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from docharness.kinds.kind import SHELL_LANGUAGES, Kind
from docharness.transcript import has_prompt

if TYPE_CHECKING:
    from sybil import Document, Region
    from sybil.typing import Evaluator

NAME = "synopsis"


def _evaluator() -> Evaluator:
    from docharness.kinds.synopsis import run  # loads Sybil and the page machinery

    return run.evaluate


def _claims() -> Callable[[Document], Iterator[Region]]:
    from docharness.kinds.synopsis import run

    return run.claims


KIND = Kind(
    NAME,
    {language: language for language in SHELL_LANGUAGES},
    lambda source: not has_prompt(source),
    _evaluator,
    (
        "✓ 명령 형식 확인 · 도커 클라이언트 {client} · {date}",
        "명령과 옵션이 docker --help에 있는지 확인했습니다",
    ),
    passed_as=NAME,  # checked against the client's --help, not run: its own badge and count
    regions=_claims,
)
