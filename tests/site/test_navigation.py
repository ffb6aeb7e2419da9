"""Fast pages in chromium: instant navigation does not reload, heavy scripts load only when used.

Material's instant navigation swaps the page in place when the sitemap lists the link's
target (it needs `site_url`); Mermaid and the lightbox are fetched only by pages that draw a
diagram or show a picture; the search index only when the reader turns to search.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sitekit

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]

SCREENSHOTS = "navigation"


def test_a_click_does_not_reload_the_page(base_url: str, page: Any) -> None:
    """The footer's "next" link swaps the page in place: no new document, the window survives."""
    sitekit.visit(page, base_url + "image-commands/")
    documents: list[str] = []
    page.on("request", lambda r: r.resource_type == "document" and documents.append(r.url))
    page.evaluate("window.stillHere = true")
    before = page.locator("h1").first.inner_text()
    page.locator("a.md-footer__link--next").click()
    page.wait_for_function(f"document.querySelector('h1').innerText !== {before!r}")
    assert page.url != base_url + "image-commands/"
    assert page.evaluate("window.stillHere === true"), "the click reloaded the page"
    assert documents == [], f"the click fetched a new document: {documents}"


def test_mermaid_and_lightbox_load_only_when_used(site_dir: Path, base_url: str, page: Any) -> None:
    """Mermaid with pages that draw a diagram; the lightbox with no page (it waits for a click)."""
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    problems = []
    pictures = 0
    for path in sitekit.pages(site_dir):
        fetched.clear()
        sitekit.visit(page, base_url + path)
        page.wait_for_load_state("networkidle")  # whatever the page fetches once started
        diagram = page.locator(".mermaid").count() > 0
        if diagram != any(url.endswith("/mermaid.min.js") for url in fetched):
            problems.append(f"/{path}: mermaid.min.js {'not ' if diagram else ''}loaded")
        if any("glightbox.min" in url for url in fetched):
            problems.append(f"/{path}: the lightbox loaded before any click")
        pictures += page.locator("a.glightbox").count()
    assert not problems, "\n".join(problems)
    assert pictures >= 3


def test_lightbox_opens_after_instant_navigation(
    base_url: str, page: Any, view: sitekit.View
) -> None:
    """A picture on a page reached by a click (no reload) still opens in the lightbox."""
    sitekit.visit(page, base_url + "errata/")
    page.evaluate("window.stillHere = true")
    page.evaluate("document.querySelector('a[href$=\"image-commands/\"]').click()")
    picture = page.locator("a.glightbox").first
    picture.wait_for()
    assert page.evaluate("window.stillHere === true"), "the click reloaded the page"
    picture.scroll_into_view_if_needed()
    picture.click()  # the first click fetches the lightbox and opens this picture
    page.locator(".glightbox-container .gslide-image img").first.wait_for(state="visible")
    sitekit.screenshot(page, SCREENSHOTS, f"lightbox-{view}")


SEARCH_INDEX = "/search/search_index.json"


def test_the_search_index_waits_for_the_reader(
    base_url: str, page: Any, view: sitekit.View
) -> None:
    """A page load leaves the index alone; the search key fetches it and search answers."""
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    sitekit.visit(page, base_url + "volumes/")
    assert not [url for url in fetched if url.endswith(SEARCH_INDEX)]
    with page.expect_request(lambda r: r.url.endswith(SEARCH_INDEX)):
        page.keyboard.press("s")  # Material's key for search, on a phone as on a desktop
    query = page.locator("input[data-md-component=search-query]")
    query.fill("볼륨을")
    query.press("End")  # Material searches on keyup
    page.locator(".md-search-result__item > a[href*='volumes/']").first.wait_for(timeout=10_000)
    sitekit.screenshot(page, SCREENSHOTS, f"search-on-demand-{view}")


def test_highlighted_search_results_load_the_index_at_once(base_url: str, page: Any) -> None:
    """A link from the search results (?h=) needs the index to mark the words it found."""
    with page.expect_request(lambda r: r.url.endswith(SEARCH_INDEX)):
        page.goto(base_url + "volumes/?h=%EB%B3%BC%EB%A5%A8")  # ?h=볼륨
    page.locator("article mark[data-md-highlight]").first.wait_for(timeout=10_000)
