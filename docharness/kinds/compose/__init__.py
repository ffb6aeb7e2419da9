"""Compose-file blocks: a ``yaml`` fence with a title whose body has a top-level ``services:``.

```yaml title="blog/compose.yaml"
services:
  web:
    image: nginx:1.27
```

The block is written into the page shell's current folder under the name its title gives
(later transcripts use it: `docker compose -f blog/compose.yaml up`), then checked with
`docker compose -f <file> config -q` (``run.py``). Its ``image:`` lines are the images it uses.
This module is the kind's declaration only: the site's hooks read it without the runner
(``run.py`` is imported when a block runs).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from docharness.image_refs import BlockImages, ImageUse, normalise
from docharness.kinds.kind import TITLE, Kind
from docharness.model import CodeBlock, HarnessError

if TYPE_CHECKING:
    from sybil.typing import Evaluator

NAME = "compose"

_SERVICES = re.compile(r"^services:(?:[ \t]|$)", re.MULTILINE)  # a block or flow mapping
_IMAGE = re.compile(r"""^[ \t]+image:[ \t]*(?P<quote>["']?)(?P<ref>[^"'#\s]+)(?P=quote)""")


def _evaluator() -> Evaluator:
    from docharness.kinds.compose import run  # the runner: the page's shell, pytest

    return run.evaluate


def is_compose(source: str) -> bool:
    """A top-level `services:` key (column 0): a Compose file, not any YAML."""
    return _SERVICES.search(source) is not None


def target(block: CodeBlock) -> PurePosixPath:
    """The file the block is written to, from its fence's `title="..."`: a relative path
    inside the page's folder. Raises HarnessError at the fence for one outside it (or none:
    ``classify`` takes no untitled fence for this kind)."""
    found = TITLE.search(block.info)
    if found is None:
        raise HarnessError(
            block.path,
            block.line,
            'a Compose file needs the name it is saved under: ```yaml title="compose.yaml"',
        )
    name = PurePosixPath(found["name"])
    if name.is_absolute() or ".." in name.parts:
        raise HarnessError(
            block.path, block.line, f"{name}: name a file inside the page's folder (no / or ..)"
        )
    return name


def _name_target(block: CodeBlock) -> None:
    """At collection: a Compose block without a usable file name fails there."""
    target(block)


def _images(block: CodeBlock) -> BlockImages:
    """The `image:` of each service (a `${VAR}` image cannot be told: an error at its line)."""
    found = BlockImages()
    for number, text in enumerate(block.source.splitlines(), start=block.line + 1):
        match = _IMAGE.match(text)
        if match is None:
            continue
        if "$" in match["ref"]:
            raise HarnessError(
                block.path, number, f"cannot tell which image {match['ref']!r} names"
            )
        found.uses.append(ImageUse(normalise(match["ref"]), number))
    return found


KIND = Kind(
    NAME,
    {"yaml": "yaml", "yml": "yaml"},
    is_compose,
    _evaluator,
    (
        "✓ Compose 파일 확인 · 도커 클라이언트 {client} · {date}",
        "이 이름으로 저장하고 docker compose config로 형식을 확인했습니다",
    ),
    passed_as=NAME,  # checked by the client, not run on an engine: its own badge and count
    prepare=_name_target,
    titled=True,
    images=_images,
)
