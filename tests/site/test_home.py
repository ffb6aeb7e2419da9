"""The home page for a learner, in chromium: title first, a start path, the footer's
contributor links, edit links and last-updated dates. Screenshots (phone and desktop, light
and dark) go to artifacts/screenshots/home/.
"""

from __future__ import annotations

from typing import Any

import pytest
import sitekit

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]

SCREENSHOTS = "home"


def test_home_starts_with_its_title_and_a_path(
    base_url: str, page: Any, view: sitekit.View
) -> None:
    sitekit.visit(page, base_url)
    article = page.locator("article.md-content__inner")
    first = article.evaluate(
        "a => [...a.children].find(e => e.innerText.trim() && !e.matches('a.md-content__button'))"
        ".localName"
    )
    assert first == "h1"
    assert page.locator("article h1").inner_text().startswith("도커 명령어 활용")
    headings = [h.rstrip("¶") for h in page.locator("article h2").all_inner_texts()]
    assert headings[:3] == ["시작하기 전에", "어디서부터 읽을까", "명령어 한눈에 보기"]
    steps = page.locator("article ol").first.locator(":scope > li")
    assert steps.count() >= 4
    sitekit.screenshot(page, SCREENSHOTS, f"home-{view}", full_page=True)


def test_contributor_pages_are_in_the_footer_not_the_nav(base_url: str, page: Any) -> None:
    sitekit.visit(page, base_url + "image-commands/")
    nav = page.locator("nav.md-nav--primary a[href*='contributing/']")
    assert nav.count() == 0
    footer = page.locator("footer .contributor-links a", has_text="용어집과 문체 지침")
    footer.click()
    # instant navigation changes the address first, then swaps the page in
    page.wait_for_function("document.querySelector('article h1').innerText.startsWith('용어집')")
    assert page.url.endswith("/contributing/glossary/")


def test_a_chapter_has_an_edit_link_and_its_last_update(base_url: str, page: Any) -> None:
    sitekit.visit(page, base_url + "volumes/")
    edit = page.locator("article a[rel=edit]")
    assert edit.get_attribute("href", timeout=5_000) == (
        "https://github.com/yhkim951107/docker-commands-ko/edit/main/docs/volumes.md"
    )
    updated = page.locator("aside.md-source-file .md-source-file__fact").first
    assert updated.is_visible()
    assert updated.inner_text().strip()[:2] == "20"  # YYYY-MM-DD


def test_contents_is_a_reading_path_in_the_navs_order(
    base_url: str, page: Any, view: sitekit.View
) -> None:
    """The 목차 is a numbered list of chapters, read in the nav's order, with no checkboxes
    (59 ticked, disabled boxes were read out as controls and said nothing a reader needs)."""
    sitekit.visit(page, base_url)
    contents = page.locator("article h2#목차 + *")
    assert contents.evaluate("e => e.localName") == "ol"
    assert contents.locator("input").count() == 0
    pages_in_order = """links => { const seen = [];
        for (const a of links) { const p = a.href.split('#')[0];
          if (!seen.includes(p)) seen.push(p); }
        return seen; }"""
    listed = contents.locator("a[href]").evaluate_all(pages_in_order)
    nav = page.locator("nav.md-nav--primary a.md-nav__link[href]").evaluate_all(pages_in_order)
    assert len(listed) >= 14
    assert listed == [p for p in nav if p in listed]
