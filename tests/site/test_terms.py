"""The readers' term list (docs/terms.md, made from the glossary) has every term the pages set
in bold: a bold noun phrase of a reader page is a term, and a reader who meets it can look it
up. Commands in bold, stressed clauses and the few stressed words below are not terms.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "hooks"))
import term_list  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GLOSSARY = DOCS / "contributing" / "glossary.md"
BOLD = re.compile(r"\*\*(?P<text>.+?)\*\*")
FENCE = re.compile(r"^\s*(```|~~~)")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
ORIGINAL = re.compile(r"\s*\([^)]*\)")  # 댕글링(dangling) 이미지: the original in brackets
MOST_WORDS = 3  # longer bold text is a stressed clause, not a term
# Bold that stresses a word around a term, not a term of its own: text -> why.
STRESSED = {
    "한도 없이": "an adverb: the log grows without a limit",
    "새 프로세스": "stresses 새 (new); 프로세스 is the term",
    "빈 네임드 볼륨": "stresses 빈 (empty); 네임드 볼륨 is the term",
    "프로세스 격리 기술": "describes what a container is; its parts (네임스페이스) are terms",
    "터미널에서 실행할 때": "a list item's lead on the test-environment page, not a term",
    "도커 엔진 29": "a list item's lead on the test-environment page: a version, not a term",
}


def listed_terms() -> set[str]:
    """The Korean column of the glossary table, as the term list shows it."""
    rows = term_list.term_rows(GLOSSARY.read_text(encoding="utf-8"), GLOSSARY)
    return {row.split("|")[1].strip() for row in rows}


def bold_terms(page: Path) -> list[tuple[int, str]]:
    """(line, term) of each bold noun phrase of a page, outside code and comments."""
    text = COMMENT.sub(lambda m: "\n" * m.group().count("\n"), page.read_text(encoding="utf-8"))
    found, in_fence = [], False
    for number, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in BOLD.finditer(line):
            term = ORIGINAL.sub("", match["text"]).strip()
            if "`" in term or term[:1].isascii() or len(term.split()) > MOST_WORDS:
                continue  # a command, or a stressed clause
            found.append((number, term))
    return found


def reader_pages() -> list[Path]:
    return [p for p in sorted(DOCS.rglob("*.md")) if "contributing" not in p.parts]


def test_every_bold_term_of_a_reader_page_is_in_the_term_list() -> None:
    terms = listed_terms()
    missing = [
        f"{page.relative_to(ROOT)}:{line}: **{term}** is not in {GLOSSARY.relative_to(ROOT)}"
        for page in reader_pages()
        for line, term in bold_terms(page)
        if term not in terms and term not in STRESSED
    ]
    assert not missing, "\n".join(missing)


def test_bold_terms_are_found(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "이런 이미지를 **댕글링(dangling) 이미지**라고 합니다. **docker pull** 명령어\n"
        "```shell\n$ echo **볼륨**\n```\n<!-- **주석** -->\n"
        "**컨테이너는 격리된 공간에서 프로세스가 동작하는 기술**입니다. **볼륨**에\n",
        encoding="utf-8",
    )
    assert bold_terms(page) == [(1, "댕글링 이미지"), (6, "볼륨")]


def test_every_stressed_word_is_still_on_a_page() -> None:
    """An entry of STRESSED that no page uses any more goes."""
    used = {term for page in reader_pages() for _, term in bold_terms(page)}
    assert set(STRESSED) <= used, set(STRESSED) - used
