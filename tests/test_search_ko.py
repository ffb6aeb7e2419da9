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


def query_script(tmp_path: Path) -> Path:
    """A copy of search-ko.js in ``tmp_path`` with the synonym table written in."""
    script = tmp_path / "search-ko.js"
    source = ROOT / "docs" / "assets" / "javascripts" / "search-ko.js"
    script.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    search_ko.write_query_table(script)
    return script


def test_the_table_is_written_into_the_query_script(tmp_path: Path) -> None:
    script = query_script(tmp_path)
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


def queries_through_the_table(tmp_path: Path, queries: list[str]) -> list[str]:
    """Each query as search-ko.js hands it to Material's worker, with the table built in."""
    script = query_script(tmp_path)
    code = (
        f"const {{ koreanQuery }} = require({str(script)!r});"
        f"process.stdout.write(JSON.stringify({json.dumps(queries)}.map(q => koreanQuery(q))))"
    )
    out = subprocess.run(["node", "-e", code], capture_output=True, text=True, check=True)
    expanded: list[str] = json.loads(out.stdout)
    return expanded


def test_build_and_compose_words_expand_at_query_time(tmp_path: Path) -> None:
    """What learners type for the building and compose chapters; phrases need their words in
    a row, particles stripped."""
    cases = {
        "빌드": "빌드 build",
        "이미지 만들기": "이미지 만들기 build",
        "이미지를 만들기": "이미지 만들기 build",
        "만들기 이미지": "만들기 이미지",  # not the phrase
        "데이터베이스 만들기": "데이터베이스 만들기",  # 만들기 alone is not build
        "컴포즈로": "컴포즈 compose",
        "도커파일": "도커파일 dockerfile",
        "멀티 스테이지": "멀티 스테이지 multi-stage",
        "멀티스테이지 빌드": "멀티스테이지 빌드 multi-stage build",
        "캐시": "캐시 cache",
        "--no-cache": "cache",
    }
    assert queries_through_the_table(tmp_path, list(cases)) == list(cases.values())


def test_build_and_compose_words_are_indexed_where_the_docker_word_is() -> None:
    synonyms = search_ko.load_synonyms()

    def korean(text: str) -> set[str]:
        return {t for t in search_ko.synonym_terms(text, synonyms) if not t.isascii()}

    assert korean("$ docker build -t hello .") == {"빌드", "이미지 만들기", "이미지 빌드"}
    assert korean("$ docker compose up") == {"컴포즈"}
    assert korean("$ docker-compose up") == {"컴포즈"}
    assert korean("FROM debian in a Dockerfile") == {"도커파일"}
    assert korean("a multi-stage build") >= {"멀티스테이지", "멀티 스테이지", "빌드"}
    assert korean("#5 CACHED") == {"캐시"}
    assert korean("docker build --no-cache .") >= {"캐시"}
    # whole tokens only
    assert korean("rebuild builder composer dockerfiles cachet") == set()


def through_the_script(tmp_path: Path, expression: str) -> object:
    """The JSON value of ``expression`` with search-ko.js's exports (table built in) in scope."""
    script = query_script(tmp_path)
    code = (
        f"const {{ workerQuery, rerank }} = require({str(script)!r});"
        f"process.stdout.write(JSON.stringify({expression}))"
    )
    out = subprocess.run(["node", "-e", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_typed_docker_words_get_a_boosted_copy_that_is_not_a_prefix(tmp_path: Path) -> None:
    """Material's worker adds `*` to every plain word; a boosted copy of a Docker word the
    reader typed goes without one, any other word's (Korean, or added by the table) with it."""
    cases = {
        "docker run -p": "docker^10 run^10 publish^10 docker run publish",
        "로그인을": "로그인*^10 login*^10 로그인 login",
        "nginx 로그": "nginx^10 로그*^10 logs*^10 nginx 로그 logs",
        "+docker run": "+docker run",  # lunr's own syntax goes as typed
        "docker run -p 8080:80": "docker run publish 8080:80",
    }
    expression = f"{json.dumps(list(cases))}.map(q => workerQuery(q))"
    assert through_the_script(tmp_path, expression) == list(cases.values())


def test_a_page_leads_its_sections_only_when_it_answers_the_whole_query(tmp_path: Path) -> None:
    """Material's post-query factor is 1 + (page + share)^2; the page's 1 stays only for a page
    that has every word of the query (a word or its Docker word)."""

    def item(location: str, score: float, **terms: bool) -> dict[str, object]:
        return {"location": location, "score": score, "terms": terms}

    found = {
        "items": [
            [
                # names nginx only: Material's factor 1 + (1 + 1/3)^2
                item("nginx/", 100 * (1 + (4 / 3) ** 2), nginx=True, 로그=False, logs=False),
                item("nginx/#logs", 80 * 2, nginx=True, 로그=True, logs=True),
            ],
            [item("logs/#a", 10 * 2, 로그=True, logs=True, nginx=True), item("logs/", 0)],
            # answers both words (로그 through its Docker word): keeps its lead, score as it was
            [item("both/", 25, nginx=True, 로그=False, logs=True)],
        ]
    }
    expression = f"rerank({json.dumps(found, ensure_ascii=False)}, 'nginx 로그').items"
    groups = through_the_script(tmp_path, expression)
    assert isinstance(groups, list)
    ranked = [[(doc["location"], round(doc["score"], 2)) for doc in group] for group in groups]
    assert ranked == [
        [("nginx/#logs", 160.0), ("nginx/", round(100 * (1 + (1 / 3) ** 2), 2))],
        [("both/", 25)],
        [("logs/#a", 20.0), ("logs/", 0)],
    ]
