"""What the home page (and the site's description) says about the tests, held against the site
itself, in chromium: no "every example" while some blocks are never run in the lab, and the
results where the page says they are (above each block).
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
import sitekit

sys.path.insert(0, str(sitekit.ROOT))
from docharness.fences import parse_page  # noqa: E402

pytestmark = [pytest.mark.browser]

# "모든 … 예제", "예제는 모두": a claim that every example runs.
EVERY = re.compile(r"모든[^.]*예제|예제[^.]*모두")


def never_run() -> list[str]:
    """The blocks the lab never runs (a `skip` directive, or `requires network` offline)."""
    found = []
    for path in sorted((sitekit.ROOT / "docs").rglob("*.md")):
        for block in parse_page(path, path.read_text(encoding="utf-8")):
            if block.directives.skip is not None or block.directives.requires == "network":
                found.append(f"{path.relative_to(sitekit.ROOT)}:{block.line}")
    return found


def introduction(page: Any) -> str:
    """The article's text before its first section heading."""
    return str(
        page.locator("article").evaluate(
            """a => { let text = '';
                for (const e of a.children) { if (e.localName === 'h2') break;
                  text += e.innerText + '\\n'; }
                return text; }"""
        )
    )


def test_no_page_says_every_example_runs_while_some_never_do(base_url: str, page: Any) -> None:
    skipped = never_run()
    claims = []
    for path in ("", "test-environment/"):
        sitekit.visit(page, base_url + path)
        claims += [f"/{path}: {m.group()}" for m in EVERY.finditer(introduction(page))]
        described = page.locator("meta[name=description]").get_attribute("content") or ""
        claims += [f"/{path} description: {m.group()}" for m in EVERY.finditer(described)]
    # Each claim is false as long as one block is never run; the home page says which are
    # marked instead.
    assert not (skipped and claims), f"{claims} while {skipped} never run"
    sitekit.visit(page, base_url)
    assert "실행하지 않았다는 표시와 그 이유를 붙였습니다" in introduction(page)


def test_the_results_are_where_the_home_page_says(base_url: str, page: Any) -> None:
    sitekit.visit(page, base_url)
    assert "각 코드 블록 위에는 마지막 테스트 결과가 표시됩니다" in introduction(page)
    sitekit.visit(page, base_url + "image-commands/")
    after = page.locator(".test-badge").evaluate_all(
        "bs => bs.map(b => b.nextElementSibling && b.nextElementSibling.className)"
    )
    assert len(after) >= 10
    assert all("highlight" in (name or "") for name in after), after
