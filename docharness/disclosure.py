"""What a page must disclose: the stand-ins it pulls or runs and the differences that matter there.

A page may choose which differences of a stand-in matter on it with a comment
``<!-- stand-in: mysql:9.7 bash-prompt version -->`` (an image the page uses, then difference ids
of its facts file); without one, the differences whose ``shows`` is true are disclosed.
``check()`` turns every way this can go wrong into an error naming the page and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from docharness.fences import find_fences
from docharness.images import ImageUse, normalise, page_images
from lab.facts import Difference, Facts

_COMMENT = re.compile(r"^[ \t]*<!--\s*stand-in\s*:(?P<body>.*?)-->[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Used:
    """One stand-in a page uses and the differences disclosed for it there."""

    reference: str
    facts: Facts
    differences: tuple[Difference, ...]


def resolve(reference: str, every: list[Facts], named: tuple[str, ...] = ()) -> Facts | None:
    """The facts of the recipe that makes ``reference``; a digest matches its repository's
    recipe, or, when the repository has several (``debian:latest`` and ``debian:bookworm``),
    the one whose tag the page also names (``named``): it pulled that tag to learn the digest."""
    for facts in every:
        if reference in facts.tags:
            return facts
    if "@" in reference:
        repository = reference.split("@", 1)[0]
        owners = [f for f in every if any(t.rsplit(":", 1)[0] == repository for t in f.tags)]
        if len(owners) > 1:
            owners = [f for f in owners if any(t in named for t in f.tags)]
        if len(owners) == 1:
            return owners[0]
    return None


def check(path: Path, text: str, every: list[Facts]) -> tuple[list[Used], list[str]]:
    """The stand-ins the page uses, and one error per problem (file:line: message)."""
    uses = page_images(path, text)
    chosen, errors = _chosen(path, text, every, uses)
    used: dict[str, Used] = {}
    references = tuple(use.reference for use in uses)
    for use in uses:
        facts = resolve(use.reference, every, references)
        if facts is None:
            errors.append(
                f"{path}:{use.line}: pulls or runs {use.reference}, which no "
                "lab/recipes/*/facts.toml discloses"
            )
            continue
        if facts.slug in used:
            continue
        named = chosen.get(facts.slug)
        differences = named if named is not None else tuple(d for d in facts.differences if d.shows)
        used[facts.slug] = Used(use.reference, facts, differences)
    return list(used.values()), errors


def _chosen(
    path: Path, text: str, every: list[Facts], uses: list[ImageUse]
) -> tuple[dict[str, tuple[Difference, ...]], list[str]]:
    """Recipe slug -> the differences the page's ``stand-in`` comments name for it."""
    chosen: dict[str, tuple[Difference, ...]] = {}
    errors: list[str] = []
    used = {use.reference for use in uses}
    # A comment inside a fence is the fence's text (an example), not a choice.
    inside = {n for f in find_fences(path, text) for n in range(f.line + 1, f.end_line)}
    for match in _COMMENT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line in inside:
            continue
        words = match["body"].split()
        if not words:
            errors.append(f"{path}:{line}: stand-in comment without an image")
            continue
        reference = normalise(words[0])
        facts = resolve(reference, every, tuple(used))
        if facts is None or reference not in used:
            errors.append(
                f"{path}:{line}: stand-in comment names {words[0]}, which the page "
                "does not pull or run, or no facts file discloses"
            )
            continue
        differences = []
        for ident in words[1:]:
            difference = facts.difference(ident)
            if difference is None:
                known = ", ".join(d.id for d in facts.differences)
                errors.append(
                    f"{path}:{line}: {facts.slug}/facts.toml has no difference "
                    f"{ident!r} (it has: {known})"
                )
            else:
                differences.append(difference)
        chosen[facts.slug] = tuple(differences)
    return chosen, errors
