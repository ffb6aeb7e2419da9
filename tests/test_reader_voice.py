"""Reader pages speak to the reader: no test tool's words, one name for one thing (issue 23 item 5).

The contributors' pages (docs/contributing/) explain the tool and may name it. The 정오표's
table quotes the words it replaced, so its rows are left out; its prose is checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
# Directives live in HTML comments (`<!-- test: engine >=28 -->`): the reader never sees them.
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# Each entry: what a reader must not find, and why (what the page says instead).
FORBIDDEN = {
    re.compile(r"지시문"): "the test tool's directives: the badge says what a reader needs",
    re.compile(r"하네스"): "the test harness is the contributors' word",
    re.compile(r"requires network|`engine [<>=]|`store (?:classic|containerd)`"): (
        "a directive's syntax: say it in the badge's words"
    ),
    re.compile(r"블록은[^.\n]*에서만 실행합니다"): (
        "reads as if the reader could run it only there: the badge gives the range"
    ),
    re.compile(r"실습 ?환경"): "the glossary's term is 실험실",
    re.compile(r"읽고-쓰기"): "the glossary writes 읽고 쓰기 레이어",
    re.compile(
        r"도커허브|(?<![(])Docker Hub"
    ): "the glossary's term is 도커 허브 (English in brackets)",
    re.compile(r"\bnode\.js\b"): "Node.js is written Node.js",
}


def reader_pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def reader_lines(page: Path) -> list[tuple[int, str]]:
    """The page's lines a reader sees, numbered as in the file (comments blanked, not removed)."""
    text = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), page.read_text("utf-8"))
    lines = list(enumerate(text.split("\n"), start=1))
    if page.name == "errata.md":
        return [(n, line) for n, line in lines if not line.startswith("|")]
    return lines


def test_there_are_reader_pages() -> None:
    assert len(reader_pages()) >= 15


@pytest.mark.parametrize("page", reader_pages(), ids=lambda p: p.name)
def test_reader_text_has_no_tool_talk_and_one_name_per_thing(page: Path) -> None:
    found = [
        f"docs/{page.name}:{number}: {pattern.pattern!r} ({why}): {line.strip()}"
        for number, line in reader_lines(page)
        for pattern, why in FORBIDDEN.items()
        if pattern.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_check_sees_what_it_forbids() -> None:
    # A directive in a comment is allowed; the same words in text are not.
    page = DOCS / "index.md"
    assert all(not p.search(line) for _, line in reader_lines(page) for p in FORBIDDEN)
    planted = "<!-- test: requires network -->\n이 블록은 엔진 28 이상에서만 실행합니다.\n"
    text = COMMENT.sub("", planted)
    assert [p.pattern for p in FORBIDDEN if p.search(text)] == [r"블록은[^.\n]*에서만 실행합니다"]
