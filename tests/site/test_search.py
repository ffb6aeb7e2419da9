"""Korean search, proven with Material's own search worker (Node) on the built index."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "hooks"))
import search_ko  # noqa: E402

WORKER = Path(__file__).with_name("search_worker.cjs")

# query -> the page it must find: particles on the query, parts of compound words.
QUERIES = {
    "이미지를": "image-commands/",
    "이미지": "image-commands/",
    "컨테이너를": "container-commands/",
    "컨테이너는": "container-commands/",
    "볼륨": "volumes/",
    "볼륨을": "volumes/",
    "태그를": "image-commands/",
    "다이제스트": "image-commands/",
    "다이제스트를": "image-commands/",
    "제스트": "image-commands/",  # inside 다이제스트
    "삭제": "image-commands/",
    "유니언": "image-commands/",
    "레지스트리에서": "image-commands/",
    "프로세스다": "container-commands/",
    "스냅숏은": "terms/",  # the term list defines it (a container is not a snapshot: E17)
    "이미지 만들기": "dockerfile/",
    "docker compose": "compose/",
}


# query -> the section that must rank first: Korean words for Docker's (the synonym table,
# hooks/search_synonyms.json), particles, and the issue's own misses (로그인, 태그,
# 포트포워딩, docker run -p).
FIRST = {
    "로그인": "image-commands/#docker-login",
    "태그": "image-commands/#docker-image-tag",
    "태그를": "image-commands/#docker-image-tag",
    "이미지 태그": "image-commands/#docker-image-tag",
    # The networks chapter teaches 포트 게시 (publish, `-p`), what readers call 포트포워딩.
    "포트포워딩": "networks/#포트-게시--p와--p",
    "포트 포워딩": "networks/#포트-게시--p와--p",
    # `docker` as itself outranks `Dockerfile` (the Dockerfile sections also run `docker run -p`)
    "docker run -p": "container-commands/#docker-run-명령어-옵션",
    "내려받기": "image-commands/#도커-이미지-내려받기-docker-pull",
    "다운로드": "image-commands/#도커-이미지-내려받기-docker-pull",
    "이미지 내려받기": "image-commands/#도커-이미지-내려받기-docker-pull",
    # 업로드 and 푸시 are `push` in the synonym table. The registry chapter's push section has
    # both `docker push` and 올리기 in its title, so it ranks above the sections whose titles
    # have one of them (the author's login-and-push section, the Dockerfile chapter's push to
    # Docker Hub); it is a whole push, tag to catalog, so it answers the query as well.
    "업로드": "registry/#레지스트리-주소를-붙여-올리기-docker-push",
    "푸시": "registry/#레지스트리-주소를-붙여-올리기-docker-push",
    "로그": "run-nginx/#접속-로그-확인하기-docker-logs",
    # the Nginx page's entry names nginx but not 로그: its logs section answers the whole query
    "nginx 로그": "run-nginx/#접속-로그-확인하기-docker-logs",
    # Docker commands as typed: before search-ko.js's two ranking rules the Dockerfile page
    # (its title's `Dockerfile로` begins with `docker`) came first for every one of them.
    "docker ps": "container-lifecycle/#컨테이너-목록-보기-docker-ps",
    "docker build": "dockerfile/#첫-이미지-만들기-docker-build",
    "docker exec": "container-lifecycle/#실행-중인-컨테이너에서-명령-실행-docker-exec",
    "docker stop": "container-lifecycle/#컨테이너-정지-docker-stop과-docker-kill",
    "docker network create": "networks/#사용자-정의-브리지-네트워크-docker-network-create",
    "접속": "run-mysql/#컨테이너-안의-mysql-클라이언트로-접속하기",
    "불러오기": "image-commands/#docker-import는-docker-image-load가-아닙니다",
    # The save/load synopsis, whose first comment says "tar 파일로 저장" in so many words.
    "파일로 저장": "image-commands/#docker-image-save-명령어-형식",
    "압축": "image-commands/#gzip-옵션을-사용한-tar-파일-용량-줄이기",
    "tar 파일": "image-commands/#gzip-옵션을-사용한-tar-파일-용량-줄이기",
    "세부정보": "container-lifecycle/#컨테이너-세부-정보-보기-docker-inspect",
    "검색": "image-commands/#도커-이미지-세부-정보-조회-docker-image",  # docker search httpd
    "모니터링": "run-cadvisor/",
    "사용량": "container-lifecycle/#자원-사용량-보기-docker-stats",
    "다이제스트를": "image-commands/#다이제스트digest",
    "네임드 볼륨": "volumes/#네임드-볼륨과-docker-volume-명령어",
    "볼륨 공유": "volumes/#다른-컨테이너의-볼륨-공유하기---volumes-from",
    "읽기 전용": "volumes/#읽기-전용-마운트",
    "바인드 마운트": "run-nginx/#바인드-마운트로-웹-페이지-제공하기",
    "가상환경": "run-python/#바인드-마운트한-디렉터리에-가상-환경venv-만들기",
    "pip 설치": "run-python/#컨테이너-안에서-pip-사용하기",
    "데이터베이스 만들기": "run-mysql/#데이터베이스와-사용자를-함께-만들기",
    "비밀번호 없이": "run-mysql/#비밀번호-옵션-없이-실행하면",
    "생성": "networks/#사용자-정의-브리지-네트워크-docker-network-create",  # 생성 is create
    "프로세스": "container-commands/#컨테이너는-프로세스다",
    "유니언 파일 시스템": "image-commands/#왜-도커-유니언-파일-시스템-구조를-사용하는가",
    "멀티 스테이지": "dockerfile/#멀티-스테이지-빌드",
    "빌드 캐시": "dockerfile/#레이어-캐시",
    "헬스 체크": "compose/#시작-순서와-헬스-체크-depends_on-healthcheck",
}


def search(
    site_dir: Path, folder: Path, *mode: str, queries: list[str] | None = None
) -> dict[str, list[str]]:
    """Queries (QUERIES by default) through the site's search worker: query -> pages found
    (or sections, best first, with --ranked)."""
    if shutil.which("node") is None:
        pytest.fail("node is needed to run Material's search worker")
    listed = folder / "queries.json"
    listed.write_text(json.dumps(queries or list(QUERIES), ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        ["node", str(WORKER), str(site_dir), str(listed), *mode],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, list[str]] = json.loads(done.stdout)
    return found


@pytest.fixture(scope="module")
def results(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return search(site_dir, tmp_path_factory.mktemp("search"))


@pytest.mark.parametrize(("query", "page"), QUERIES.items())
def test_query_finds_page(results: dict[str, list[str]], query: str, page: str) -> None:
    assert page in results[query], f"{query!r} found {results[query]}"


def test_material_alone_misses_some(site_dir: Path, tmp_path: Path) -> None:
    """The table is not trivial: without our additions Material misses particles and parts."""
    plain = search(site_dir, tmp_path, "--plain")
    missed = {query for query, page in QUERIES.items() if page not in plain[query]}
    assert {"다이제스트를", "제스트"} <= missed  # a particle, and a part of a word


@pytest.fixture(scope="module")
def ranked(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return search(site_dir, tmp_path_factory.mktemp("ranked"), "--ranked", queries=list(FIRST))


def test_the_table_has_at_least_30_queries() -> None:
    assert len(FIRST) >= 30


@pytest.mark.parametrize(("query", "section"), FIRST.items())
def test_query_ranks_its_section_first(
    ranked: dict[str, list[str]], query: str, section: str
) -> None:
    assert ranked[query][:1] == [section], f"{query!r} ranked {ranked[query][:3]}"


# The two ranking rules of search-ko.js, each on a page of its own, where Material alone ranks
# the other way: a Docker word typed ranks where it stands as itself above where it only
# begins a longer word; a page's entry that names only part of the query (nginx, not 로그)
# does not outrank its section that answers all of it.
RULES = {
    "docker run": "rules-exact/#run",
    "nginx 로그": "rules-page/#logs",
}
RULE_PAGES = [
    {"location": "rules-exact/", "title": "예제", "text": "<p>예제 모음</p>"},
    {
        "location": "rules-exact/#dockerfile",
        "title": "Dockerfile과 dockerd의 running runtime",
        "text": "<p>Dockerfile로 만든 이미지</p>",
    },
    {"location": "rules-exact/#run", "title": "docker run 옵션", "text": "<p>옵션 표</p>"},
    {"location": "rules-page/", "title": "Nginx 실행", "text": "<p>웹 서버를 띄웁니다</p>"},
    {"location": "rules-page/#logs", "title": "접속 로그 보기", "text": "<p>nginx 로그</p>"},
]


def built_index(site_dir: Path) -> dict[str, Any]:
    """The built site's search index (search/search_index.json)."""
    return json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))


def search_site(site_dir: Path, site: Path, index: dict[str, Any]) -> Path:
    """``site``: the built site's search (worker, config, search-ko.js) over ``index``, given
    our Korean terms as the build gives them."""
    (site / "assets").symlink_to(site_dir / "assets")
    search_ko.augment(index, search_ko.load_synonyms())
    (site / "search").mkdir()
    (site / "search" / "search_index.json").write_text(json.dumps(index), encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def rule_pages(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site with the built site's search (its worker, config and search-ko.js) and only the
    pages above in its index."""
    index = {"config": built_index(site_dir)["config"], "docs": RULE_PAGES}
    return search_site(site_dir, tmp_path_factory.mktemp("rule-pages"), index)


@pytest.mark.parametrize(("query", "section"), RULES.items())
def test_ranking_rule_puts_the_answer_first(
    rule_pages: Path, tmp_path: Path, query: str, section: str
) -> None:
    ours = search(rule_pages, tmp_path, "--ranked", queries=[query])[query]
    assert ours[:1] == [section], f"{query!r} ranked {ours}"
    plain = search(rule_pages, tmp_path, "--plain", "--ranked", queries=[query])[query]
    assert plain[:1] != [section], f"Material alone ranks {section} first for {query!r}"


def test_material_alone_ranks_the_issues_queries_wrong(site_dir: Path, tmp_path: Path) -> None:
    """Without synonyms and particles, the queries the issue names do not rank their section."""
    named = ["로그인", "포트포워딩", "docker run -p", "압축", "가상환경"]
    plain = search(site_dir, tmp_path, "--plain", "--ranked", queries=named)
    assert [query for query in named if plain[query][:1] == [FIRST[query]]] == []


# The Korean words learners type for building and compose, before those chapters exist: a
# section that writes only the Docker word (as a transcript does) is found by the Korean one.
# query -> (the section's name, its HTML, which has no Korean in it).
BUILD_AND_COMPOSE = {
    "빌드": ("build", "<code>docker build -t hello .</code>"),
    "이미지 만들기": ("build", "<code>docker build -t hello .</code>"),
    "이미지를 빌드": ("build", "<code>docker build -t hello .</code>"),
    "컴포즈": ("compose", "<code>docker compose up -d</code>"),
    "컴포즈로": ("compose", "<code>docker compose up -d</code>"),
    "도커파일": ("dockerfile", "<code>FROM debian:bookworm</code> in a <code>Dockerfile</code>"),
    "멀티 스테이지": ("multi-stage", "<p>A multi-stage example</p>"),
    "멀티스테이지": ("multi-stage", "<p>A multi-stage example</p>"),
    "캐시": ("cache", "<pre><code>#5 CACHED</code></pre>"),
}


@pytest.fixture(scope="module")
def with_english_sections(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site's search, plus one English-only section per query above."""
    index = built_index(site_dir)
    for anchor, text in dict(BUILD_AND_COMPOSE.values()).items():
        # a page of its own: Material folds a page's first section into the page
        index["docs"].append({"location": f"english/{anchor}/", "title": "example", "text": text})
    return search_site(site_dir, tmp_path_factory.mktemp("english-sections"), index)


@pytest.mark.parametrize(("query", "section"), BUILD_AND_COMPOSE.items())
def test_korean_build_and_compose_words_find_the_docker_word(
    with_english_sections: Path, tmp_path: Path, query: str, section: tuple[str, str]
) -> None:
    location = f"english/{section[0]}/"
    ours = search(with_english_sections, tmp_path, "--ranked", queries=[query])[query]
    assert location in ours, f"{query!r} found {ours[:5]}"
    plain = search(with_english_sections, tmp_path, "--plain", "--ranked", queries=[query])
    assert location not in plain[query], f"Material alone finds {location} for {query!r}"
