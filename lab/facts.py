"""What each stand-in image is, read from ``recipes/<slug>/facts.toml``: the one source of
``lab/IMAGES.md``'s table and of the site's disclosure boxes.

A facts file says what is inside the image and how it differs from upstream; each difference has
an ``id`` (pages name it), English text (the tables), Korean text (the site) and ``shows``: whether
the difference shows in what the pages' commands print. A folder with facts but no Dockerfile
names an image the lab cannot build (it needs the network).

A built stand-in's ``[version]`` says which program version its image reports (``command``, run
in the image, prints it), which upstream version its tags stand for and when that was checked:
tags move upstream (``debian:latest``, ``python:3``), so the date says how old the claim is.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lab.errors import LabError
from lab.paths import RECIPES

FACTS = "facts.toml"
_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
# A program's version as its version command prints it: 1.38.0, 3.15.2, 10.11.14, 13.2.
VERSION = re.compile(r"\d+(?:\.\d+)+")


class FactsError(LabError):
    """A facts file that is missing, malformed or inconsistent; names the file."""


@dataclass(frozen=True)
class Difference:
    id: str
    en: str
    ko: str
    shows: bool


@dataclass(frozen=True)
class Version:
    """The program version a stand-in reports and the upstream version its tags stand for."""

    program: str  # as readers know it: "Python", "Debian"
    command: tuple[str, ...]  # run as the image's entrypoint; prints the version
    reports: str  # what the lab's image prints, e.g. 3.15.2
    upstream: str  # what the upstream tags stand for, e.g. 3.15
    checked: datetime.date  # when ``upstream`` was last checked against the upstream tags


@dataclass(frozen=True)
class Facts:
    slug: str
    tags: tuple[str, ...]  # from the recipe's `tags` file, as pages write them
    upstream: str
    inside: str
    inside_ko: str
    differences: tuple[Difference, ...]
    built: bool  # False: no stand-in, the real image is pulled (only with the network)
    version: Version | None  # every built stand-in has one

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
            version=_version(path, data.get("version")),
        )
    except KeyError as error:
        raise FactsError(f"{path}: missing key {error}") from None
    if facts.built and facts.version is None:
        raise FactsError(f"{path}: no [version] (every stand-in names the version it stands for)")
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


def _version(path: Path, data: object) -> Version | None:
    """The ``[version]`` table; KeyError for a missing key, FactsError for a bad value."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise FactsError(f"{path}: [version] must be a table")
    command = data["command"]
    if not isinstance(command, list) or not command or not all(isinstance(w, str) for w in command):
        raise FactsError(f"{path}: [version] command must be a list of words")
    reports = str(data["reports"])
    if not VERSION.fullmatch(reports):
        raise FactsError(f"{path}: [version] reports {reports!r} is not a version like 1.2.3")
    checked = data["checked"]
    if not isinstance(checked, datetime.date):
        raise FactsError(f"{path}: [version] checked must be a date (2026-12-07), not quoted")
    return Version(str(data["program"]), tuple(command), reports, str(data["upstream"]), checked)


def reported(output: str) -> str | None:
    """The first version in a version command's output ("Python 3.15.2" -> 3.15.2)."""
    found = VERSION.search(output)
    return found.group(0) if found else None


def version_mismatch(tag: str, version: Version, output: str) -> str | None:
    """None when ``output`` (of ``version.command`` run in ``tag``'s image) reports the version
    the facts say; otherwise the message, naming the tag and both versions."""
    found = reported(output)
    if found == version.reports:
        return None
    said = found if found is not None else f"no version ({output.strip()[:200]!r})"
    return (
        f"{tag}: the lab's image reports {version.program} {said}, but its facts.toml says "
        f"{version.reports} (standing for upstream {version.upstream}, checked "
        f"{version.checked.isoformat()})"
    )


def _tags(folder: Path) -> list[str]:
    lines = (folder / "tags").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
