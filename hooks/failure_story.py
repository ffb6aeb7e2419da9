"""A failed block's story from the report, told to a reader in Korean (hooks/test_badges.py).

The harness writes a failure for a developer (docharness/kinds/transcript/runner.py, `fail`):
a first line `docs/page.md:12: output differs from the page`, then the command, its exit status
and a unified diff with `--- expected (page)` / `+++ actual` headers. On the site that becomes
Korean labels around the same diff: what went wrong, the command, the exit status, and a legend
saying which lines are the page's (기대한 출력) and which the engine's (실제 출력). Lines it
does not know are shown as they are, never dropped.
"""

from __future__ import annotations

import html
import re

# The harness's `what` (docharness/kinds/transcript/runner.py) by its English words.
WHAT = {
    "output differs from the page": "출력이 페이지와 다릅니다",
    "exits with an error the page does not show": "페이지에 없는 오류로 끝났습니다",
    "the container's prompt differs": "컨테이너의 프롬프트가 페이지와 다릅니다",
}
_WHERE = re.compile(r"^\S+\.md:\d+: ")  # the page and line the reason starts with
_MORE = re.compile(r"^\.\.\. and (\d+) more changed lines not shown$")


def _what(reason: str) -> str:
    text = _WHERE.sub("", reason.strip())
    for english, korean in WHAT.items():
        if text.endswith(english):
            return text[: -len(english)] + korean
    return text


def story(reason: str | None, details: str | None, engine: str, date: str) -> str:
    """The HTML inside the folded diff of a failed block that ``engine`` ran on ``date``."""
    facts = [html.escape(f"{_what(reason or '')} · 도커 엔진 {engine} · {date}")]
    notes: list[str] = []
    diff: list[str] = []
    for line in (details or "").split("\n"):
        if line.startswith("  likely cause: "):
            notes.append(f"추정 원인: {line.removeprefix('  likely cause: ')}")
        elif line.startswith("  ") and not diff:
            facts.append(f"명령: <code>{html.escape(line.strip())}</code>")
        elif line.startswith("exit status: "):
            facts.append(f"종료 코드 {html.escape(line.removeprefix('exit status: '))}")
        elif line.startswith("first differing line of the page: "):
            number = line.removeprefix("first differing line of the page: ")
            facts.append(f"페이지 {html.escape(number)}번째 줄부터 다름")
        elif line in ("--- expected (page)", "+++ actual"):
            continue
        elif line.startswith("@@ "):
            if diff:
                diff.append("⋯")  # a gap between two hunks
        elif more := _MORE.match(line):
            notes.append(f"바뀐 줄 {more.group(1)}개는 더 있지만 생략했습니다")
        elif line.startswith("full output: "):
            continue  # a file on the machine that ran the tests, not on this site
        elif line == "output so far:":
            notes.append("명령이 끝나지 않았습니다: 아래는 그때까지의 출력입니다")
        else:
            diff.append(line)
    parts = [f'<p class="test-badge__facts">{" · ".join(facts)}</p>']
    parts += [f"<p>{html.escape(note)}</p>" for note in notes]
    if any(line[:1] in "+-" for line in diff):
        parts.append(
            '<p class="test-badge__legend">'
            '<span class="test-badge__expected">− 기대한 출력 (페이지)</span> '
            f'<span class="test-badge__actual">+ 실제 출력 (도커 엔진 {html.escape(engine)})</span>'
            "</p>"
        )
    if diff:
        parts.append(f'<pre tabindex="0">{html.escape(chr(10).join(diff))}</pre>')
    return "".join(parts)
