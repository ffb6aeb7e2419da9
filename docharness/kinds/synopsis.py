"""Synopsis blocks and prose option claims: every name must exist in `docker ... --help`."""

from __future__ import annotations

from collections.abc import Callable

from sybil import Example

from docharness.model import CodeBlock
from docharness.page import ExampleFailed
from docharness.synopsis import OptionClaim, check_option_claims, check_synopsis


def evaluate(example: Example) -> None:
    """The Sybil evaluator of synopsis blocks: every name must exist in `docker ... --help`."""
    block: CodeBlock = example.parsed
    problems = check_synopsis(block)
    if problems:
        raise ExampleFailed("\n".join(problems))


def claims_evaluator(claims: list[OptionClaim]) -> Callable[[Example], None]:
    """The evaluator of a page's prose option claims (lists, tables, bold synopses)."""

    def evaluate(example: Example) -> None:
        problems = check_option_claims(claims)
        if problems:
            raise ExampleFailed("\n".join(problems))

    return evaluate
