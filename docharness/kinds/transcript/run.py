"""Transcript blocks: run each step and compare its output with the page's.

The evaluator takes the block's turn on its page (``page.running``) and hands the block to
the step runner (``runner.TranscriptRunner``) on the page's shell.
"""

from __future__ import annotations

from sybil import Example

from docharness.kinds.transcript.runner import TranscriptRunner
from docharness.page import running


def evaluate(example: Example) -> None:
    """The Sybil evaluator of transcript blocks."""
    with running(example) as (block, page):
        TranscriptRunner(page, block, page.shell).run_block()
