"""Each kind's evaluator, registered by object: what collection gives Sybil for a block.

Apart from the declarations (``docharness.kinds``) because evaluators import the runner
(pexpect, the docker SDK, pytest), which the site's hooks, reading the declarations, never
load. A new kind adds its evaluator here, beside its line in ``KINDS``.
"""

from __future__ import annotations

from collections.abc import Mapping

from sybil.typing import Evaluator

from docharness.kinds import python, synopsis, transcript
from docharness.kinds.compose import check as compose
from docharness.kinds.kind import BlockKind
from docharness.model import CodeBlock

EVALUATORS: Mapping[BlockKind, Evaluator] = {
    BlockKind.TRANSCRIPT: transcript.evaluate,
    BlockKind.SYNOPSIS: synopsis.evaluate,
    BlockKind.PYTHON: python.evaluate,
    BlockKind.COMPOSE: compose.evaluate,
}


def evaluator_for(block: CodeBlock) -> Evaluator:
    """The evaluator of a block, by kind (the PageParser's ``evaluator_for``)."""
    return EVALUATORS[block.kind]
