"""Python blocks: a python fence, run in the page's own worker process (``run.py``).

This module is the kind's declaration: its languages, its badge and the images its blocks'
docker SDK calls use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docharness.image_refs import BlockImages, python_calls
from docharness.kinds.kind import RAN_ON_ENGINE, Kind
from docharness.model import CodeBlock

if TYPE_CHECKING:
    from sybil.typing import Evaluator

NAME = "python"


def _evaluator() -> Evaluator:
    from docharness.kinds.python import run  # the runner: the page's worker, pytest

    return run.evaluate


def _images(block: CodeBlock) -> BlockImages:
    return python_calls(block.line, block.source)


KIND = Kind(
    NAME,
    {"python": "python", "py": "python"},
    lambda source: True,
    _evaluator,
    RAN_ON_ENGINE,
    images=_images,
)
