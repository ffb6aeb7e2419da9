"""The synopsis kind's evaluator, and the parser of a page's prose option claims: every name
must exist in `docker ... --help`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sybil import Document, Example, Region

from docharness.kinds.synopsis import NAME
from docharness.model import CodeBlock
from docharness.page import ExampleFailed
from docharness.synopsis import OptionClaim, check_option_claims, check_synopsis, option_claims


def evaluate(example: Example) -> None:
    """The Sybil evaluator of synopsis blocks: every name must exist in `docker ... --help`."""
    block: CodeBlock = example.parsed
    problems = check_synopsis(block)
    if problems:
        raise ExampleFailed("\n".join(problems))


def claims(document: Document) -> Iterator[Region]:
    """Sybil parser: one region for the page's prose option claims, if it makes any."""
    path = Path(document.path)
    found = option_claims(path, document.text)
    if found:
        # A zero-width region at the first claim's line: prose, so it overlaps no fence.
        line = found[0].line
        start = sum(len(text) + 1 for text in document.text.split("\n")[: line - 1])
        block = CodeBlock(path, line, line, "markdown", "", "", NAME)
        yield Region(start, start, parsed=block, evaluator=claims_evaluator(found))


def claims_evaluator(claims: list[OptionClaim]) -> Callable[[Example], None]:
    """The evaluator of a page's prose option claims (lists, tables, bold synopses)."""

    def evaluate(example: Example) -> None:
        problems = check_option_claims(claims)
        if problems:
            raise ExampleFailed("\n".join(problems))

    return evaluate
