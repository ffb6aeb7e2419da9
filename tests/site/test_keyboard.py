"""The keyboard reader: the skip link is on top when focused, and the search results' box is no
Tab stop while search is closed (an invisible stop: the reader loses the focus)."""

from __future__ import annotations

from typing import Any

import pytest
import sitekit

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]

# The focused element: where it is drawn, whether it is drawn, and what is on top at its middle.
FOCUSED = """() => {
  const e = document.activeElement;
  const r = e.getBoundingClientRect();
  const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return {
    what: e.outerHTML.slice(0, 100),
    skip: e.classList.contains("md-skip"),
    results: e.classList.contains("md-search__scrollwrap"),
    seen: r.width > 0 && r.height > 0 &&
      e.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
    covered: top !== null && top !== e && !e.contains(top) ? top.outerHTML.slice(0, 100) : null,
  };
}"""
STOPS = 30


def test_the_skip_link_is_on_top_when_focused(base_url: str, page: Any) -> None:
    sitekit.visit(page, base_url + "image-commands/")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["skip"], focused
    page.wait_for_timeout(400)  # Material fades it in
    focused = page.evaluate(FOCUSED)
    assert focused["covered"] is None, f"the skip link is drawn under {focused['covered']}"


@pytest.mark.parametrize("path", ["", "image-commands/"])
def test_no_tab_stop_in_closed_search(base_url: str, page: Any, path: str) -> None:
    """Tab from the search box closes search (Material); the next stop is not its hidden box."""
    sitekit.visit(page, base_url + path)
    for stop in range(STOPS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert not (focused["results"] and not focused["seen"]), (
            f"/{path}: stop {stop + 1} is the closed search's results box"
        )
