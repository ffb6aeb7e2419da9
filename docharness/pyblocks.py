"""Python blocks: Sybil's PythonEvaluator, one namespace per page, the page's daemon.

The block runs in the page's document namespace (earlier blocks' names are visible), with
DOCKER_HOST pointing at the page's daemon so a reader's `docker.from_env()` works, and in the
page's folder. Setup and teardown directives are Python code, compiled with their page lines.
"""

from __future__ import annotations

from types import SimpleNamespace

from sybil import Example
from sybil.evaluators.python import PythonEvaluator, pad
from sybil.region import Lexeme

from docharness.evaluator import PageRun, page_of, skip_if_asked
from docharness.model import CodeBlock, Directive

_EVALUATOR = PythonEvaluator()


def _run_directive(directive: Directive, example: Example) -> None:
    """Run setup/teardown code; tracebacks point at its lines in the Markdown file."""
    code = compile(pad(directive.value, directive.line), example.path, "exec", dont_inherit=True)
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


def evaluate_python(example: Example) -> None:
    """The Sybil evaluator of PYTHON blocks."""
    block: CodeBlock = example.parsed
    page: PageRun = page_of(example)
    skip_if_asked(block, page.daemon)
    page.begin()
    with page.python_environment():
        setup, teardown = block.directive("setup"), block.directive("teardown")
        if setup is not None:
            _run_directive(setup, example)
        try:
            _EVALUATOR(_as_sybil_example(block, example))  # type: ignore[arg-type]
        finally:
            if teardown is not None:
                _run_directive(teardown, example)
