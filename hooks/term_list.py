"""MkDocs hook: the readers' term list (docs/terms.md) made from the contributors' glossary.

The glossary table (`| 한국어 표기 | 영어 | 뜻 | 쓰지 않는 표기 |`) is the one list of terms;
a page that holds `<!-- terms: contributing/glossary.md -->` gets its first three columns
there, so the two pages cannot drift apart. The comment stays invisible on GitHub, where the
page links the glossary itself.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

MARKER = re.compile(r"^<!-- terms: (?P<source>\S+) -->$", re.MULTILINE)
ROW = re.compile(r"^\|(.+)\|\s*$")
COLUMNS = 3  # 한국어 표기, 영어, 뜻
HEADER = "| 한국어 | 영어 | 뜻 |\n|--------|------|----|"


def term_rows(glossary: str, source: Path) -> list[str]:
    """The glossary table's rows, cut to their first three columns; raises if there is none."""
    rows = []
    for line in glossary.split("\n"):
        row = ROW.match(line)
        if row is None:
            if rows:
                break  # the table has ended
            continue
        cells = [cell.strip() for cell in row.group(1).split("|")]
        if len(cells) < COLUMNS:
            raise ValueError(f"{source}: a glossary row has fewer than {COLUMNS} cells: {line}")
        rows.append("| " + " | ".join(cells[:COLUMNS]) + " |")
    if len(rows) < 3:
        raise ValueError(f"{source}: no glossary table found")
    return rows[2:]  # without its header and separator


def with_terms(markdown: str, docs_dir: Path) -> str:
    def table(match: re.Match[str]) -> str:
        source = docs_dir / match.group("source")
        rows = term_rows(source.read_text(encoding="utf-8"), source)
        return "\n".join([HEADER, *rows])

    return MARKER.sub(table, markdown)


def on_page_markdown(markdown: str, config: Any, **_: Any) -> str:
    return with_terms(markdown, Path(config.docs_dir))
