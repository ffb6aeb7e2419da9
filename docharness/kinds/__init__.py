"""Block kinds: what the harness does with a fenced block. The registry: ``KINDS``.

Each kind is one module or folder of this package declaring its ``Kind`` (``kind.py``): its
name, fences, evaluator (loaded only when a block runs: the site's hooks read this table
without pexpect or docker), badge, images and the values its blocks show. A new kind is that
folder plus its line in ``KINDS``; nothing outside this package names a kind.
"""

from __future__ import annotations

from contracts.report import Status
from docharness.kinds import compose, python, synopsis, transcript
from docharness.kinds.kind import PASSED, SHELL_LANGUAGES, SHOWN_TOKENS, TITLE, Kind

__all__ = [
    "KINDS",
    "SHELL_LANGUAGES",
    "SHOWN_TOKENS",
    "Kind",
    "classify",
    "kind",
    "outcome",
    "outcomes",
    "tested_languages",
]

# The registry: the first kind that takes a fence is its kind.
KINDS: tuple[Kind, ...] = (transcript.KIND, synopsis.KIND, python.KIND, compose.KIND)


def tested_languages() -> frozenset[str]:
    """Every fence language some kind takes."""
    return frozenset(language for kind in KINDS for language in kind.languages)


def outcomes() -> tuple[str, ...]:
    """What the run's counts and the badges tell apart, in order: the report's statuses, and
    a passed block under its kind's word (a synopsis is counted as a "synopsis")."""
    return tuple(dict.fromkeys([*Status, *(k.passed_as for k in KINDS)]))


def classify(language: str, source: str, info: str = "") -> Kind | None:
    """The kind of a fence of ``language`` holding ``source`` (``info``: its whole info string);
    None: the fence is not tested."""
    titled = TITLE.search(info) is not None
    return next(
        (
            k
            for k in KINDS
            if language in k.languages and k.accepts(source) and (titled or not k.titled)
        ),
        None,
    )


def kind(name: str) -> Kind:
    """The entry of a kind, by its name (a CodeBlock's or a report record's ``kind``)."""
    found = next((k for k in KINDS if k.name == name), None)
    if found is None:
        raise KeyError(f"no block kind {name!r} (known: {', '.join(k.name for k in KINDS)})")
    return found


def outcome(kind_name: str, status: Status) -> str:
    """What a record counts as and its badge is named by: its status, or for a passed block
    its kind's word (``passed_as``). A record that is no kind's (a broken page) keeps its
    status."""
    if status != Status.PASSED:
        return Status(status).value
    return next((k.passed_as for k in KINDS if k.name == kind_name), PASSED)
