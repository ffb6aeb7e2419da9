"""Collection: which Markdown files are pages, and each page's blocks as pytest items.

A page that cannot be read or parsed is one failing item naming file:line; the others run.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Region, Sybil
from sybil.integration.pytest import SybilFile, SybilItem
from sybil.typing import Evaluator, Parser

from docharness.fences import (
    PageParser,
    find_fences,
    language_of,
    untested_transcripts,
)
from docharness.kinds import KINDS, kind
from docharness.model import CodeBlock, HarnessError
from docharness.page import PAGE_FIXTURE, ROOT, ExampleFailed
from docharness.pagefile import PageSource, read_source
from docharness.report import page_name

# Never pages unless named on the command line: tools' folders and the harness's own samples.
EXCLUDED = (".venv", "node_modules", "site", ".cache", ".git", "tests/integration/pages")


def parse_page(document: Document) -> Iterator[Region]:
    """Sybil parser: the page's code blocks, then the regions a kind finds in the whole page
    (the synopsis kind's prose option claims)."""
    yield from _BLOCKS(document)
    for entry in KINDS:
        if entry.regions is not None:
            yield from entry.regions()(document)


def evaluator_for(block: CodeBlock) -> Evaluator:
    """The evaluator of a block: its kind's (the PageParser's ``evaluator_for``)."""
    return kind(block.kind).evaluator()


class PageDocument(Document):
    """A page as Sybil sees it, read once by docharness.pagefile: the blocks and the checks
    that scan the fences read the same LF text (a CRLF page is no longer an "unclosed
    fence"), and the bytes read are kept for update mode: the page the run parsed."""

    source: PageSource

    @classmethod
    def parse(cls, path: str, *parsers: Parser, encoding: str = "utf-8") -> PageDocument:
        source = read_source(Path(path))
        document = cls(source.text, path)
        document.source = source
        for parser in parsers:
            for region in parser(document):
                document.add(region)
        return document


_BLOCKS = PageParser(evaluator_for)
SYBIL = Sybil(
    parsers=[parse_page],
    patterns=["*.md"],
    fixtures=[PAGE_FIXTURE],
    path=str(ROOT),
    document_types={".md": PageDocument},
)


class PageItem(SybilItem):
    """One block of a page; a failing block shows its message, not a traceback."""

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ExampleFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    @property
    def block(self) -> CodeBlock:
        block: CodeBlock = self.example.parsed
        return block


class BrokenPage(pytest.Item):
    """A page that cannot be read or parsed: one failing item naming file:line.

    A collection error would stop the whole session; as an item, the page fails alone and
    every other page still runs.
    """

    def __init__(self, *, error: HarnessError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        return str(self.error)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.error.line - 1, f"{page_name(self.path, ROOT)}: cannot be run"


class UntestedTranscript(UserWarning):
    """A fence that is not run although it shows prompts (a transcript mislabelled?)."""


class PageFile(SybilFile):
    """A Markdown page; a malformed one is one failing item naming file:line."""

    source: PageSource | None = None  # the page as the run read it (update mode checks it)

    def collect(self) -> Iterator[PageItem | BrokenPage]:
        try:
            parsed = [(sybil, sybil.parse(self.path)) for sybil in self.sybils]
            examples = [(sybil, list(document.examples())) for sybil, document in parsed]
            self.source = next(d.source for _, d in parsed if isinstance(d, PageDocument))
            untested = untested_transcripts(find_fences(self.path, self.source.text))
        except HarnessError as error:
            yield BrokenPage.from_parent(self, name="page", error=error)
            return
        except Exception as error:  # the parser itself failed on this page: it fails alone too
            what = f"cannot be collected: {type(error).__name__}: {error}"
            yield BrokenPage.from_parent(self, name="page", error=HarnessError(self.path, 1, what))
            return
        for fence in untested:
            named = f"a {language_of(fence.info)} fence" if fence.info else "a fence"
            warnings.warn_explicit(
                f"{named} shows `$ ` prompts but is not run; name its language console to run it",
                UntestedTranscript,
                page_name(self.path, ROOT),  # the summary shows the page and line, not ours
                fence.line,
            )
        self.documents.extend(document for _, document in parsed)
        for sybil, found in examples:
            for example in found:
                yield PageItem.from_parent(self, sybil=sybil, example=example)


_NAMED = pytest.StashKey[frozenset[Path]]()


def _named(config: pytest.Config) -> frozenset[Path]:
    """The files given on the command line (`pytest some/page.md`).

    Resolved once per run: pytest asks for every file it visits, and resolving every
    argument each time made naming N pages cost N x N resolutions.
    """
    named = config.stash.get(_NAMED, None)
    if named is None:
        base = config.invocation_params.dir
        named = frozenset((base / arg.split("::")[0]).resolve() for arg in config.args)
        config.stash[_NAMED] = named
    return named


def is_page(path: Path, config: pytest.Config) -> bool:
    """docs/**.md are pages; any other .md (README.md too) only when named."""
    path = path.resolve()
    if path.suffix != ".md":
        return False
    if path in _named(config):
        return True
    try:
        relative = path.relative_to(ROOT)
    except ValueError:
        return False
    text = relative.as_posix()
    if any(text == part or text.startswith(part + "/") for part in EXCLUDED):
        return False
    return relative.parts[0] == "docs"


_PAGES = pytest.StashKey[dict[Path, bool]]()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PageFile | None:
    """Sybil's collection, for the files that are pages (a named one may lie outside the repo)."""
    if file_path.suffix != ".md" or not _collects(file_path, parent.config):
        return None
    page: PageFile = PageFile.from_parent(parent, path=file_path, sybils=[SYBIL])
    return page


def _collects(file_path: Path, config: pytest.Config) -> bool:
    """Whether a file is a page Sybil parses, decided once per file and run.

    pytest visits a folder's files again for each argument naming one of them.
    """
    known = config.stash.setdefault(_PAGES, {})
    if file_path not in known:
        path = file_path.resolve()
        named = path in _named(config)
        known[file_path] = is_page(path, config) and (named or SYBIL.should_parse(path))
    return known[file_path]


def runs_pages(config: pytest.Config) -> bool:
    """Whether this run may collect pages: only then is a daemon required."""
    base = config.invocation_params.dir
    targets = [base / a.split("::")[0] for a in config.args] or [base]
    for target in targets:
        if target.suffix == ".md":
            return True
        if target.is_dir():
            for directory, subdirs, files in os.walk(target):
                here = Path(directory)
                subdirs[:] = [d for d in subdirs if not _excluded(here / d)]
                if any(is_page(here / f, config) for f in files if f.endswith(".md")):
                    return True
    return False


def _excluded(directory: Path) -> bool:
    try:
        text = directory.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return False
    return any(text == part or text.startswith(part + "/") for part in EXCLUDED)
