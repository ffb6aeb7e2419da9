"""A page's bytes kept on write-back (BOM, CRLF), and a write that never leaves half a page."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from docharness import pagefile
from docharness.fences import parse_page, read_page
from docharness.model import HarnessError
from docharness.pagefile import PageChanged, read_source, replace_file

CRLF = b"# t\r\n\r\n```console\r\n$ echo hi\r\nhi\r\n```\r\n"


def test_a_crlf_page_parses_as_its_lf_text(tmp_path: Path) -> None:
    """U5/R23 of the 2026-12-07 red team: a CRLF page was "unclosed fence" at collection."""
    page = tmp_path / "crlf.md"
    page.write_bytes(CRLF)
    [block] = parse_page(page, read_page(page))
    assert [(s.command, [e.text for e in s.expected]) for s in block.steps] == [("echo hi", ["hi"])]


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
@pytest.mark.parametrize(
    ("before", "after"),
    [
        (CRLF, CRLF.replace(b"hi\r\n```", b"hello\r\nworld\r\n```")),
        (
            CRLF.replace(b"\r\n", b"\n"),
            CRLF.replace(b"\r\n", b"\n").replace(b"hi\n```", b"hello\nworld\n```"),
        ),
        # mixed: each line keeps its own ending, new lines take the usual one (CRLF here)
        (
            b"# t\n\r\n```console\r\n$ echo hi\r\nhi\r\n```\n",
            b"# t\n\r\n```console\r\n$ echo hi\r\nhello\r\nworld\r\n```\n",
        ),
    ],
)
def test_a_new_text_keeps_the_pages_newlines_and_byte_order_mark(
    tmp_path: Path, bom: bytes, before: bytes, after: bytes
) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(bom + before)
    source = read_source(page)
    assert "\r" not in source.text and not source.text.startswith("\ufeff")
    new = source.text.replace("hi\n```", "hello\nworld\n```")
    assert source.encode(new) == bom + after
    assert source.encode(source.text) == bom + before


def test_a_page_changed_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(CRLF)
    source = read_source(page)
    page.write_bytes(CRLF + b"\r\nThe author's new paragraph.\r\n")
    with pytest.raises(PageChanged, match=rf"^{page}: changed on disk while the run was going"):
        replace_file(page, b"new", expected=source.data)
    assert page.read_bytes() == CRLF + b"\r\nThe author's new paragraph.\r\n"
    assert os.listdir(tmp_path) == ["page.md"]  # no temporary file left


def test_a_replaced_page_keeps_its_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"old\n")
    page.chmod(0o640)
    replace_file(page, b"new\n", expected=b"old\n")
    assert page.read_bytes() == b"new\n"
    assert page.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["page.md"]


def test_a_nul_byte_is_not_a_page(tmp_path: Path) -> None:
    """X3 of the 2026-12-07 red team: a file of NUL bytes was collected as a page of nothing."""
    page = tmp_path / "zeros.md"
    page.write_bytes(b"# t\n\n" + b"\0" * 1000)
    with pytest.raises(HarnessError, match=rf"^{page}:3: not a text file \(a NUL byte at byte 5\)"):
        read_source(page)


def test_an_authors_save_just_after_the_last_check_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """U2 of the 2026-12-07 red team, what was left of it: a save that lands after the last
    look at the page and before the rename was replaced by the update (strace, delaying the
    rename, lost the author's new paragraph whole). The swap is one exchange, checked after."""
    page = tmp_path / "page.md"
    page.write_bytes(b"old\n")
    saved = b"old\n\nThe author's new paragraph, saved during the update.\n"
    looks = 0
    real = pagefile.ensure_unchanged

    def look_then_save(path: Path, expected: bytes) -> None:
        nonlocal looks
        real(path, expected)
        looks += 1
        if looks == 2:  # the last look before the swap: the author saves right after it
            author = tmp_path / ".editor-swap"
            author.write_bytes(saved)
            os.replace(author, page)

    monkeypatch.setattr(pagefile, "ensure_unchanged", look_then_save)
    with pytest.raises(PageChanged, match=rf"^{page}: changed on disk while the run was going"):
        replace_file(page, b"new\n", expected=b"old\n")
    assert page.read_bytes() == saved
    assert os.listdir(tmp_path) == ["page.md"]
