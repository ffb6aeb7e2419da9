"""MkDocs hook: Korean words in the search index also without particles and as word parts.

Material's search matches the query as a word prefix, so `이미지` finds `이미지를` but a part
inside a word (`제스트` in `다이제스트`) finds nothing. After the search plugin has written
`search/search_index.json`, every section gets an extra field `ko` listing its Hangul words
without particles (`이미지를` -> `이미지`) and every suffix of at least two syllables of them;
a prefix query then matches any part of a word. The query side (particles typed by the reader,
`이미지를` -> `이미지`) is `assets/javascripts/search-ko.js`, which uses the same particle list.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

# Longest first; a particle is only removed when at least two syllables stay.
PARTICLES = sorted(
    """을 를 이 가 은 는 에 의 로 으로 와 과 도 만 까지 부터 에서 에게 한테 처럼 보다 이다 입니다
    이며 이고 에는 에도 에서는 으로는 로는 와는 과는 에게서 한테서 이나 나 랑 이랑 마저 조차 밖에
    로서 으로서 로써 으로써 이라고 라고 이란 란 이라는 라는 이에요 예요""".split(),  # noqa: SIM905
    key=len,
    reverse=True,
)
HANGUL_WORD = re.compile(r"[가-힣]+")
TAG = re.compile(r"<[^>]+>")
FIELD = "ko"
MIN_SYLLABLES = 2


def strip_particle(word: str) -> str:
    """`컨테이너를` -> `컨테이너`; words without a known particle stay as they are."""
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= MIN_SYLLABLES:
            return word[: -len(particle)]
    return word


def extra_terms(text: str) -> list[str]:
    """The index terms a text gets on top of its own words, in first-seen order."""
    words = HANGUL_WORD.findall(html.unescape(TAG.sub(" ", text)))
    terms: dict[str, None] = {}
    for word in words:
        stem = strip_particle(word)
        for form in (stem, word):
            for start in range(len(form) - MIN_SYLLABLES + 1):
                terms[form[start:]] = None
    for word in words:  # a word already indexed as itself needs no copy
        terms.pop(word, None)
    return list(terms)


def augment(index: dict[str, Any]) -> None:
    """Add the `ko` field to the index's config and documents, in place."""
    index["config"]["fields"][FIELD] = {"boost": 1.0}
    for doc in index["docs"]:
        terms = extra_terms(f"{doc.get('title', '')} {doc.get('text', '')}")
        if terms:
            doc[FIELD] = " ".join(terms)


@event_priority(-100)  # after the search plugin has written the index
def on_post_build(config: Any, **_: Any) -> None:
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.exists():  # search plugin disabled
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    augment(index)
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), "utf-8")
