"""axe-core on every page of the built site (and its 404), at 390 and 1280 px, light and dark.

A critical or serious violation fails: a reader with a screen reader, a keyboard or weak eyes
meets it on that page. Moderate and minor ones are axe's advice, not counted here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sitekit

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]

AXE = sitekit.AXE
violations = sitekit.violations


def test_no_serious_accessibility_violation(
    site_dir: Path, base_url: str, page: Any, view: sitekit.View
) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: make site-assets")
    problems = []
    for path in [*sitekit.pages(site_dir), "404.html"]:
        sitekit.visit(page, base_url + path)
        for found in violations(page):
            nodes = found["nodes"]
            problems.append(
                f"/{path}: {found['impact']} {found['id']} on {len(nodes)} node(s), e.g. {nodes[0]}"
            )
    assert not problems, f"{len(problems)} violations at {view}:\n" + "\n".join(problems)
