"""Transcripts in chromium: they look like a terminal and copy one terminal at a time.

Screenshots (light and dark) go to artifacts/screenshots/transcripts/.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import sitekit

sys.path.insert(0, str(sitekit.ROOT))
from docharness.fences import find_fences, language_of  # noqa: E402
from docharness.kinds import SHELL_LANGUAGES  # noqa: E402
from docharness.transcript import has_prompt  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)]

SCREENSHOTS = "transcripts"


def test_output_is_plain_and_commands_stand_out(
    base_url: str, page: Any, view: sitekit.View
) -> None:
    sitekit.visit(page, base_url + "image-commands/")
    status = page.locator(".highlight .go", has_text="Image is up to date for").first
    assert status.count() == 1, "an output line is split into coloured tokens"
    code_colour = status.evaluate("e => getComputedStyle(e.closest('code')).color")
    colours = page.eval_on_selector_all(
        ".highlight .go", "spans => [...new Set(spans.map(s => getComputedStyle(s).color))]"
    )
    assert colours == [code_colour]
    program = page.locator(".highlight .gp + .nf", has_text="docker").first
    assert program.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    prompt = page.locator(".highlight .gp").first
    assert prompt.evaluate("e => getComputedStyle(e).userSelect") == "none"
    status.evaluate("e => e.closest('pre').scrollIntoView()")
    sitekit.screenshot(page, SCREENSHOTS, f"image-commands-{view}")


def expected_buttons(path: str) -> list[bool]:
    """From the page's Markdown, block by block: should it have a copy button?

    Transcripts (a host prompt) and code in a programming language do; synopses, notation and
    output do not.
    """
    # MkDocs serves docs/x.md and docs/x/index.md both at x/ (the root's index.md at /).
    named = sitekit.ROOT / "docs" / path.rstrip("/")
    source = named / "index.md" if (named / "index.md").is_file() else named.with_suffix(".md")
    expected = []
    for fence in find_fences(source, source.read_text(encoding="utf-8")):
        language = language_of(fence.info)
        if language in SHELL_LANGUAGES:
            expected.append(has_prompt("\n".join(fence.body)))
        else:
            expected.append(language not in {"", "text"})
    return expected


def test_copy_buttons_only_where_there_are_commands(
    site_dir: Path, base_url: str, page: Any
) -> None:
    problems = []
    for path in sitekit.pages(site_dir):
        sitekit.visit(page, base_url + path)
        shown = page.eval_on_selector_all(
            "div.highlight pre",
            "pres => pres.map(p => p.querySelector('button[data-md-type=copy]') !== null)",
        )
        texts = page.eval_on_selector_all(
            "div.highlight pre", "pres => pres.map(p => p.innerText.split('\\n')[0])"
        )
        expected = expected_buttons(path)
        assert len(shown) == len(expected), f"/{path}: {len(shown)} blocks, {len(expected)} fences"
        problems += [
            f"/{path}: {text!r}: copy button {'missing' if want else 'shown'}"
            for text, has, want in zip(texts, shown, expected, strict=True)
            if has != want
        ]
    assert not problems, "\n".join(problems)


def test_each_terminal_copies_its_own_commands(
    base_url: str, page: Any, view: sitekit.View
) -> None:
    sitekit.visit(page, base_url + "container-commands/")
    row = page.locator(".terminal-copy").first
    block = row.locator("xpath=preceding-sibling::*[1]")
    assert "ps -ef | grep 1842" in block.inner_text()
    copies = []
    buttons = row.locator("button")
    for index in range(buttons.count()):
        buttons.nth(index).click()
        copies.append(
            (buttons.nth(index).inner_text(), page.evaluate("navigator.clipboard.readText()"))
        )
    assert copies == [
        ("① 호스트", "echo $$\ndocker run -it centos:8 bash"),
        ("② 컨테이너 안", "echo $$\nexit"),  # the page leaves the container with exit
        (
            "③ 호스트",  # after exit the page is back in the host's shell, not a second one
            "ps -ef | grep 1842\ncd /proc/1842\nls -l\n"
            "sudo ls -l /proc/1/ns\nsudo ls -l /proc/1842/ns",
        ),
    ]
    block.hover()
    block.locator("button[data-md-type=copy]").click()
    assert page.evaluate("navigator.clipboard.readText()") == copies[0][1]
    row.scroll_into_view_if_needed()
    sitekit.screenshot(page, SCREENSHOTS, f"terminals-{view}")
