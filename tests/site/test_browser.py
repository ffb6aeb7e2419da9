"""The built site in Debian's chromium: every page clean, copy, Korean search, dark mode.

Full-page screenshots of every page go to artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import sitekit

sys.path.insert(0, str(sitekit.ROOT))
from docharness.transcript import CONTAINER_PROMPT, HOST_PROMPT, parse_steps  # noqa: E402

pytestmark = pytest.mark.browser

SCREENSHOTS = "pages"


def output_lines(shown: str) -> set[str]:
    """Lines of a displayed transcript that the harness reads as output and that no command
    types (a heredoc may type a line some output also shows: `.env`); commands' continuation
    lines and heredoc bodies are typed, so not output."""
    steps = parse_steps(Path("<shown transcript>"), shown, 1)
    typed = {line for step in steps for line in step.command.splitlines()}
    return {e.text for step in steps for e in step.expected if e.text.strip()} - typed


def copy_problems(page: Any) -> list[str]:
    """Click every transcript's copy button; what did not copy the commands only?"""
    problems = []
    blocks = page.locator("pre[data-copy]")
    for index in range(blocks.count()):
        block = blocks.nth(index)
        block.hover()
        block.locator("button[data-md-type=copy]").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        lines = copied.splitlines()
        where = f"transcript {index + 1}"
        if copied != block.get_attribute("data-copy"):
            problems.append(f"{where}: the button copied {copied!r}, not the commands")
        if any(HOST_PROMPT.match(line) or CONTAINER_PROMPT.match(line) for line in lines):
            problems.append(f"{where}: a prompt was copied: {copied!r}")
        leaked = output_lines(block.locator("code").inner_text()) & set(lines)
        if leaked:
            problems.append(f"{where}: output lines were copied: {sorted(leaked)}")
    return problems


def test_every_page_loads_cleanly(
    site_dir: Path, base_url: str, page: Any, view: sitekit.View
) -> None:
    """No console error, no failed or outside request, every image shown, copy copies commands."""
    problems: dict[str, list[str]] = {}
    seen: list[str] = []
    page.on("console", lambda m: m.type == "error" and seen.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: seen.append(f"failed request: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and seen.append(f"HTTP {r.status}: {r.url}"))
    page.on(
        "request",
        lambda r: (
            r.url.startswith(("data:", "blob:", base_url)) or seen.append(f"outside: {r.url}")
        ),
    )
    pages = sitekit.pages(site_dir)
    assert "image-commands/" in pages
    for path in pages:
        seen.clear()
        sitekit.visit(page, base_url + path)
        broken = page.eval_on_selector_all(
            "img",
            "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)",
        )
        seen += [f"image not shown: {src}" for src in broken]
        seen += copy_problems(page)
        sitekit.screenshot(page, SCREENSHOTS, f"{sitekit.shot_name(path)}-{view}", full_page=True)
        if seen:
            problems[path or "/"] = list(seen)
    assert not problems, "\n".join(f"{p}: {x}" for p, xs in problems.items() for x in xs)


def test_copy_leaves_prompts_and_output_out(base_url: str, page: Any) -> None:
    """The `docker image rm` transcript: its error output stays on the page, not in the copy."""
    sitekit.visit(page, base_url + "image-commands/")
    block = page.locator("pre[data-copy]", has_text="No such image").first
    block.hover()
    block.locator("button[data-md-type=copy]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "docker image rm ubuntu" in copied.splitlines()
    assert "$ " not in copied and "Error response" not in copied


@pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)
def test_korean_search_with_a_particle_finds_its_page(
    base_url: str, page: Any, view: sitekit.View
) -> None:
    sitekit.visit(page, base_url)
    results = sitekit.search(page, "이미지를")
    results.locator(":scope > a[href*='image-commands/']").first.wait_for(timeout=10_000)
    titles = results.locator(":scope > a").all_inner_texts()
    assert any("이미지" in title for title in titles)
    sitekit.screenshot(page, SCREENSHOTS, f"search-particle-{view}")


def test_dark_mode_toggles(base_url: str, page: Any) -> None:
    sitekit.visit(page, base_url + "image-commands/")
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    before = page.evaluate(scheme)
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"{scheme} !== {before!r}")
    after = page.evaluate(scheme)
    assert {before, after} == {"default", "slate"}
    sitekit.screenshot(page, SCREENSHOTS, "image-commands-toggled-dark")


def test_test_badges_are_shown(base_url: str, page: Any) -> None:
    sitekit.visit(page, base_url + "image-commands/")
    badges = page.locator(".test-badge")
    assert badges.count() >= 5
    assert re.search(r"통과|실패|건너뜀|명령 형식 확인|아직 실행 안 됨", badges.first.inner_text())


@pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)
def test_korean_synonym_finds_the_docker_command(
    base_url: str, page: Any, view: sitekit.View
) -> None:
    """`로그인` (no English in it) lists the `docker login` section first, in the browser."""
    sitekit.visit(page, base_url)
    first = sitekit.search(page, "로그인").first
    first.wait_for(timeout=10_000)
    links = first.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert "/image-commands/" in links[0]
    assert "#docker-login" in next(link for link in links if "#" in link)
    sitekit.screenshot(page, SCREENSHOTS, f"search-login-{view}")


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("docker run -p", "/container-commands/#docker-run-명령어-옵션"),
        ("nginx 로그", "/run-nginx/#접속-로그-확인하기-docker-logs"),
    ],
)
def test_search_ranks_the_answering_section_first_in_the_browser(
    base_url: str, page: Any, query: str, section: str
) -> None:
    """search-ko.js, loaded before Material's bundle, rewrites the query and reranks the
    worker's results in the page itself: the section that answers the query heads the first
    result, scored above its page's entry."""
    sitekit.visit(page, base_url)
    first = sitekit.search(page, query).first
    first.wait_for(timeout=10_000)
    shown = first.locator("a").evaluate_all(
        """links => links.map(a => [
            decodeURIComponent(a.pathname + a.hash),
            +a.querySelector("[data-md-score]").dataset.mdScore,
        ])"""
    )
    (page_link, page_score), (section_link, section_score) = shown[:2]
    assert page_link == section.split("#")[0], f"{query!r} showed {shown[:3]}"
    assert section_link == section, f"{query!r} showed {shown[:3]}"
    assert section_score > page_score, f"{query!r} showed {shown[:3]}"
