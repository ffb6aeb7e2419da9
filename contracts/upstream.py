"""The upstream report's contract: how the pages' blocks differ on the real images.

The pages are proven on the lab's stand-ins. ``make test-upstream`` (``docharness.upstream``)
runs them again in own mode, on the GitHub runner against the runner's Docker and the real
registries, and keeps each block that printed something else in ``report/upstream.json``;
the site folds that difference under the block (``hooks/upstream.py``). A block is known by
its page, the line of its opening fence and the fingerprint of its text: an entry whose block
has changed since (another text at that line) is dropped, never shown against the wrong text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

# pydantic reads TypedDicts of typing_extensions only, on Python 3.11.
from typing_extensions import TypedDict

from contracts.report import Docker, write_json

UPSTREAM_NAME = "upstream.json"  # beside the test report, in the report folder


class UpstreamBlock(TypedDict):
    """One block whose run on the real images differed from the page."""

    page: str  # relative to the repository, POSIX form
    line: int  # the opening fence's line
    fingerprint: str  # block_fingerprint of the block's text when it ran
    reason: str  # the harness's first line (`docs/x.md:12: output differs from the page`)
    details: str | None  # the command, its exit status and the diff


class Upstream(TypedDict):
    """A run of the pages on the real images: when, on which Docker, what differed."""

    created: str  # ISO 8601, seconds
    docker: Docker
    blocks: list[UpstreamBlock]  # sorted by page and line; only blocks that differed


UPSTREAM = TypeAdapter(Upstream)


class UpstreamError(ValueError):
    """A file that is not an upstream report."""


def block_fingerprint(info: str, body: Iterable[str]) -> str:
    """The fingerprint of a fenced block's text: its info string and body lines."""
    text = "\n".join([info.strip(), *(line.rstrip() for line in body)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_upstream(path: Path) -> Upstream | None:
    """The upstream report at ``path``; None when there is none."""
    if not path.exists():
        return None
    try:
        return UPSTREAM.validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise UpstreamError(f"{path}: not an upstream report: {where}: {first['msg']}") from None


def write_upstream(upstream: Upstream, path: Path) -> None:
    """Write it as UTF-8 JSON, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, UPSTREAM.dump_json(upstream, indent=2).decode() + "\n")
