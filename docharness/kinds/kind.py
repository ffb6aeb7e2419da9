"""What a block kind is (``Kind``), and what several kinds share.

Apart from the registry (``docharness.kinds``) so that a kind's own folder can declare its
``Kind`` without importing the registry that lists it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docharness.image_refs import BlockImages
from docharness.model import CodeBlock
from docharness.normalise import DIGEST, ID, LONG_ID

if TYPE_CHECKING:  # Sybil's types only: a declaration never loads Sybil or the runner
    from sybil import Document, Region
    from sybil.typing import Evaluator

# A fence's `title="..."` (Material's file name above the block), in either quotes.
TITLE = re.compile(r"""\btitle=(?P<quote>["'])(?P<name>.+?)(?P=quote)""")
# Every name Markdown renderers (Pygments, GitHub) give a shell session or script.
SHELL_LANGUAGES = frozenset(
    {"shell", "console", "bash", "sh", "shell-session", "shellsession", "terminal", "zsh"}
)
# What a run prints and a reader may copy: container and image IDs, digests.
SHOWN_TOKENS = frozenset({DIGEST, LONG_ID, ID})
# The badge of a block run on a real engine, said once for every kind that runs on one.
RAN_ON_ENGINE = (
    "✓ 도커 엔진 {engine}에서 통과{also_failed} · {date}",
    "실제 도커 엔진({engines})에서 실행해 출력까지 페이지와 같은지 확인했습니다",
)
PASSED = "passed"  # how a passed block is counted and badged unless its kind says otherwise


@dataclass(frozen=True)
class Kind:
    """One kind of block, declared whole in its own module or folder of ``docharness.kinds``.

    ``name`` is what a CodeBlock's and the report's ``kind`` hold; ``languages`` maps a fence's
    language to the name the block records (``py`` -> python); ``accepts`` decides between
    kinds of the same languages, on the fence's body, and ``titled`` says the fence must also
    carry a `title="..."` (the file a Compose block is saved as); ``evaluator`` loads and gives
    the kind's Sybil evaluator (its runner is imported only then: the site's hooks read the
    declarations without pexpect or docker); ``badge`` is a passed block's badge text and
    title (``{engine}``, ``{engines}``, ``{also_failed}``, ``{client}``, ``{date}``: see
    hooks/test_badges.py) and ``passed_as`` the word its badge's class and the run's counts
    give it (the report's status stays ``passed``); ``prepare`` parses what the kind needs at
    collection (a bad block fails there, naming file:line); ``images`` what a block does with
    images (``docharness.images``); ``shown`` the (line, value) of each ID and digest a block
    shows as printed (``docharness.ledger``); ``regions`` loads a Sybil parser of the whole
    page the kind adds (the synopsis kind's prose option claims). None: the kind has none.
    """

    name: str
    languages: Mapping[str, str]
    accepts: Callable[[str], bool]
    evaluator: Callable[[], Evaluator]
    badge: tuple[str, str]
    passed_as: str = PASSED
    prepare: Callable[[CodeBlock], None] | None = None
    titled: bool = False
    images: Callable[[CodeBlock], BlockImages] | None = None
    shown: Callable[[CodeBlock], Iterator[tuple[int, str]]] | None = None
    regions: Callable[[], Callable[[Document], Iterator[Region]]] | None = None
