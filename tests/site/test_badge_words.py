"""The words of the badges and the box, in chromium, on every page: one name per engine, and
every reason a reader can see in plain Korean sentences.

The site is built from the report the harness's own rule (docharness.page.skip_reason) gives
a run in the offline lab on its default engine: a page's `skip` directive gives its reason,
`requires network` the offline reason, an `engine` range the default engine is outside of the
harness's "not for this engine" reason; the matrix (`test-engines.json`) says the same on each
of the lab's engines. One block limited to older engines is left out of the matrix, so the site
also shows a range no engine ran.
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
from docharness import matrix as engine_matrix  # noqa: E402
from docharness import page as harness  # noqa: E402
from docharness.daemon import Daemon  # noqa: E402
from docharness.engines import (  # noqa: E402
    NOT_FOR_ENGINE,
    NOT_FOR_ENGINE_STATUS,
    NOT_FOR_STORE,
)
from docharness.fences import parse_page  # noqa: E402
from docharness.model import CodeBlock  # noqa: E402
from docharness.report import build_report, record  # noqa: E402
from lab.engines import DEFAULT, ENGINES  # noqa: E402

pytestmark = pytest.mark.browser

# Each lab engine as `docker version` reports it (Debian's package versions).
VERSIONS = {
    name: engine.version_prefix
    + {"sid": "2+dfsg4", "sid-containerd": "2+dfsg4", "trixie": "5+dfsg1"}.get(name, "24+dfsg1")
    for name, engine in ENGINES.items()
}
UNMATRIXED = ("docs/image-commands.md", "<25")  # the block whose range no engine ran
# What the reader must never see: a Debian package version, the harness's English, or the
# range words the issue found cryptic ("26 미만용").
NEVER = re.compile(
    r"\d+\.\d+\.\d+|dfsg|needs network|not for this engine|this engine"
    r"|\d (미만|이상|이하|초과)|엔진용"
)
# The engine versions (a store's row is the same version on another image store).
NUMBERS = " · ".join(
    engine.version_prefix.rstrip(".") for engine in ENGINES.values() if engine.store == "classic"
)


def status_on(block: CodeBlock, version: str, store: str = "classic") -> tuple[str, str | None]:
    """The status and reason the harness's own rule (docharness.page.skip_reason) gives
    ``block`` in the offline lab on the engine reporting ``version``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(harness, "_engine", lambda host: version)
        patch.setattr(harness, "_store", lambda host: store)
        reason = harness.skip_reason(block, Daemon("unix:///nowhere", "lab"))
    if reason is None:
        return "passed", None
    limited = reason.startswith((NOT_FOR_ENGINE, NOT_FOR_STORE))
    return (NOT_FOR_ENGINE_STATUS if limited else "skipped"), reason


def faithful_report(folder: Path) -> Path:
    records, results = [], {}
    for path in sorted((sitekit.ROOT / "docs").rglob("*.md")):
        for block in parse_page(path, path.read_text(encoding="utf-8")):
            status, reason = status_on(block, VERSIONS[DEFAULT])
            entry = record(block, status, reason=reason, root=sitekit.ROOT)
            records.append(entry)
            engine = block.directives.engine
            if (entry["page"], str(engine)) == UNMATRIXED:
                continue
            by_engine = {}
            for name, version in VERSIONS.items():
                got, why = status_on(block, version, ENGINES[name].store)
                by_engine[name] = {"status": Status(got), "reason": why}
            results[(entry["page"], entry["line"])] = by_engine
    docker = {"client": VERSIONS[DEFAULT], "server": VERSIONS[DEFAULT]}
    report = build_report(
        records, docker=docker, mode="lab", created=datetime(2026, 12, 7, tzinfo=UTC)
    )
    (folder / "test-report.json").write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    engines = {
        name: engine_matrix.row({"client": v, "server": v}, ENGINES[name].store)
        for name, v in VERSIONS.items()
    }
    write_matrix(folder / MATRIX_NAME, engine_matrix.assemble(engines, results))
    return folder


@pytest.fixture(scope="module")
def worded(
    tmp_path_factory: pytest.TempPathFactory, network: sitekit.Network
) -> Iterator[sitekit.Served]:
    report = faithful_report(tmp_path_factory.mktemp("report"))
    site = tmp_path_factory.mktemp("worded-site")
    with sitekit.serve(site, network) as served:
        sitekit.build(site, site_url=served.url, report_dir=report)
        yield served


def badges_of(page: Any) -> list[dict[str, str]]:
    """Every badge of the page: its line, its tooltip and what it keeps folded."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('.test-badge')].map(b => ({
                kind: b.className,
                line: b.querySelector('.test-badge__text').textContent,
                title: b.title,
                folded: (b.querySelector('details') || {}).textContent || '',
            }))"""
        )
    )


def test_every_badge_and_box_names_an_engine_one_way(worded: sitekit.Served, page: Any) -> None:
    """ "도커 엔진 28.5" in the line, the tooltip, the diff and the box; never "28.5.2+dfsg4"."""
    seen: set[str] = set()
    for path in sitekit.pages(worded.root):
        sitekit.visit(page, worded.url + path)
        for found in badges_of(page):
            for part in ("line", "title", "folded"):
                assert not NEVER.search(found[part]), f"/{path}: {part} {found[part]!r}"
            seen.update(re.findall(r"도커 엔진 ([\d. ·]+\d)에서", found["line"]))
        boxes = page.evaluate(
            "[...document.querySelectorAll('.stand-ins')].map(b => b.textContent)"
        )
        for box in boxes:
            # the box also names the stand-ins' programs' versions (nginx 1.30.6): only the
            # engine's name is checked there
            assert "dfsg" not in box and VERSIONS[DEFAULT] not in box, f"/{path}: box {box!r}"
            assert set(re.findall(r"도커 엔진 ([\d.]*\d)", box)) == {"28.5"}, f"/{path}: {box!r}"
    # The lab's engines, newest first: a new one must be named on the test-environment page.
    assert NUMBERS == "28.5 · 26.1 · 20.10"
    every = "20.10 · 26.1 · 28.5"
    assert every in seen, seen  # a block that passed everywhere names the three, oldest first
    sitekit.visit(page, worded.url + "test-environment/")
    text = page.locator("article").inner_text()
    assert f"도커 엔진 {every}에서 실행합니다" in text
    assert f"✓ 도커 엔진 {every}에서 통과" in text


def test_every_reason_a_reader_sees_is_korean(worded: sitekit.Served, page: Any) -> None:
    """Skip reasons and engine ranges: Korean lines, 합니다체 sentences, no harness English."""
    kinds: dict[str, list[str]] = {"skipped": [], "not-for-engine": []}
    for path in sitekit.pages(worded.root):
        sitekit.visit(page, worded.url + path)
        for found in badges_of(page):
            kind = next((k for k in kinds if f"test-badge--{k}" in found["kind"]), None)
            if kind is None:
                continue
            kinds[kind].append(found["line"])
            # containerd is a program's name, written as it is (as commands are)
            words = re.sub(r"\d[\d.-]*|containerd", "", found["line"])
            assert not re.search("[A-Za-z]", words), f"/{path}: {found['line']!r}"
            for sentence in re.split(r"(?<=다\.)\s+", found["title"].strip()):
                assert sentence.endswith("니다."), f"/{path}: title {found['title']!r}"
            if found["folded"]:
                assert found["folded"].strip().endswith("니다."), found["folded"]
    skipped, ranged = kinds["skipped"], kinds["not-for-engine"]
    # No page skips for want of the internet since run-cadvisor stopped showing runs it never
    # had; that reason's words are checked in tests/test_test_badges.py.
    assert "건너뜀 · 실험실에서는 이 로그 파일을 볼 수 없습니다 · 2026-12-07" in skipped
    assert any(r.startswith("✓ 도커 엔진 20.10에서 통과 · 엔진 26 이전에서만") for r in ranged)
    assert "엔진 25 이전에서만 나오는 출력 · 이번 테스트에서는 실행 안 함 · 2026-12-07" in ranged
