"""Stand-in disclosure from one source.

The facts files, the generated tables, every page's images and the box the site shows.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from docharness.images import normalise, page_images
from docharness.model import HarnessError
from docharness.report import Run, build_report, write_report
from lab import tables
from lab.disclosure import check, resolve
from lab.facts import FactsError, load, load_all
from lab.paths import RECIPES

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
sys.path.insert(0, str(ROOT / "hooks"))
stand_ins = importlib.import_module("stand_ins")
PAGE = Path("docs/page.md")


def test_readme_and_images_md_tables_are_generated_from_the_facts() -> None:
    stale = [str(path.relative_to(ROOT)) for path in tables.stale()]
    assert stale == [], f"run `python -m lab docs`: {', '.join(stale)} differ from the facts"


def test_every_recipe_has_facts_and_every_tag_one_owner() -> None:
    every = load_all()
    built = {facts.slug for facts in every if facts.built}
    recipes = {d.name for d in RECIPES.iterdir() if (d / "Dockerfile").exists()}
    assert built == recipes
    tags = [tag for facts in every for tag in facts.tags]
    assert len(tags) == len(set(tags))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_page_discloses_the_images_it_uses(page: Path) -> None:
    _, errors = check(page, page.read_text(encoding="utf-8"), load_all())
    assert errors == []


def test_mysql_page_discloses_real_mysql_and_its_visible_differences() -> None:
    page = ROOT / "docs" / "run-mysql.md"
    used, _ = check(page, page.read_text(encoding="utf-8"), load_all())
    assert [u.reference for u in used] == ["mysql:9.7"]
    assert "bash-prompt" in [d.id for d in used[0].differences]


def test_an_image_without_facts_fails_naming_the_line() -> None:
    # alpine has no stand-in (busybox has one now).
    text = "# t\n\n```shell\n$ docker pull alpine\n...\n```\n"
    _, errors = check(PAGE, text, load_all())
    assert errors == [
        f"{PAGE}:4: pulls or runs alpine:latest, which no lab/recipes/*/facts.toml discloses"
    ]


def test_a_named_difference_that_the_facts_no_longer_have_fails() -> None:
    comment = "<!-- stand-in: mysql:9.7 bash-prompt mariadb-banner -->"
    text = f"{comment}\n\n```shell\n$ docker pull mysql:9.7\n```\n"
    used, errors = check(PAGE, text, load_all())
    assert len(errors) == 1 and "no difference 'mariadb-banner'" in errors[0]
    assert errors[0].startswith(f"{PAGE}:1:")
    assert [d.id for d in used[0].differences] == ["bash-prompt"]


def test_a_stand_in_comment_inside_a_fence_is_an_example() -> None:
    text = "```text\n<!-- stand-in: mysql:9.7 no-such-id -->\n```\n"
    assert check(PAGE, text, load_all()) == ([], [])


def test_a_stand_in_comment_for_an_image_the_page_does_not_use_fails() -> None:
    text = "<!-- stand-in: node:18 npm -->\n\n```shell\n$ docker pull mysql:9.7\n```\n"
    _, errors = check(PAGE, text, load_all())
    assert len(errors) == 1 and "node:18" in errors[0]


def test_images_are_found_in_commands_and_python_calls() -> None:
    text = (
        "```shell\n"
        '$ docker run -it --rm -e A=1 -p8080:80 --name=x -v "$(pwd)":/app ubuntu:14.04 bash\n'
        "$ docker image pull docker.io/library/debian\n"
        "$ docker tag httpd:latest me/httpd:2.0 && docker push me/httpd:2.0\n"
        "$ docker pull me/httpd:2.0\n"
        "$ docker import - flat:1 < x.tar && docker run flat:1\n"
        "$ docker build -t mine . && docker run --rm mine\n"
        "$ docker create -it --name c centos:8 # comment\n"
        "```\n\n"
        "```python\nclient.containers.run(\n    'node:18', detach=True)\n```\n"
    )
    uses = page_images(PAGE, text)
    assert [(u.reference, u.line) for u in uses] == [
        ("ubuntu:14.04", 2),
        ("debian:latest", 3),
        ("centos:8", 8),
        ("node:18", 12),
    ]


def test_valued_options_of_the_new_chapters_are_not_images() -> None:
    """`--link web1` and `--memory-swap 64m` take a value: neither is the image."""
    text = "```shell\n$ docker run --rm --link web1 -m 64m --memory-swap 64m python:3 python\n```\n"
    assert [(u.reference, u.line) for u in page_images(PAGE, text)] == [("python:3", 2)]


def test_an_unknown_option_is_an_error_not_a_guess() -> None:
    with pytest.raises(HarnessError, match=r"page.md:2: unknown docker option '--frobnicate'"):
        page_images(PAGE, "```shell\n$ docker run --frobnicate x debian\n```\n")


def test_references_normalise_as_docker_does() -> None:
    assert normalise("debian") == "debian:latest"
    assert normalise("index.docker.io/library/debian:latest") == "debian:latest"
    assert normalise("localhost:5000/x") == "localhost:5000/x:latest"
    assert normalise("debian@sha256:ab") == "debian@sha256:ab"
    assert resolve("debian@sha256:ab", load_all()) is not None


def test_a_facts_file_naming_one_difference_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tags").write_text("x:1\n")
    diff = '[[difference]]\nid = "a"\nen = "e"\nko = "k"\nshows = true\n'
    (tmp_path / "facts.toml").write_text(
        'upstream = "u"\ninside = "i"\ninside_ko = "k"\n' + diff + diff
    )
    with pytest.raises(FactsError, match="used twice"):
        load(tmp_path)


def test_box_names_the_engine_the_stand_ins_and_links_the_guide() -> None:
    page = ROOT / "docs" / "run-mysql.md"
    used, _ = check(page, page.read_text(encoding="utf-8"), load_all())
    run = Run(client="28.2.2", server="20.10.24+dfsg1", mode="lab", created="2026-12-02")
    html = stand_ins.box(run, used, "../test-environment/")
    assert html.startswith('<details class="info stand-ins"')  # folded: one line until opened
    summary = "<summary>이 페이지의 출력: 실험실의 도커 엔진 20.10 · 대역 이미지 1개 — 자세히"
    assert summary in html
    assert "이 페이지의 출력은 실험실의 도커 엔진 20.10에서 나왔습니다." in html
    assert "dfsg" not in html  # one name for an engine, as the badges give it
    assert "<code>mysql:9.7</code>" in html and "<code>bash-5.3#</code>" in html
    assert 'href="../test-environment/"' in html
    assert "어느 엔진인지 적을 수 없습니다" in stand_ins.box(None, used, "x")
    own = stand_ins.box(Run("28.5.2", "28.5.2", "own", ""), used, "x")
    assert "진짜 레지스트리" in own and "bash-5.3#" not in own  # real images: no stand-in facts


def test_the_box_reads_the_report_where_the_harness_wrote_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DOCHARNESS_REPORT_DIR moves the report: the box must name that run's engine, as the
    # badges do, not say there is no report.
    docker = {"client": "28.5.2+dfsg4", "server": "28.5.2+dfsg4"}
    write_report(build_report([], docker=docker, mode="lab"), tmp_path / "test-report.json")
    monkeypatch.setenv("DOCHARNESS_REPORT_DIR", str(tmp_path))
    stand_ins.on_config(None)
    assert stand_ins._run is not None and stand_ins._run.server == "28.5.2+dfsg4"
