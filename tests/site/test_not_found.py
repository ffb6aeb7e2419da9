"""The 404 page in chromium, as GitHub Pages serves it: under the site's base path
(/docker-commands-ko/), for any missing address at any depth, offline.

It is in Korean, everything it loads comes from the site itself, and its links lead on: to the
home page's 목차, to the search (opened, and finding pages), and home.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
import sitekit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("view", [sitekit.PHONE, sitekit.DESKTOP], ids=str),
]

BASE = "docker-commands-ko/"  # the repository's name: GitHub Pages serves the site under it
MISSING = "no/such/page/"
# Instant navigation changes the address first, then swaps the page in.
HOME_SHOWN = "document.querySelector('article h1').innerText.startsWith('도커 명령어 활용')"


@pytest.fixture(scope="module")
def based(tmp_path_factory: pytest.TempPathFactory, network: sitekit.Network) -> Iterator[str]:
    """The site's base URL, served from a folder one level down, like a project's Pages site."""
    root = tmp_path_factory.mktemp("pages")
    site = root / BASE
    with sitekit.serve(root, network, not_found=site / "404.html") as served:
        sitekit.build(site, site_url=served.url + BASE)
        yield served.url + BASE


def open_missing(page: Any, based: str) -> list[str]:
    """Open a missing address; return every request the page made that did not succeed or
    left the site (empty when all its styles, scripts and images came from under the base)."""
    bad: list[str] = []
    page.on("requestfailed", lambda request: bad.append(f"failed {request.url}"))

    def check(response: Any) -> None:
        if response.url == based + MISSING:
            return
        if response.status >= 400 or not response.url.startswith(based):
            bad.append(f"{response.status} {response.url}")

    page.on("response", check)
    response = page.goto(based + MISSING)
    assert response is not None and response.status == 404
    sitekit.ready(page)
    return bad


def test_the_404_page_is_korean_and_whole(based: str, page: Any, view: sitekit.View) -> None:
    bad = open_missing(page, based)
    assert page.title() == "페이지를 찾을 수 없습니다 - 도커 명령어 활용"
    assert page.locator("article h1").inner_text() == "페이지를 찾을 수 없습니다"
    assert page.locator("html").get_attribute("lang") == "ko"
    assert "Not found" not in page.locator("body").inner_text()
    # the theme's styles applied (they load from the base path, not from /assets/)
    assert page.locator(".md-header").evaluate("e => getComputedStyle(e).position") == "sticky"
    assert not bad, bad
    sitekit.screenshot(page, "not-found", f"404-{view}")


def test_the_404_page_leads_to_the_contents(based: str, page: Any, view: sitekit.View) -> None:
    open_missing(page, based)
    page.locator("article a", has_text="목차").click()
    page.wait_for_url(based + "#*")
    page.wait_for_function(HOME_SHOWN)
    assert unquote(page.url) == based + "#목차"
    # the page scrolls to the heading once it is in (a timeout here: it never did)
    page.wait_for_function(
        "(() => { const h = document.getElementById('목차');"
        " return h !== null && h.getBoundingClientRect().top >= 0"
        " && h.getBoundingClientRect().top < innerHeight; })()"
    )


def test_the_404_page_leads_home(based: str, page: Any, view: sitekit.View) -> None:
    open_missing(page, based)
    page.locator("article a", has_text="홈").click()
    page.wait_for_url(based)
    page.wait_for_function(HOME_SHOWN)


def test_the_404_page_opens_the_search(based: str, page: Any, view: sitekit.View) -> None:
    open_missing(page, based)
    with page.expect_navigation():  # the same missing address, now with ?q=
        page.locator("article a", has_text="검색").click()
    sitekit.ready(page)
    assert page.locator("#__search").is_checked(), "the search did not open"
    box = page.locator("input[data-md-component=search-query]")
    assert box.evaluate("e => e === document.activeElement")
    box.fill("docker pull")
    box.press("End")  # Material searches on keyup
    first = page.locator(".md-search-result__item a").first
    first.wait_for()
    assert (first.get_attribute("href") or "").startswith(based)
    sitekit.screenshot(page, "not-found", f"404-search-{view}")
