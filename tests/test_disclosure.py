"""Stand-in disclosure from one source.

The facts files, the generated tables, every page's images and the box the site shows.
"""

from __future__ import annotations

import importlib
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.report import write_report
from docharness.disclosure import check, resolve
from docharness.images import normalise, page_images
from docharness.model import HarnessError
from docharness.report import build_report
from lab.facts import FactsError, by_reference, load, load_all, version_mismatch
from lab.paths import RECIPES
from tools import tables

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
sys.path.insert(0, str(ROOT / "hooks"))
stand_ins = importlib.import_module("stand_ins")
PAGE = Path("docs/page.md")


def test_the_images_md_table_is_generated_from_the_facts() -> None:
    stale = [str(path.relative_to(ROOT)) for path in tables.stale()]
    assert stale == [], f"run `python -m tools.tables`: {', '.join(stale)} differ from the facts"


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


def test_a_pull_by_digest_of_a_repository_the_page_pushed_is_the_pages_own() -> None:
    """docs/registry.md pushes localhost:28099/hello-reg:1.0 and pulls it back by digest; a
    digest of a repository the page only tags, or never pushed, is still an outside image."""
    text = (
        "```shell\n"
        "$ docker tag hello:1 localhost:5000/hello:1.0 && docker push localhost:5000/hello:1.0\n"
        "$ docker pull localhost:5000/hello@sha256:ab\n"
        "$ docker tag busybox mine/box:1\n"
        "$ docker pull mine/box@sha256:cd\n"
        "$ docker pull debian@sha256:ef\n"
        "```\n"
    )
    assert [(u.reference, u.line) for u in page_images(PAGE, text)] == [
        ("mine/box@sha256:cd", 5),
        ("debian@sha256:ef", 6),
    ]


def test_the_registry_page_needs_no_digest_tag_to_keep_its_pull_its_own() -> None:
    """The chapter's refused `docker tag … @sha256:…` is a lesson, not what keeps the later
    pull by digest out of the page's images: without it the page uses the same images."""
    page = ROOT / "docs/registry.md"
    text = page.read_text(encoding="utf-8")
    # The blank line, its comment, the command and its error: in the containerd store's block
    # and in the classic store's.
    refused = re.findall(r"\n\n# .*\n\$ docker tag \S+ \S+@sha256:\S+\nrefusing .*", text)
    assert len(refused) == 2
    without = text
    for lesson in refused:
        without = without.replace(lesson, "")
    used = [u.reference for u in page_images(page, without)]
    assert used == [u.reference for u in page_images(page, text)]
    assert not [reference for reference in used if "hello-reg" in reference]


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
    # Two recipes make debian's tags: a digest is the one of the tag the page also pulls.
    assert resolve("debian@sha256:ab", load_all()) is None
    latest = resolve("debian@sha256:ab", load_all(), ("debian:latest", "busybox:latest"))
    assert latest is not None and latest.slug == "debian13"
    bookworm = resolve("debian@sha256:ab", load_all(), ("debian:bookworm",))
    assert bookworm is not None and bookworm.slug == "debian"
    mysql = resolve("mysql@sha256:ab", load_all(), ("mysql:9.7",))
    assert mysql is not None and mysql.slug == "mysql9"


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
    docker = {"client": "28.2.2", "server": "20.10.24+dfsg1"}
    run = build_report([], docker=docker, mode="lab", created=datetime(2026, 12, 2, tzinfo=UTC))
    html = stand_ins.box(run, used, "../test-environment/")
    assert html.startswith('<details class="info stand-ins"')  # folded: one line until opened
    summary = "<summary>이 페이지의 출력: 실험실의 도커 엔진 20.10 · 대역 이미지 1개 — 자세히"
    assert summary in html
    assert "이 페이지의 출력은 실험실의 도커 엔진 20.10에서 나왔습니다." in html
    assert "dfsg" not in html  # one name for an engine, as the badges give it
    assert "<code>mysql:9.7</code>" in html and "<code>bash-5.3#</code>" in html
    assert 'href="../test-environment/"' in html
    assert "어느 엔진인지 적을 수 없습니다" in stand_ins.box(None, used, "x")
    own = stand_ins.box(build_report([], docker={"server": "28.5.2"}, mode="own"), used, "x")
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
    assert stand_ins._run is not None and stand_ins._run["docker"]["server"] == "28.5.2+dfsg4"


def test_every_stand_in_names_the_upstream_version_and_when_it_was_checked() -> None:
    for facts in load_all():
        if facts.built:
            assert facts.version is not None, facts.slug
            assert facts.version.upstream and facts.version.checked.year >= 2026, facts.slug


def test_the_tags_that_follow_upstream_stand_for_todays_versions() -> None:
    """Issue 21: debian:latest is Debian 13, python:3 is 3.15; node:lts (26 upstream) is not
    faked with Debian's 24."""
    every = by_reference(load_all())
    assert every["debian:latest"].version is not None
    assert every["debian:latest"].version.reports.startswith("13.")
    assert every["debian:bookworm"].version is not None
    assert every["debian:bookworm"].version.reports.startswith("12.")
    for tag in ("python:3", "python:latest"):
        assert every[tag].version is not None
        assert every[tag].version.reports.startswith("3.15."), tag
    assert every["python:3.14"].version is not None
    assert every["python:3.14"].version.reports.startswith("3.14.")
    assert "node:lts" not in every


def test_a_version_the_image_does_not_report_names_the_tag_and_both(tmp_path: Path) -> None:
    folder = tmp_path / "python"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM scratch\n")
    (folder / "tags").write_text("python:3\n")
    (folder / "facts.toml").write_text(
        'upstream = "docker.io/library/python:3.15"\ninside = "x"\ninside_ko = "x"\n'
        '[version]\nprogram = "Python"\ncommand = ["python", "--version"]\n'
        'reports = "3.15.2"\nupstream = "3.15"\nchecked = 2026-12-07\n'
    )
    version = load(folder).version
    assert version is not None
    assert version_mismatch("python:3", version, "Python 3.15.2\n") is None
    assert version_mismatch("python:3", version, "Python 3.16.0\n") == (
        "python:3: the lab's image reports Python 3.16.0, but its facts.toml says 3.15.2 "
        "(standing for upstream 3.15, checked 2026-12-07)"
    )


def test_a_stand_in_without_a_version_or_with_a_quoted_date_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "debian"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM scratch\n")
    (folder / "tags").write_text("debian:latest\n")
    head = 'upstream = "u"\ninside = "x"\ninside_ko = "x"\n'
    (folder / "facts.toml").write_text(head)
    with pytest.raises(FactsError, match=r"facts.toml: no \[version\]"):
        load(folder)
    (folder / "facts.toml").write_text(
        head + '[version]\nprogram = "Debian"\ncommand = ["cat", "/etc/debian_version"]\n'
        'reports = "13.2"\nupstream = "13"\nchecked = "2026-12-07"\n'
    )
    with pytest.raises(FactsError, match="checked must be a date"):
        load(folder)
