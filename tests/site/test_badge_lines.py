"""Test badges in chromium: one quiet line per block, Korean labels, a failure's diff folded.

The site is built with a report made here from the pages' real blocks (every status appears);
screenshots go to artifacts/screenshots/badges/.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sitekit

sys.path.insert(0, str(sitekit.ROOT))
from contracts.matrix import MATRIX_NAME, write_matrix  # noqa: E402
from contracts.report import Status  # noqa: E402
from contracts.upstream import UPSTREAM_NAME, block_fingerprint, write_upstream  # noqa: E402
from docharness import matrix as engine_matrix  # noqa: E402
from docharness.fences import find_fences, parse_page  # noqa: E402
from docharness.normalise import capped_diff  # noqa: E402
from docharness.report import build_report, record  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]

SCREENSHOTS = "badges"
# A failure as the harness reports it (docharness/kinds/transcript/runner.py, `fail`), its diff
# made by the harness's own capped_diff; the last line is wider than a desktop's content column.
WIDE = "nginx   latest   " + "a" * 64 + "   2 weeks ago   " + "192MB " * 12
EXPECTED = ["REPOSITORY   TAG       IMAGE ID       CREATED        SIZE", "nginx latest ..."]
ACTUAL = ["REPOSITORY          TAG       IMAGE ID       CREATED        SIZE", WIDE]
DIFF = "\n".join(["  $ docker image ls", "exit status: 0", capped_diff(EXPECTED, ACTUAL)[0]])
# Versions and dates may be Latin, and containerd (a program's name, written as it is, as in the
# containerd row's "28.5 (containerd 저장소)"); every word around them is Korean.
VERSION_OR_DATE = re.compile(r"\d[\w.+~-]*|docker --help|containerd")


def fake_report(folder: Path) -> Path:
    """A report of every block of every page: the first transcript of image-commands.md failed,
    the second skipped offline, the rest passed (or checked, for synopses)."""
    records = []
    for path in sorted((sitekit.ROOT / "docs").rglob("*.md")):
        for block in parse_page(path, path.read_text(encoding="utf-8")):
            records.append(record(block, "passed", root=sitekit.ROOT))
    transcripts = [
        r for r in records if r["page"] == "docs/image-commands.md" and r["kind"] == "transcript"
    ]
    transcripts[0].update(
        status="failed",
        reason=f"docs/image-commands.md:{transcripts[0]['line'] + 1}: output differs from the page",
        details=DIFF,
    )
    transcripts[1].update(status="skipped", reason="needs network: the lab has no internet")
    report = build_report(
        records,
        docker={"client": "28.2.2", "server": "20.10.24+dfsg1"},
        mode="lab",
        created=datetime(2026, 12, 2, tzinfo=UTC),
    )
    (folder / "test-report.json").write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    # make test-engines' matrix: every block had the same result on its four rows, so the badges
    # name four engines, sid's 28.5 twice, once on the containerd image store (the longest line
    # a badge has).
    versions = {
        "bookworm": "20.10.24+dfsg1",
        "trixie": "26.1.5+dfsg1",
        "sid-containerd": "28.5.2+dfsg4",
        "sid": "28.5.2+dfsg4",
    }
    store = {"sid-containerd": "containerd"}
    engines = {
        name: engine_matrix.row({"client": v, "server": v}, store.get(name, "classic"))
        for name, v in versions.items()
    }
    results = {
        (r["page"], r["line"]): {
            name: {"status": Status(r["status"]), "reason": r["reason"]} for name in versions
        }
        for r in records
    }
    write_matrix(folder / MATRIX_NAME, engine_matrix.assemble(engines, results))
    fake_upstream(folder, [r["line"] for r in transcripts[2:4]])
    return folder


def fake_upstream(folder: Path, lines: list[int]) -> None:
    """`make test-upstream`'s report: the block at ``lines[0]`` of image-commands.md differed on
    the real images; so did the one at ``lines[1]``, but that block has changed since (its
    fingerprint is another text's), so the site must not show it."""
    path = sitekit.ROOT / "docs" / "image-commands.md"
    fences = {f.line: f for f in find_fences(path, path.read_text(encoding="utf-8"))}
    shown, changed = lines
    entry = {
        "page": "docs/image-commands.md",
        "reason": f"docs/image-commands.md:{shown + 1}: output differs from the page",
        "details": DIFF,
    }
    write_upstream(
        {
            "created": "2026-12-05T10:00:00+00:00",
            "docker": {"client": "29.1.2", "server": "29.1.2"},
            "blocks": [
                {
                    **entry,
                    "line": shown,
                    "fingerprint": block_fingerprint(fences[shown].info, fences[shown].body),
                },
                {**entry, "line": changed, "fingerprint": "0" * 16},
            ],
        },
        folder / UPSTREAM_NAME,
    )


@pytest.fixture(scope="module")
def badged_url(tmp_path_factory: pytest.TempPathFactory, network: sitekit.Network) -> Iterator[str]:
    report = fake_report(tmp_path_factory.mktemp("report"))
    site = tmp_path_factory.mktemp("badged-site")
    with sitekit.serve(site, network) as served:
        sitekit.build(site, site_url=served.url, report_dir=report)
        yield served.url


def test_each_badge_is_one_korean_line(badged_url: str, page: Any, view: sitekit.View) -> None:
    sitekit.visit(page, badged_url + "image-commands/")
    badges = page.locator(".test-badge")
    assert badges.count() >= 10
    for index in range(badges.count()):
        text = badges.nth(index).locator(".test-badge__text")
        lines = text.evaluate("e => e.getClientRects().length")
        assert lines == 1, f"badge {index + 1} takes {lines} lines: {text.inner_text()!r}"
        words = VERSION_OR_DATE.sub("", badges.nth(index).inner_text())
        assert not re.search("[A-Za-z]", words), f"badge {index + 1} is not Korean: {words!r}"
    texts = badges.all_inner_texts()
    assert any(
        t.startswith(
            "✓ 도커 엔진 20.10 · 26.1 · 28.5 · 28.5 (containerd 저장소)에서 통과 · 2026-12-02"
        )
        for t in texts
    )
    assert any(t.startswith("건너뜀 · 인터넷이 필요합니다 · 2026-12-02") for t in texts)
    sitekit.screenshot(page, SCREENSHOTS, f"image-commands-{view}", full_page=True)


def test_a_failed_block_shows_its_diff_when_asked(
    badged_url: str, page: Any, view: sitekit.View
) -> None:
    sitekit.visit(page, badged_url + "image-commands/")
    failed = page.locator(".test-badge--failed")
    assert failed.count() == 1
    diff = failed.locator(".test-badge__diff pre")
    assert not diff.is_visible()  # folded
    failed.locator("summary").click()
    assert diff.is_visible()
    assert "+REPOSITORY          TAG" in diff.inner_text()
    story = failed.locator(".test-badge__story").inner_text()
    for words in ("출력이 페이지와 다릅니다", "명령: $ docker image ls", "종료 코드 0"):
        assert words in story
    assert (
        "− 기대한 출력 (페이지)" in story
        and "+ 실제 출력 (도커 엔진 20.10 · 26.1 · 28.5 · 28.5 (containerd 저장소))" in story
    )
    assert not re.search(r"expected|actual|differs|exit status", story), story
    # the failed line sits right above its block
    block = failed.locator("xpath=following-sibling::*[1]")
    assert "highlight" in (block.get_attribute("class") or "")
    sitekit.screenshot(failed, SCREENSHOTS, f"failed-diff-{view}")


def test_an_open_diff_stays_in_the_content_column(
    badged_url: str, page: Any, view: sitekit.View
) -> None:
    """Opened, the diff is as wide as the column, not as its widest line: nothing spills over
    the nav (1280) or off the screen (390); the diff scrolls sideways inside its own box."""
    sitekit.visit(page, badged_url + "image-commands/")
    failed = page.locator(".test-badge--failed")
    failed.locator("summary").click()
    column = page.locator(".md-content__inner").bounding_box()
    assert column is not None
    for part in (".test-badge__diff", ".test-badge__story pre"):
        box = failed.locator(part).bounding_box()
        assert box is not None
        assert box["x"] >= column["x"] - 1, f"{part} starts {column['x'] - box['x']:.0f} px left"
        right = box["x"] + box["width"] - (column["x"] + column["width"])
        assert right <= 1, f"{part} ends {right:.0f} px right of the column"
        assert box["x"] >= 0 and box["x"] + box["width"] <= view.width
    pre = failed.locator(".test-badge__story pre")
    assert pre.evaluate("e => e.scrollWidth > e.clientWidth"), "the wide line is not scrolled"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    sitekit.screenshot(page, SCREENSHOTS, f"failed-diff-open-{view}")


def test_a_block_that_differs_upstream_folds_the_difference_under_it(
    badged_url: str, page: Any, view: sitekit.View
) -> None:
    """One fold on image-commands (the other entry's block changed since: dropped), right under
    its block, closed until asked; no fold on a page the upstream report does not name."""
    sitekit.visit(page, badged_url + "image-commands/")
    fold = page.locator(".upstream-diff")
    assert fold.count() == 1
    assert (
        fold.locator("summary")
        .inner_text()
        .startswith("도커 허브의 실제 이미지에서는 이렇게 다릅니다 · 2026-12-05")
    )
    before = fold.locator("xpath=preceding-sibling::*[1]")
    assert "highlight" in (before.get_attribute("class") or "")
    diff = fold.locator(".test-badge__story pre")
    assert not diff.is_visible()
    fold.locator("summary").click()
    assert diff.is_visible()
    story = fold.locator(".test-badge__story").inner_text()
    assert "+ 실제 출력 (도커 엔진 29.1)" in story and "+REPOSITORY          TAG" in story
    sitekit.screenshot(fold, SCREENSHOTS, f"upstream-diff-{view}")
    sitekit.visit(page, badged_url + "container-commands/")
    assert page.locator(".upstream-diff").count() == 0


def test_pseudo_notation_has_no_badge_and_no_copy_button(badged_url: str, page: Any) -> None:
    sitekit.visit(page, badged_url + "container-commands/")
    notation = page.locator("div.highlight", has_text="docker run = [pull] + create + start")
    assert notation.count() == 1
    before = notation.locator("xpath=preceding-sibling::*[1]")
    assert "test-badge" not in (before.get_attribute("class") or "")
    notation.hover()
    assert notation.locator("button.md-clipboard, .md-code__button").count() == 0


@pytest.mark.parametrize("synopsis", ["docker image save [옵션]", "docker image rm [옵션]"])
def test_every_synopsis_has_a_badge(badged_url: str, page: Any, synopsis: str) -> None:
    sitekit.visit(page, badged_url + "image-commands/")
    block = page.locator("div.highlight", has_text=synopsis)
    before = block.locator("xpath=preceding-sibling::*[1]")
    assert "test-badge--synopsis" in (before.get_attribute("class") or "")
    assert before.inner_text().startswith("✓ 명령 형식 확인 · 도커 클라이언트 28.2 · ")
