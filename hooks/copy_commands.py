"""MkDocs hook: a copy button only where there are commands, and it copies the commands only.

Material's clipboard copies the `data-copy` attribute of the nearest ancestor of the code when
there is one, so each transcript's `<pre>` gets its commands without prompts, output lines or
comments, one per line, as the harness reads them: continuation lines (`\\`) stay with their
command, and commands typed into a container session (`root@abc:/# ls`) are copied like host
ones. Blocks with nothing to run (a synopsis, notation, output alone) get Material's
`no-copy` class: no button. Code in other languages keeps its button. The Markdown is not
touched.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from typing import Any

from code_blocks import rendered

from docharness.fences import SHELL_LANGUAGES
from docharness.model import HarnessError
from docharness.transcript import has_host_prompt, parse_steps

log = logging.getLogger("mkdocs.hooks.copy_commands")

# Fences that hold output or notation, not code: no copy button.
NOTHING_TO_RUN = frozenset({"", "text", "txt", "plain", "output"})
PRE_TAG = re.compile(r"<pre\b[^>]*>")
CLASS = re.compile(r'\bclass="([^"]*)"')


def _with_class(tag: str, name: str) -> str:
    """An opening tag with one more class."""
    if CLASS.search(tag):
        return CLASS.sub(lambda m: f'class="{m.group(1)} {name}"', tag, count=1)
    return f'{tag[:-1]} class="{name}">'


def commands(path: Path, source: str, first_line: int) -> str | None:
    """What a transcript's copy button copies; None for a synopsis."""
    if not has_host_prompt(source):
        return None
    return "\n".join(step.command for step in parse_steps(path, source, first_line))


def with_copy_text(path: Path, markdown: str, page_html: str) -> str:
    """``page_html`` with `data-copy` on the `<pre>` of every transcript of ``markdown`` and
    `no-copy` on every block without commands."""
    out: list[str] = []
    done = 0
    for block in rendered(path, markdown, page_html):
        if block.language in SHELL_LANGUAGES:
            try:
                text = commands(path, "\n".join(block.fence.body), block.fence.line + 1)
            except HarnessError as error:  # the test run fails on it; the site still builds
                log.info("%s (its copy button copies the whole block)", error)
                continue
            if text is not None:
                at = block.pre_start + len("<pre")
                out += [page_html[done:at], f' data-copy="{html.escape(text)}"']
                done = at
                continue
        elif block.language not in NOTHING_TO_RUN:
            continue
        tag = PRE_TAG.match(page_html, block.pre_start)
        assert tag is not None  # rendered() found a <pre> there
        out += [page_html[done : block.pre_start], _with_class(tag.group(), "no-copy")]
        done = tag.end()
    out.append(page_html[done:])
    return "".join(out)


def on_page_content(html_text: str, page: Any, **_: Any) -> str:
    return with_copy_text(Path(page.file.abs_src_path), page.file.content_string, html_text)
