"""MkDocs hook: under a block, how it differs on the real images, folded (when we know).

``make test-upstream`` on the GitHub runner runs the pages against the runner's Docker and the
real registries and keeps each block that printed something else in ``report/upstream.json``
(``contracts.upstream``). Under such a block the reader finds that run's diff, folded, with
its date and engine. An entry whose block changed since (its text's fingerprint differs) is
dropped: it would show one text's difference under another. No file, no fold.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from code_blocks import rendered
from engine_names import engine_numbers
from failure_story import story

from contracts.layout import ROOT
from contracts.report import report_folder
from contracts.upstream import UPSTREAM_NAME, Upstream, block_fingerprint, read_upstream

log = logging.getLogger("mkdocs.hooks.upstream")

SUMMARY = "도커 허브의 실제 이미지에서는 이렇게 다릅니다"


def fold(upstream: Upstream, reason: str, details: str | None) -> str:
    """The folded difference of one block."""
    date = upstream["created"][:10]
    engine = engine_numbers((upstream["docker"]["server"],))
    return (
        f'<details class="upstream-diff test-badge__diff" data-search-exclude>'
        f"<summary>{html.escape(f'{SUMMARY} · {date}')}</summary>"
        f'<div class="test-badge__story">{story(reason, details, engine, date)}</div></details>'
    )


def folded(page_html: str, source: str, page: str, upstream: Upstream | None) -> str:
    """``page_html`` with each known difference folded under its block."""
    if upstream is None:
        return page_html
    entries = {(b["page"], b["line"]): b for b in upstream["blocks"] if b["page"] == page}
    if not entries:
        return page_html
    out: list[str] = []
    done = 0
    for block in rendered(Path(page), source, page_html, tested_only=True):
        entry = entries.pop((page, block.fence.line), None)
        if entry is None:
            continue
        if entry["fingerprint"] != block_fingerprint(block.fence.info, block.fence.body):
            log.info(
                "%s:%d: upstream difference dropped: the block changed since",
                page,
                block.fence.line,
            )
            continue
        out += [
            page_html[done : block.block_end],
            fold(upstream, entry["reason"], entry["details"]),
        ]
        done = block.block_end
    for gone_page, line in entries:
        log.info("%s:%d: upstream difference dropped: no tested block there now", gone_page, line)
    out.append(page_html[done:])
    return "".join(out)


_upstream: Upstream | None = None


def on_config(config: Any, **_: Any) -> None:
    """Read the upstream report once per build, if there is one."""
    global _upstream
    _upstream = read_upstream(report_folder(ROOT) / UPSTREAM_NAME)


def on_page_content(html_text: str, page: Any, **_: Any) -> str:
    name = Path(page.file.abs_src_path).resolve().relative_to(ROOT).as_posix()
    return folded(html_text, page.file.content_string, name, _upstream)
