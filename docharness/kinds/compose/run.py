"""The Compose kind's evaluator: write the file where the page's shell stands, then check it.

The file is written by the page shell itself (it may stand in another mount namespace than
the harness), its bytes passed as base64 so that no heredoc word in the file can end it.
"""

from __future__ import annotations

import base64
import shlex

from sybil import Example

from docharness.kinds.compose import target
from docharness.page import ExampleFailed, block_timeout, display_path, running


def evaluate(example: Example) -> None:
    """The Sybil evaluator of Compose blocks: the file saved under its title, then
    `docker compose -f <file> config -q` must accept it."""
    with running(example) as (block, page):
        name = target(block)
        where = f"{display_path(block.path)}:{block.line}"
        file = shlex.quote(str(name))
        payload = base64.b64encode(block.source.encode()).decode()
        folder = f"mkdir -p {shlex.quote(str(name.parent))} && " if name.parent.parts else ""
        seconds = block_timeout(block)
        wrote = page.shell.run(f"{folder}printf %s {payload} | base64 -d > {file}", seconds)
        if wrote.status != 0:
            raise ExampleFailed(f"{where}: cannot write {name}: {wrote.output.strip()}")
        checked = page.shell.run(f"docker compose -f {file} config -q", seconds)
        if checked.status != 0:
            raise ExampleFailed(
                f"{where}: docker compose config rejects {name} "
                f"(exit status {checked.status}):\n{checked.output.rstrip()}"
            )
