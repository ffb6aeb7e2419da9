"""What each stand-in image is, read from ``recipes/<slug>/facts.toml``: the one source of the
README's and ``lab/IMAGES.md``'s tables and of the site's disclosure boxes.

A facts file says what is inside the image and how it differs from upstream; each difference has
an ``id`` (pages name it), English text (the tables), Korean text (the site) and ``shows``: whether
the difference shows in what the pages' commands print. A folder with facts but no Dockerfile
names an image the lab cannot build (it needs the network).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lab.paths import RECIPES

FACTS = "facts.toml"
_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


class FactsError(Exception):
    """A facts file that is missing, malformed or inconsistent; names the file."""


@dataclass(frozen=True)
class Difference:
    id: str
    en: str
    ko: str
    shows: bool


@dataclass(frozen=True)
class Facts:
    slug: str
    tags: tuple[str, ...]  # from the recipe's `tags` file, as pages write them
    upstream: str
    inside: str
    inside_ko: str
    differences: tuple[Difference, ...]
    built: bool  # False: no stand-in, the real image is pulled (only with the network)

    def difference(self, ident: str) -> Difference | None:
        return next((d for d in self.differences if d.id == ident), None)


def load(folder: Path) -> Facts:
    """One recipe's facts; raises FactsError naming the file and the problem."""
    path = folder / FACTS
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FactsError(f"{path}: missing (every recipe discloses what it is)") from None
    except tomllib.TOMLDecodeError as error:
        raise FactsError(f"{path}: {error}") from None
    try:
        differences = tuple(
            Difference(str(d["id"]), str(d["en"]), str(d["ko"]), bool(d["shows"]))
            for d in data.get("difference", [])
        )
        facts = Facts(
            slug=folder.name,
            tags=tuple(_tags(folder)),
            upstream=str(data["upstream"]),
            inside=str(data["inside"]),
            inside_ko=str(data["inside_ko"]),
            differences=differences,
            built=(folder / "Dockerfile").exists(),
        )
    except KeyError as error:
        raise FactsError(f"{path}: missing key {error}") from None
    ids = [d.id for d in differences]
    for ident in ids:
        if not _ID.match(ident):
            raise FactsError(f"{path}: difference id {ident!r} is not lower-case-with-dashes")
    if len(set(ids)) != len(ids):
        raise FactsError(f"{path}: a difference id is used twice: {', '.join(ids)}")
    if not facts.tags:
        raise FactsError(f"{folder / 'tags'}: no tags")
    return facts


def load_all(recipes: Path = RECIPES) -> list[Facts]:
    """Every recipe folder's facts, stand-ins first in folder order, then the unbuilt ones."""
    every = [load(folder) for folder in sorted(recipes.iterdir()) if folder.is_dir()]
    return [f for f in every if f.built] + [f for f in every if not f.built]


def by_reference(every: list[Facts]) -> dict[str, Facts]:
    """``mysql:9.7`` -> its facts, for every tag of every recipe."""
    return {tag: facts for facts in every for tag in facts.tags}


def _tags(folder: Path) -> list[str]:
    lines = (folder / "tags").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
