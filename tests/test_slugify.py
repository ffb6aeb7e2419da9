"""Our anchors are GitHub's: hooks/github_slug.py against github-slugger's 78 fixture cases."""

from __future__ import annotations

import functools
import importlib
import json
import sys
from pathlib import Path
from typing import Any

import markdown
import pytest

ROOT = Path(__file__).resolve().parents[1]
# MkDocs loads hooks with hooks/ on sys.path; the tests import them the same way.
sys.path.insert(0, str(ROOT / "hooks"))
github_slug = importlib.import_module("github_slug")
slugify_hook = importlib.import_module("slugify")

FIXTURES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "fixtures" / "github-slugger.json").read_text(encoding="utf-8")
)["cases"]


@functools.cache
def _slugs_in_order() -> tuple[str, ...]:
    """The fixtures are headings of one GitHub document, so one slugger runs through them all."""
    slugger = github_slug.Slugger()
    return tuple(slugger.slug(case["input"]) for case in FIXTURES)


def test_all_fixture_cases_are_there() -> None:
    assert len(FIXTURES) == 78


@pytest.mark.parametrize(
    ("index", "case"),
    list(enumerate(FIXTURES)),
    ids=[f"{i:02d}-{case['name']}" for i, case in enumerate(FIXTURES)],
)
def test_github_slugger_fixture(index: int, case: dict[str, Any]) -> None:
    assert _slugs_in_order()[index] == case["expected"]


def test_reset_starts_a_new_document() -> None:
    slugger = github_slug.Slugger()
    assert [slugger.slug("foo"), slugger.slug("foo")] == ["foo", "foo-1"]
    slugger.reset()
    assert slugger.slug("foo") == "foo"


def _toc_ids(text: str) -> list[str]:
    md = markdown.Markdown(
        extensions=["toc"], extension_configs={"toc": {"slugify": slugify_hook.github_slugify}}
    )
    slugify_hook.on_page_markdown(text)
    md.convert(text)
    return [token["id"] for token in _flatten(md.toc_tokens)]  # type: ignore[attr-defined]


def _flatten(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for token in tokens for t in [token, *_flatten(token["children"])]]


def test_toc_extension_uses_github_anchors() -> None:
    ids = _toc_ids(
        "# 도커 이미지 내려받기 docker pull\n\n## 다이제스트(Digest)\n\n## 다이제스트(Digest)\n"
    )
    assert ids == ["도커-이미지-내려받기-docker-pull", "다이제스트digest", "다이제스트digest-1"]


def test_each_page_numbers_repeats_from_scratch() -> None:
    assert _toc_ids("# 예제\n") == ["예제"]
    assert _toc_ids("# 예제\n") == ["예제"]
