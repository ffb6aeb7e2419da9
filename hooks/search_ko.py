"""MkDocs hook: Korean words in the search index also without particles and as word parts.

Material's search matches the query as a word prefix, so `이미지` finds `이미지를` but a part
inside a word (`제스트` in `다이제스트`) finds nothing. After the search plugin has written
`search/search_index.json`, every section gets an extra field `ko` listing its Hangul words
without particles (`이미지를` -> `이미지`) and every suffix of at least two syllables of them;
a prefix query then matches any part of a word. Synonyms (search_synonyms.json, next to this
hook) join Korean words to the Docker words they stand for: a section that shows `docker login`
or `-p` also gets `로그인` or `포트포워딩` and `publish` in that field. The query side
(particles typed by the reader, `이미지를` -> `이미지`; `로그인` -> `로그인 login`) is
`assets/javascripts/search-ko.js`, which uses the same particle list and gets the same
synonym table written into it by this hook.
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

SYNONYMS_FILE = Path(__file__).with_name("search_synonyms.json")
QUERY_SCRIPT = Path("assets") / "javascripts" / "search-ko.js"
SYNONYMS_SLOT = "const SYNONYMS = []"

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
# What a page writes as one word: `-p`, `--publish`, `docker-compose` (not `--publish-all`).
TOKEN = re.compile(r"[\w-]+")
FIELD = "ko"
MIN_SYLLABLES = 2
# A word, its shortest stem first, then the particle it ends in: the longest particle that
# leaves MIN_SYLLABLES (one regex, as the build strips every word of every page).
_PARTICLE_END = re.compile(rf"(?P<stem>[가-힣]{{{MIN_SYLLABLES},}}?)(?:{'|'.join(PARTICLES)})")


def strip_particle(word: str) -> str:
    """`컨테이너를` -> `컨테이너`; words without a known particle stay as they are."""
    match = _PARTICLE_END.fullmatch(word)
    return match["stem"] if match else word


@functools.cache  # a word comes back on many pages: its terms are worked out once a build
def _word_terms(word: str) -> tuple[str, ...]:
    """The stem of a word and every suffix of at least MIN_SYLLABLES of it and of the word."""
    stem = strip_particle(word)
    return tuple(
        form[start:] for form in (stem, word) for start in range(len(form) - MIN_SYLLABLES + 1)
    )


@functools.lru_cache(maxsize=1)  # augment asks for the same section's text twice in a row
def _plain(text: str) -> str:
    """The text of a section's HTML, tags dropped and entities read."""
    return html.unescape(TAG.sub(" ", text))


def extra_terms(text: str) -> list[str]:
    """The index terms a text gets on top of its own words, in first-seen order."""
    words = HANGUL_WORD.findall(_plain(text))
    terms = dict.fromkeys(term for word in words for term in _word_terms(word))
    for word in words:  # a word already indexed as itself needs no copy
        terms.pop(word, None)
    return list(terms)


@dataclass(frozen=True)
class Synonym:
    """A Docker word (`publish`), the Korean words for it, and how a page writes it."""

    en: str
    ko: tuple[str, ...]
    forms: tuple[str, ...]  # `-p`, `--publish`: whole tokens (TOKEN), in any case


def load_synonyms(path: Path = SYNONYMS_FILE) -> list[Synonym]:
    """The synonym table; raises ValueError naming the file for a malformed entry."""
    table = json.loads(path.read_text(encoding="utf-8"))
    synonyms = []
    for number, entry in enumerate(table, 1):
        try:
            synonym = Synonym(
                entry["en"], tuple(entry["ko"]), tuple(entry.get("forms", [entry["en"]]))
            )
            if not all(isinstance(word, str) for word in (synonym.en, *synonym.ko, *synonym.forms)):
                raise TypeError("every word must be a string")
            if not all(TOKEN.fullmatch(form) for form in synonym.forms):
                raise TypeError(f"a form is one token of letters, digits, _ and -: {synonym.forms}")
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path}: entry {number} needs en, ko (and forms): {error}") from error
        synonyms.append(synonym)
    return synonyms


@functools.cache
def _places(synonyms: tuple[Synonym, ...]) -> dict[str, list[int]]:
    """Each written form, lowercased -> the places in the table of its synonyms."""
    by_form: dict[str, list[int]] = {}
    for place, synonym in enumerate(synonyms):
        for form in synonym.forms:
            by_form.setdefault(form.lower(), []).append(place)
    return by_form


def synonym_terms(text: str, synonyms: list[Synonym]) -> list[str]:
    """The Docker and Korean words of every synonym whose written form appears in ``text``."""
    by_form = _places(tuple(synonyms))
    # a form is a whole token: one pass over the text's tokens, not one search per form
    written = {token.lower() for token in TOKEN.findall(_plain(text))}
    found = sorted({place for form in written & by_form.keys() for place in by_form[form]})
    terms: dict[str, None] = {}
    for place in found:  # in the table's order
        terms.update(dict.fromkeys((synonyms[place].en, *synonyms[place].ko)))
    return list(terms)


def augment(index: dict[str, Any], synonyms: list[Synonym] | None = None) -> None:
    """Add the `ko` field to the index's config and documents, in place."""
    index["config"]["fields"][FIELD] = {"boost": 1.0}
    for doc in index["docs"]:
        text = f"{doc.get('title', '')} {doc.get('text', '')}"
        terms = extra_terms(text) + synonym_terms(text, synonyms or [])
        if terms:
            doc[FIELD] = " ".join(dict.fromkeys(terms))


def write_query_table(script: Path, path: Path = SYNONYMS_FILE) -> None:
    """Put the synonym table into the built search-ko.js (its empty SYNONYMS slot)."""
    code = script.read_text(encoding="utf-8")
    if code.count(SYNONYMS_SLOT) != 1:
        raise ValueError(f"{script}: expected one `{SYNONYMS_SLOT}` to fill")
    table = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)
    script.write_text(code.replace(SYNONYMS_SLOT, f"const SYNONYMS = {table}"), "utf-8")


@event_priority(-100)  # after the search plugin has written the index
def on_post_build(config: Any, **_: Any) -> None:
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.exists():  # search plugin disabled
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    augment(index, load_synonyms())
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), "utf-8")
    write_query_table(Path(config.site_dir) / QUERY_SCRIPT)
