"""A reader's key pressed before Material's bundle has started is not lost (issue 25).

Material attaches its `s`, `f` and `/` handler when its bundle has run; on a slow phone, or a
loaded CI runner, that is seconds after the page shows. search-on-demand.js, which runs in
the page's head, takes such an early key itself: it releases the held search index and focuses
the search box once the bundle has started.
"""

from __future__ import annotations

from typing import Any

import pytest
import sitekit

pytestmark = pytest.mark.browser

SEARCH_INDEX = "/search/search_index.json"
QUERY = "[data-md-component=search-query]"
# Slow the renderer as the red team's reproduction did (redteam-2026-12-07.md, F2).
SLOWDOWN = 10


@pytest.mark.parametrize("key", ["s", "/"])
def test_a_search_key_before_the_bundle_opens_search(
    base_url: str, chromium: Any, key: str
) -> None:
    """The key comes surely first: the renderer is slowed and the bundle's download held until
    the key is down. Then the index is fetched, the search box has the focus, search answers."""
    with sitekit.tab(chromium, sitekit.PHONE) as page:
        sitekit.throttle(page, SLOWDOWN)
        held: list[Any] = []
        page.route("**/assets/javascripts/bundle.*.min.js", lambda route: held.append(route))
        page.goto(base_url + "volumes/", wait_until="commit")
        page.locator(QUERY).wait_for(state="attached")  # the head and its scripts have run
        assert held, "the bundle was not requested"
        assert not page.evaluate(sitekit.BUNDLE_STARTED), "the bundle started before the key"
        page.keyboard.press(key)
        with page.expect_request(lambda r: r.url.endswith(SEARCH_INDEX), timeout=30_000):
            held[0].continue_()
            sitekit.ready(page)
        page.wait_for_function(
            f"document.activeElement?.matches({QUERY!r})"
            " && document.getElementById('__search').checked",  # the search is open
            timeout=30_000,
        )
        query = page.locator(QUERY)
        assert query.input_value() == "", "the key was typed into the search box"
        query.fill("볼륨을")
        query.press("End")  # Material searches on keyup
        page.locator(".md-search-result__item > a[href*='volumes/']").first.wait_for(timeout=30_000)
