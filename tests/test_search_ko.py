"""Unit tests of hooks/search_ko.py (index side of the Korean search)."""

import json
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


def test_synonyms_are_found_by_their_written_forms() -> None:
    synonyms = search_ko.load_synonyms()
    terms = search_ko.synonym_terms("<code>docker run -d -p 8080:80 nginx</code>", synonyms)
    assert {"publish", "포트포워딩", "detach", "백그라운드"} <= set(terms)
    # whole tokens only: --publish-all is not --publish, "tagged" is not "tag"
    assert search_ko.synonym_terms("--publish-all tagged", synonyms) == []
    assert "로그인" in search_ko.synonym_terms("$ docker login", synonyms)


def test_augment_adds_synonyms_to_the_korean_field() -> None:
    index = {
        "config": {"fields": {}},
        "docs": [{"location": "a/#docker-login", "title": "docker login", "text": ""}],
    }
    search_ko.augment(index, search_ko.load_synonyms())
    assert {"login", "로그인"} <= set(index["docs"][0]["ko"].split())


def test_a_malformed_synonym_entry_names_the_file(tmp_path: Path) -> None:
    table = tmp_path / "synonyms.json"
    table.write_text('[{"en": "login", "ko": ["로그인"]}, {"ko": ["태그"]}]', encoding="utf-8")
    with pytest.raises(ValueError, match=r"synonyms.json: entry 2 needs en"):
        search_ko.load_synonyms(table)


def test_the_table_is_written_into_the_query_script(tmp_path: Path) -> None:
    script = tmp_path / "search-ko.js"
    source = ROOT / "docs" / "assets" / "javascripts" / "search-ko.js"
    script.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    search_ko.write_query_table(script)
    code = (
        f"const {{ koreanQuery, SYNONYMS }} = require({str(script)!r});"
        "process.stdout.write(JSON.stringify([SYNONYMS.length, koreanQuery('로그인을 해서'),"
        " koreanQuery('docker run -p 포트 포워딩')]))"
    )
    out = subprocess.run(["node", "-e", code], capture_output=True, text=True, check=True)
    count, login, publish = json.loads(out.stdout)
    assert count == len(search_ko.load_synonyms())
    assert login == "로그인 해서 login"
    assert publish == "docker run publish 포트 포워딩"
    with pytest.raises(ValueError, match="expected one"):
        search_ko.write_query_table(script)  # already filled
