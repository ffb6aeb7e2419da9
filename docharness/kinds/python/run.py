"""Python blocks: run in the page's own worker process, one namespace per page, the page's daemon.

The block runs in the page's worker (``docharness.pysandbox``): inside the page shell's
boundary, in the page's document namespace (earlier blocks' names are visible), with
DOCKER_HOST pointing at the page's daemon so a reader's `docker.from_env()` works, and in the
page's folder. Setup and teardown directives are Python code run there too, with their page
lines.

A block has the same `timeout` as a transcript's command (the directive, else the default):
its worker is killed, an endless loop included, and the block fails naming its line.
"""

from __future__ import annotations

from sybil import Example

from docharness.kinds.python import NAME
from docharness.model import Code, CodeBlock
from docharness.page import ExampleFailed, block_timeout, display_path, running
from docharness.pysandbox import BlockFailed, PageWorker


def evaluate(example: Example) -> None:
    """The Sybil evaluator of Python blocks."""
    with running(example) as (block, page):
        seconds = block_timeout(block)
        worker = page.resources.get(NAME)
        if not isinstance(worker, PageWorker):  # the page's first Python block
            worker = page.resources[NAME] = PageWorker(page.shell)
        setup, teardown = block.directives.setup, block.directives.teardown
        failures = _run(worker, block, seconds, setup, teardown)
        if failures:
            raise ExampleFailed("\n".join(failures))


def _run(
    worker: PageWorker,
    block: CodeBlock,
    seconds: float,
    setup: Code | None,
    teardown: Code | None,
) -> list[str]:
    """Setup, the block, then teardown in the worker; the failures met, the block's own first
    (it is the one reported)."""
    shown = display_path(block.path)
    failures: list[str] = []
    try:
        if setup is not None:
            worker.run(block.path, shown, setup.line, setup.text, seconds, "setup")
        worker.run(block.path, shown, block.line, block.source, seconds)
    except BlockFailed as failed:
        failures.append(str(failed))
    if teardown is not None and not worker.alive:
        failures.append(
            f"its teardown (line {teardown.line}) was not run: the process that held the "
            "block's names is gone; the page's cleanup still runs"
        )
    elif teardown is not None:
        try:
            worker.run(block.path, shown, teardown.line, teardown.text, seconds, "teardown")
        except BlockFailed as failed:
            failures.append(str(failed))
    return failures
