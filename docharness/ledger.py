"""Where the IDs and digests a page shows came from: the ledger kept beside the pages.

IDs change on every run, so a page's ID matches whatever real ID stands in its place; that alone
would let a hand-typed ID pass for ever. The ledger (``ledger/<page path>.json``) lists each ID
and digest a page's transcripts show (expected output and container prompts) with its origin:
``run`` (update mode wrote it from what a real command printed: the date, the engine and its
image store, ``classic`` or ``containerd``) or
``notes`` (the learner's own notes show it: a real run of theirs). ``tests/test_ledger.py``
fails for a shown value the ledger does not list; update mode writes the real value in place of
such a value, and records what it wrote.

```python
from pathlib import Path
from docharness.fences import parse_page
from docharness.ledger import unproven

page = "```shell\\n$ docker run -d debian sleep 1\\n3b441ac31e8f\\n```\\n"
blocks = parse_page(Path("page.md"), page)
assert [(s.line, s.value) for s in unproven(blocks, {})] == [(3, "3b441ac31e8f")]
assert unproven(blocks, {"3b441ac31e8f": {"source": "run"}}) == []
```
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from contracts.layout import Layout
from docharness.kinds import SHOWN_TOKENS, kind
from docharness.model import CodeBlock, HarnessError
from docharness.normalise import tokenize
from docharness.pagefile import replace_file

KINDS = SHOWN_TOKENS  # what a run prints and a reader may copy: container and image IDs, digests
SOURCES = frozenset({"run", "notes"})
ELIDED = "..."
SHORT, LONG = 12, 64  # a short ID is the first 12 hex digits of the long one

# {"source": "run", "date": ..., "docker": ..., "store": ...} or {"source": "notes", ...}
Origin = Mapping[str, str]
Ledger = Mapping[str, Origin]  # shown value -> where it came from


@dataclass(frozen=True)
class Shown:
    """An ID or digest a page shows, and its line."""

    line: int
    value: str


def path_for(page: Path, root: Path) -> Path:
    """The page's ledger file: ``ledger/`` mirrors the repository's paths.

    DOCHARNESS_LEDGER_DIR moves the folder (the harness's own tests use it); a page outside the
    repository is filed under its name.
    """
    folder = Layout.from_env(os.environ, root).ledger
    try:
        relative = page.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path(page.name)
    return folder / f"{relative.as_posix()}.json"


def values_in(lines: Iterable[str]) -> Iterator[str]:
    """The IDs and digests in some lines, in order."""
    for line in lines:
        for token in tokenize(line):
            if token.kind in KINDS:
                yield token.text


def shown(blocks: Sequence[CodeBlock]) -> list[Shown]:
    """Every ID and digest the page's blocks show as printed, as each kind reads its blocks
    (``Kind.shown``: a transcript's expected output and container prompts)."""
    found: list[Shown] = []
    for block in blocks:
        read = kind(block.kind).shown
        if read is not None:
            found += [Shown(line, value) for line, value in read(block)]
    return found


def covers(recorded: Iterable[str], value: str) -> bool:
    """Whether ``value`` is recorded: as is, as the short form (12 characters) of a recorded
    64-character ID (`docker ps` and a container's hostname show that) or digest (with the
    containerd image store an image's ID is its manifest's digest: `docker images` shows the
    start of the digest `docker pull` printed), or as a digest the page shortens with `...`."""
    known = set(recorded)
    if value in known:
        return True
    hexes = {k.removeprefix("sha256:") for k in known}
    if len(value) == SHORT and any(len(k) == LONG and k.startswith(value) for k in hexes):
        return True
    if ELIDED not in value:
        return False
    head, _, tail = value.partition(ELIDED)
    return any(k.startswith(head) and k.endswith(tail) and ELIDED not in k for k in known)


def unproven(blocks: Sequence[CodeBlock], ledger: Ledger) -> list[Shown]:
    """The shown values the ledger does not list: no recorded run (or the notes) printed them."""
    return [item for item in shown(blocks) if not covers(ledger, item.value)]


def after_update(
    ledger: Ledger, blocks: Sequence[CodeBlock], printed: Iterable[str], origin: Origin
) -> dict[str, Origin]:
    """The ledger once update mode wrote ``blocks``: a shown value this run ``printed`` is
    recorded with ``origin`` (unless already recorded), an earlier record is kept while the
    page still shows its value, and values no longer shown are dropped."""
    real = set(printed)
    kept: dict[str, Origin] = {}
    for item in shown(blocks):
        earlier = ledger.get(item.value)
        if earlier is not None:
            kept[item.value] = earlier
        elif covers(real, item.value):
            kept[item.value] = dict(origin)
    return kept


def load(path: Path) -> dict[str, Origin]:
    """A ledger file (empty when there is none); a malformed one names itself."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HarnessError(path, 1, f"unreadable ledger: {error}") from None
    if not isinstance(data, dict):
        raise HarnessError(path, 1, "a ledger is an object: shown value -> origin")
    for value, origin in data.items():
        if not isinstance(origin, dict) or origin.get("source") not in SOURCES:
            raise HarnessError(path, 1, f"{value}: origin needs a source, one of {sorted(SOURCES)}")
    return {str(value): {str(k): str(v) for k, v in o.items()} for value, o in data.items()}


def save(path: Path, ledger: Ledger) -> None:
    """Write a ledger, sorted so that diffs stay small; none at all for a page without IDs."""
    if not ledger:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = {value: dict(sorted(ledger[value].items())) for value in sorted(ledger)}
    text = json.dumps(ordered, indent=1, ensure_ascii=False) + "\n"
    replace_file(path, text.encode("utf-8"))  # in one rename: a kill leaves it old or new
