"""MkDocs hook: a box under the title of every page that pulls or runs an image, saying which
engine its outputs came from and which stand-ins it used, with the differences that matter there.

The engine is read from the harness's report; the stand-ins and differences from the recipes'
facts files (docharness/disclosure.py decides which apply to a page). The box links to the
reader's page on the test environment.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from engine_names import engine_name
from mkdocs.utils import get_relative_url

from contracts.layout import ROOT  # the repository: report paths are relative to it
from contracts.matrix import engine_label
from contracts.report import REPORT_NAME, Report, read_report, report_folder
from docharness.disclosure import Used, check
from lab.facts import Facts, load_all

GUIDE = "test-environment.md"
_CODE = re.compile(r"`([^`]+)`")
_H1_END = re.compile(r"</h1>")
# Where the guide page lists every stand-in (Markdown keeps the comment in the HTML).
TABLE_MARK = "<!-- stand-ins: table -->"

_run: Report | None = None
_facts: list[Facts] = []


def box(run: Report | None, used: list[Used], guide_url: str) -> str:
    """The box's HTML: one line under the title, the details folded behind it (on a phone the
    first screen is the lesson, not the lab); kept out of the search index like the badges."""
    # The engine with its image store: "28.5.2 (containerd 저장소)" on the containerd store.
    server = engine_label(run["docker"]) if run is not None else "?"
    if run is None:
        summary = "이 페이지의 출력: 아직 테스트 보고서가 없습니다"
        engine = "아직 테스트 보고서가 없어서 어느 엔진인지 적을 수 없습니다."
    elif run["mode"] == "own":
        summary = f"이 페이지의 출력: {engine_name(server)} · 진짜 이미지 {len(used)}개"
        engine = (
            f"이 페이지의 출력은 {engine_name(server)}에서 나왔습니다. "
            "이미지는 진짜 레지스트리에서 내려받았습니다."
        )
    else:
        summary = f"이 페이지의 출력: 실험실의 {engine_name(server)} · 대역 이미지 {len(used)}개"
        engine = (
            f"이 페이지의 출력은 실험실의 {engine_name(server)}에서 나왔습니다. "
            "Docker Hub 대신 실험실의 레지스트리가 아래 대역 이미지를 내어 줍니다."
        )
    items = []
    for use in used:
        name = f"<code>{html.escape(use.reference)}</code>"
        if run is not None and run["mode"] == "own":
            items.append(f"<li>{name}</li>")  # the real image: the stand-in's facts do not apply
            continue
        differences = "".join(f"<li>{_inline(d.ko)}</li>" for d in use.differences)
        listed = f"<ul>{differences}</ul>" if differences else ""
        items.append(f"<li>{name}: {_inline(use.facts.inside_ko)}{listed}</li>")
    return (
        '<details class="info stand-ins" data-search-exclude>'
        f"<summary>{html.escape(summary)} — 자세히</summary>"
        f"<p>{html.escape(engine)}</p><ul>{''.join(items)}</ul>"
        f'<p><a href="{html.escape(guide_url)}">테스트 환경</a>에서 자세히 설명합니다.</p>'
        "</details>"
    )


def table(every: list[Facts]) -> str:
    """Every image of the facts files, what is inside and every difference, in Korean."""
    rows = []
    for facts in every:
        tags = ", ".join(f"<code>{html.escape(tag)}</code>" for tag in facts.tags)
        differences = "".join(f"<li>{_inline(d.ko)}</li>" for d in facts.differences)
        version = facts.version
        # The lab's program version, then what the upstream tags stand for and when that was
        # checked: upstream tags move (debian:latest, python:3).
        stands = (
            html.escape(
                f"{version.program} {version.reports} (공식 이미지: {version.upstream}, "
                f"{version.checked.isoformat()} 확인)"
            )
            if version
            else "-"
        )
        rows.append(
            f"<tr><td>{tags}</td><td>{stands}</td><td>{_inline(facts.inside_ko)}</td>"
            f"<td><ul>{differences}</ul></td></tr>"
        )
    return (
        "<table><thead><tr><th>이미지(태그)</th><th>버전</th><th>안에 있는 것</th>"
        f"<th>공식 이미지와 다른 점</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _inline(text: str) -> str:
    """Facts text is plain with `code` spans."""
    return _CODE.sub(lambda m: f"<code>{m[1]}</code>", html.escape(text, quote=False))


def on_config(config: Any, **_: Any) -> None:
    """Read the report and the facts once per build."""
    global _run, _facts
    _run = read_report(report_folder(ROOT) / REPORT_NAME)
    _facts = load_all()


def on_page_content(html_text: str, page: Any, files: Any, **_: Any) -> str:
    path = Path(page.file.abs_src_path)
    used, errors = check(path, page.file.content_string, _facts)
    if errors:
        # The same check runs in tests/test_disclosure.py; the build stops on it too.
        raise ValueError("\n".join(errors))
    if page.file.src_uri == GUIDE:
        html_text = html_text.replace(TABLE_MARK, table(_facts))
    if not used:
        return html_text
    shown = box(_run, used, get_relative_url(files.get_file_from_path(GUIDE).url, page.url))
    if _H1_END.search(html_text) is None:
        return shown + html_text
    return _H1_END.sub(lambda m: m[0] + shown, html_text, count=1)
