"""MkDocs hook: a copy button only where there are commands, and it copies the commands only.

Material's clipboard copies the `data-copy` attribute of the nearest ancestor of the code when
there is one, so each transcript's `<pre>` gets its commands without prompts, output lines or
comments, one per line, as the harness reads them: continuation lines (`\\`) stay with their
command, and commands typed into a container session (`root@abc:/# ls`) are copied like host
ones. A transcript that types into more than one terminal (the host, a container session,
"다른 터미널에서") keeps them apart: its button copies the first terminal's commands and a row
of buttons under the block copies each terminal's own. Blocks with nothing to run (a
synopsis, notation, output alone) get Material's `no-copy` class: no button. Code in other
languages keeps its button. The Markdown is not touched.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from code_blocks import rendered

from docharness.kinds import SHELL_LANGUAGES
from docharness.model import HarnessError
from docharness.transcript import has_prompt, parse_steps

log = logging.getLogger("mkdocs.hooks.copy_commands")

# Fences that hold output or notation, not code: no copy button.
NOTHING_TO_RUN = frozenset({"", "text", "txt", "plain", "output"})
OTHER_TERMINAL = "다른 터미널"
NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩"
PRE_TAG = re.compile(r"<pre\b[^>]*>")
CLASS = re.compile(r'\bclass="([^"]*)"')


def _with_class(tag: str, name: str) -> str:
    """An opening tag with one more class."""
    if CLASS.search(tag):
        return CLASS.sub(lambda m: f'class="{m.group(1)} {name}"', tag, count=1)
    return f'{tag[:-1]} class="{name}">'


@dataclass(frozen=True)
class Terminal:
    """The commands a transcript types into one terminal, in order."""

    label: str  # 호스트, 컨테이너 안, 다른 터미널
    commands: str


def terminals(path: Path, source: str, first_line: int) -> list[Terminal]:
    """A transcript's commands split by the terminal they are typed into; [] for a synopsis.

    A new terminal starts where the prompt changes between the host and a container (or
    between two containers), and where a comment says "다른 터미널". Host commands after a
    container session that was not left with `exit` are typed into another terminal.
    """
    if not has_prompt(source):
        return []
    lines = source.split("\n")
    found: list[tuple[str, str, list[str]]] = []  # (label, prompt key, commands)
    previous_line = first_line - 1
    for step in parse_steps(path, source, first_line):
        between = lines[previous_line - first_line + 1 : step.line - first_line]
        other = any(line.lstrip().startswith("#") and OTHER_TERMINAL in line for line in between)
        key = step.prompt if step.in_container else "host"
        if found and key == found[-1][1] and not other:
            found[-1][2].append(step.command)
        else:
            label = "호스트"
            if step.in_container:
                label = "컨테이너 안"
            elif other or (found and found[-1][1] != "host" and found[-1][2][-1] != "exit"):
                label = OTHER_TERMINAL
            found.append((label, key, [step.command]))
        previous_line = step.line + step.command.count("\n")
    return [Terminal(label, "\n".join(commands)) for label, _, commands in found]


def commands(path: Path, source: str, first_line: int) -> str | None:
    """What a transcript's copy button copies (its first terminal's commands); None for a
    synopsis."""
    found = terminals(path, source, first_line)
    return found[0].commands if found else None


def terminal_buttons(found: list[Terminal]) -> str:
    """The row of copy buttons, one per terminal (Material's clipboard copies their text)."""
    buttons = "".join(
        f'<button class="terminal-copy__button" data-clipboard-text="{html.escape(t.commands)}"'
        f' title="{html.escape(t.label)}에서 입력하는 명령만 복사합니다">'
        f"{NUMBERS[index]} {html.escape(t.label)}</button>"
        for index, t in enumerate(found)
    )
    return (
        '<div class="terminal-copy" data-search-exclude>'
        f'<span class="terminal-copy__label">터미널별 명령 복사</span>{buttons}</div>'
    )


def with_copy_text(path: Path, markdown: str, page_html: str) -> str:
    """``page_html`` with `data-copy` on the `<pre>` of every transcript of ``markdown`` and
    `no-copy` on every block without commands."""
    out: list[str] = []
    done = 0
    for block in rendered(path, markdown, page_html):
        if block.language in SHELL_LANGUAGES:
            try:
                found = terminals(path, "\n".join(block.fence.body), block.fence.line + 1)
            except HarnessError as error:  # the test run fails on it; the site still builds
                log.info("%s (its copy button copies the whole block)", error)
                continue
            if found:
                at = block.pre_start + len("<pre")
                out += [page_html[done:at], f' data-copy="{html.escape(found[0].commands)}"']
                done = at
                if len(found) > 1:
                    end = _block_end(page_html, block.block_start, block.pre_start)
                    out += [page_html[done:end], terminal_buttons(found)]
                    done = end
                continue
        elif block.language not in NOTHING_TO_RUN:
            continue
        tag = PRE_TAG.match(page_html, block.pre_start)
        assert tag is not None  # rendered() found a <pre> there
        out += [page_html[done : block.pre_start], _with_class(tag.group(), "no-copy")]
        done = tag.end()
    out.append(page_html[done:])
    return "".join(out)


def _block_end(page_html: str, block_start: int, pre_start: int) -> int:
    """Where a rendered block ends: after its `</pre>`, and its highlight `</div>` if any."""
    end = page_html.index("</pre>", pre_start) + len("</pre>")
    if block_start < pre_start:
        end = page_html.index("</div>", end) + len("</div>")
    return end


def on_page_content(html_text: str, page: Any, **_: Any) -> str:
    return with_copy_text(Path(page.file.abs_src_path), page.file.content_string, html_text)
