"""A phone's first screen is the lesson: the test-environment box under a title is one line
until the reader opens it (hooks/stand_ins.py)."""

from __future__ import annotations

from typing import Any

import pytest
import sitekit

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]


@pytest.mark.parametrize("path", ["run-python/", "volumes/"])
def test_the_environment_box_is_one_line_until_opened(
    base_url: str, page: Any, view: sitekit.View, path: str
) -> None:
    sitekit.visit(page, base_url + path)
    box = page.locator(".stand-ins")
    assert box.count() == 1
    summary = box.locator("summary")
    lines = summary.evaluate(
        "e => { const s = getComputedStyle(e); return Math.round((e.getBoundingClientRect().height"
        " - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)) / parseFloat(s.lineHeight)); }"
    )
    folded = box.bounding_box()
    assert folded is not None and folded["height"] < 80, f"the box is {folded} tall, folded"
    assert lines <= 2, f"the summary takes {lines} lines"
    assert "lab/" not in box.inner_text()
    summary.click()
    opened = box.bounding_box()
    assert opened is not None and opened["height"] > folded["height"]
    assert "테스트 환경" in box.inner_text()
