"""The terminal player in chromium (hooks/recordings.py, assets/javascripts/terminal-player.js):
"▶ 터미널로 보기" beside a recorded block's badge opens the block's recording, loaded only then.

The site is built with a report of image-commands.md made here: two blocks with sample
recordings (asciicast v2), one naming a recording the run could not write, the rest with none.
Screenshots go to artifacts/screenshots/player/.
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
from contracts.report import recording_path  # noqa: E402
from docharness.fences import parse_page  # noqa: E402
from docharness.report import build_report, record  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]

SCREENSHOTS = "player"
PAGE = "docs/image-commands.md"
RECORDED, UNWRITTEN = (15, 77), 85  # fence lines: with a recording; naming a missing one
LAST_LINE = "docker.io/library/debian:latest"
# What a reader's terminal showed for `docker pull debian:latest`, then a long wait (no gap
# over the player's 2 s idle limit), so the recording is still playing when the test acts.
EVENTS = [
    (0.2, "$ docker pull debian:latest\r\n"),
    (0.6, "latest: Pulling from library/debian\r\n"),
    (0.9, "Status: Downloaded newer image for debian:latest\r\n"),
    (1.1, LAST_LINE + "\r\n"),
    *((1.1 + 1.5 * n, ".") for n in range(1, 20)),
]
ENGINE, DATE = "도커 엔진 28.5", "2026-12-02"
PLAYER_FILES = re.compile(r"asciinema-player|\.cast$")


def cast() -> str:
    """An asciicast v2 recording: a JSON header line, then [time, "o", data] lines."""
    header = {"version": 2, "width": 80, "height": 24, "timestamp": 1796203800}
    return "\n".join(json.dumps(line) for line in [header, *([t, "o", d] for t, d in EVENTS)])


def recorded_report(folder: Path) -> Path:
    path = sitekit.ROOT / PAGE
    records = [
        record(block, "passed", root=sitekit.ROOT)
        for block in parse_page(path, path.read_text("utf-8"))
    ]
    for entry in records:
        if entry["line"] in (*RECORDED, UNWRITTEN):
            entry["recording"] = recording_path(PAGE, entry["line"])
    for line in RECORDED:
        written = folder / recording_path(PAGE, line)
        written.parent.mkdir(parents=True, exist_ok=True)
        written.write_text(cast(), "utf-8")
    report = build_report(
        records,
        docker={"client": "28.5.2+dfsg4", "server": "28.5.2+dfsg4"},
        mode="lab",
        created=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
    )
    (folder / "test-report.json").write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture(scope="module")
def recorded_url(
    tmp_path_factory: pytest.TempPathFactory, network: sitekit.Network
) -> Iterator[str]:
    report = recorded_report(tmp_path_factory.mktemp("report"))
    site = tmp_path_factory.mktemp("recorded-site")
    with sitekit.serve(site, network) as served:
        sitekit.build(site, site_url=served.url, report_dir=report)
        yield served.url + "image-commands/"


def control_of(page: Any, line: int) -> Any:
    """The control beside the badge of the block whose recording is that of ``line``."""
    return page.locator(f'.test-badge__play[data-recording="{recording_path(PAGE, line)}"]')


def test_only_recorded_blocks_have_a_control_and_the_first_load_fetches_no_player(
    recorded_url: str, page: Any
) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    sitekit.visit(page, recorded_url)
    page.wait_for_load_state("networkidle")
    assert [url for url in fetched if PLAYER_FILES.search(url)] == []
    controls = page.locator(".test-badge__play")
    assert controls.count() == len(RECORDED)
    for line in RECORDED:
        assert control_of(page, line).count() == 1
    assert control_of(page, UNWRITTEN).count() == 0  # named, but the file was never written
    assert page.locator(".test-badge").count() > 10  # every other block: a badge, no control
    first = controls.first
    assert first.inner_text() == "▶ 터미널로 보기"
    assert first.get_attribute("aria-expanded") == "false"
    assert page.locator(".terminal-player").count() == 0


def test_the_player_plays_by_keyboard_and_esc_gives_focus_back(
    recorded_url: str, page: Any, view: sitekit.View
) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    sitekit.visit(page, recorded_url)
    control = control_of(page, RECORDED[0])
    control.focus()
    page.keyboard.press("Enter")
    panel = page.locator(".terminal-player")
    screen = panel.locator(".ap-term-text")
    screen.get_by_text(LAST_LINE).wait_for()  # the recording plays: its last line arrives
    assert control.get_attribute("aria-expanded") == "true"
    assert control.get_attribute("aria-controls") == panel.get_attribute("id")
    assert panel.get_attribute("role") == "region"
    assert panel.get_attribute("aria-label") == f"터미널 실행 화면 · {ENGINE} · {DATE}"
    assert (
        panel.locator(".terminal-player__about")
        .inner_text()
        .startswith(f"{ENGINE}에서 {DATE}에 테스트한 실행 화면")
    )
    # between the badge and its block, within the column and the screen
    badge = panel.locator("xpath=preceding-sibling::*[1]")
    assert "test-badge" in (badge.get_attribute("class") or "")
    assert "highlight" in (
        panel.locator("xpath=following-sibling::*[1]").get_attribute("class") or ""
    )
    box = panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= view.width
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # the player's colours follow Material's scheme (its border is the terminal's background)
    background = panel.locator(".ap-term").evaluate("e => getComputedStyle(e).borderTopColor")
    assert background == ("rgb(39, 42, 53)" if view.scheme == "dark" else "rgb(245, 245, 245)")
    # the player has the focus: Space and the arrows are its own keys
    assert page.evaluate("!!document.activeElement.closest('.terminal-player .ap-wrapper')")
    playback = panel.locator(".ap-playback-button")
    assert playback.get_attribute("aria-label") == "멈춤"  # playing
    page.keyboard.press("Space")
    assert playback.get_attribute("aria-label") == "재생"  # paused
    page.keyboard.press("ArrowLeft")  # 5 s back: the start, before anything was printed
    screen.get_by_text(LAST_LINE).wait_for(state="detached")
    page.keyboard.press("ArrowRight")
    screen.get_by_text(LAST_LINE).wait_for()
    page.keyboard.press("Space")
    assert playback.get_attribute("aria-label") == "멈춤"
    assert sitekit.violations(page, ".terminal-player") == []
    sitekit.screenshot(panel, SCREENSHOTS, f"open-{view}")
    # the player and this block's recording came with the click, nothing else
    assert sorted({url.rsplit("/", 1)[1] for url in fetched if PLAYER_FILES.search(url)}) == [
        "15.cast",
        "asciinema-player.css",
        "asciinema-player.min.js",
    ]
    page.keyboard.press("Escape")
    panel.wait_for(state="detached")
    assert control.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('test-badge__play')")
    assert control.evaluate("e => e === document.activeElement")


def test_the_control_opens_and_closes_by_click(recorded_url: str, page: Any) -> None:
    sitekit.visit(page, recorded_url)
    control = control_of(page, RECORDED[1])
    control.click()
    panel = page.locator(".terminal-player")
    panel.locator(".ap-term-text").get_by_text(LAST_LINE).wait_for()
    panel.locator(".terminal-player__close").click()  # 닫기: its button goes, the focus returns
    panel.wait_for(state="detached")
    assert control.evaluate("e => e === document.activeElement")
    control.click()  # and again: the player, loaded once, opens at once
    panel.locator(".ap-term-text").get_by_text(LAST_LINE).wait_for()
    control.click()  # the control closes it too
    panel.wait_for(state="detached")
    assert control.get_attribute("aria-expanded") == "false"


def test_the_players_own_words_are_korean(recorded_url: str, page: Any) -> None:
    """Tooltips, button labels and the shortcut help: the player's English replaced as it is
    written, also when the player writes it again (the speaker and playback labels)."""
    sitekit.visit(page, recorded_url)
    control_of(page, RECORDED[0]).click()
    panel = page.locator(".terminal-player")
    panel.locator(".ap-term-text").get_by_text(LAST_LINE).wait_for()
    tooltips = panel.locator(".ap-control-bar .ap-tooltip").all_text_contents()
    assert "단축키 (?)" in tooltips and "전체 화면 (f)" in tooltips
    labels = panel.locator(".ap-control-bar [aria-label]").evaluate_all(
        "es => es.map(e => e.getAttribute('aria-label'))"
    )
    assert {"멈춤", "단축키 보기", "전체 화면 켜기/끄기"} <= set(labels)
    page.keyboard.press("?")  # the player's help overlay, made when asked for
    help_text = panel.locator(".ap-overlay-help").inner_text()
    assert (
        "단축키" in help_text and "멈춤/다시 재생" in help_text and "5초 뒤로/앞으로" in help_text
    )
    english = re.compile(r"[A-Za-z]{4,}")  # key names (space, Shift) are shorter or kept below
    words = {w for w in english.findall(help_text + " ".join(tooltips + labels))} - {
        "space",
        "Shift",
    }
    assert words == set(), f"English left in the player: {sorted(words)}"
