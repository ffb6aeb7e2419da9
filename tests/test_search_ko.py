"""Unit tests of hooks/search_ko.py (index side of the Korean search)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))
import search_ko  # noqa: E402


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("이미지를", "이미지"),
        ("컨테이너는", "컨테이너"),
        ("레지스트리에서", "레지스트리"),
        ("도커허브로", "도커허브"),
        ("서버에게서", "서버"),
        ("이미지", "이미지"),  # no particle
        ("추가", "추가"),  # `가` would leave one syllable
        ("속도", "속도"),
    ],
)
def test_strip_particle(word: str, stem: str) -> None:
    assert search_ko.strip_particle(word) == stem


def test_extra_terms_has_stems_and_inner_parts_but_not_the_words_themselves() -> None:
    terms = search_ko.extra_terms("<p>도커 <code>다이제스트</code>를 태그를 붙여 봅니다</p>")
    assert "태그" in terms  # stem of 태그를
    assert {"이제스트", "제스트", "스트"} <= set(terms)  # parts of 다이제스트
    assert "다이제스트" not in terms and "도커" not in terms  # already in the text itself
    assert len(terms) == len(set(terms))


def test_augment_adds_a_field_known_to_the_worker() -> None:
    index = {
        "config": {"fields": {"title": {"boost": 1000.0}}},
        "docs": [{"location": "a/", "title": "볼륨", "text": "볼륨을 만듭니다"}],
    }
    search_ko.augment(index)
    assert index["config"]["fields"]["ko"] == {"boost": 1.0}
    assert "듭니다" in index["docs"][0]["ko"].split()  # part of 만듭니다


def test_query_side_uses_the_same_particles() -> None:
    """docs/assets/javascripts/search-ko.js strips the very particles the index strips."""
    script = ROOT / "docs" / "assets" / "javascripts" / "search-ko.js"
    listed = re.search(r"PARTICLES = \[(.*?)\]", script.read_text(), re.DOTALL)
    assert listed is not None
    assert sorted(re.findall(r'"([^"]+)"', listed.group(1))) == sorted(search_ko.PARTICLES)


def test_query_side_strips_particles_in_node() -> None:
    script = ROOT / "docs" / "assets" / "javascripts" / "search-ko.js"
    code = (
        f"const {{ koreanQuery }} = require({str(script)!r});"
        "process.stdout.write(koreanQuery('이미지를 docker 태그를* 추가'))"
    )
    out = subprocess.run(["node", "-e", code], capture_output=True, text=True, check=True)
    assert out.stdout == "이미지 docker 태그* 추가"
