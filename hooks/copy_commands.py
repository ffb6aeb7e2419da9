"""MkDocs hook: the copy button of a shell transcript copies its commands only.

Material's clipboard copies the `data-copy` attribute of the nearest ancestor of the code when
there is one, so each transcript's `<pre>` gets its commands without prompts, output lines or
comments, one per line, as the harness reads them: continuation lines (`\\`) stay with their
command, and commands typed into a container session (`root@abc:/# ls`) are copied like host
ones. The Markdown is not touched; a shell block without prompts (a synopsis) copies as it is.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from code_blocks import rendered

from docharness.fences import SHELL_LANGUAGES
from docharness.model import HarnessError
from docharness.transcript import has_host_prompt, parse_steps

log = logging.getLogger("mkdocs.hooks.copy_commands")


def commands(path: Path, source: str, first_line: int) -> str | None:
    """What a transcript's copy button copies; None for a synopsis."""
    if not has_host_prompt(source):
        return None
    return "\n".join(step.command for step in parse_steps(path, source, first_line))


def with_copy_text(path: Path, markdown: str, page_html: str) -> str:
    """``page_html`` with `data-copy` on the `<pre>` of every transcript of ``markdown``."""
    out: list[str] = []
    done = 0
    for block in rendered(path, markdown, page_html, SHELL_LANGUAGES):
        try:
            text = commands(path, "\n".join(block.fence.body), block.fence.line + 1)
        except HarnessError as error:  # the test run fails on it; the site still builds
            log.info("%s (its copy button copies the whole block)", error)
            continue
        if text is None:
            continue
        at = block.pre_start + len("<pre")
        out += [page_html[done:at], f' data-copy="{html.escape(text)}"']
        done = at
    out.append(page_html[done:])
    return "".join(out)


def on_page_content(html_text: str, page: Any, **_: Any) -> str:
    return with_copy_text(Path(page.file.abs_src_path), page.file.content_string, html_text)
