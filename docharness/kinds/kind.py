"""What a block kind is: its name (``BlockKind``) and its declaration (``Kind``).

Apart from the registry (``docharness.kinds``) so that a kind's own folder can declare its
``Kind`` without importing the registry that lists it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum

from contracts.report import Status
from docharness.image_refs import BlockImages
from docharness.model import CodeBlock

# A fence's `title="..."` (Material's file name above the block), in either quotes.
TITLE = re.compile(r"""\btitle=(?P<quote>["'])(?P<name>.+?)(?P=quote)""")


class BlockKind(Enum):
    """The kinds' names (a CodeBlock's ``kind``, the report's ``kind``)."""

    TRANSCRIPT = "transcript"  # shell fence with at least one prompt: run it
    SYNOPSIS = "synopsis"  # shell fence without a prompt: check names against `docker ... --help`
    PYTHON = "python"  # python fence: run with Sybil's Python evaluator
    COMPOSE = "compose"  # yaml fence with top-level `services:`: write it, `docker compose config`


@dataclass(frozen=True)
class Kind:
    """One kind of block.

    ``languages`` maps a fence's language to the name the block records (``py`` -> python);
    ``accepts`` decides between kinds of the same languages, on the fence's body, and ``titled``
    says the fence must also carry a `title="..."` (the file a Compose block is saved as);
    ``prepare``
    parses what the kind needs at collection (a bad block fails there, naming file:line);
    ``passed`` is the report's status for a block that
    passed, and ``badge`` its badge text and title (``{engine}``, ``{engines}``, ``{also_failed}``,
    ``{client}``, ``{date}``: see hooks/test_badges.py); ``images`` what a block does with
    images (``docharness.images``); ``shown`` the (line, value) of each ID and digest a block
    shows as printed (``docharness.ledger``). None: the kind has none.
    """

    name: BlockKind
    languages: Mapping[str, str]
    accepts: Callable[[str], bool]
    passed: Status
    badge: tuple[str, str]
    prepare: Callable[[CodeBlock], None] | None = None
    titled: bool = False
    images: Callable[[CodeBlock], BlockImages] | None = None
    shown: Callable[[CodeBlock], Iterator[tuple[int, str]]] | None = None
