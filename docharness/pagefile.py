"""A page's file: its bytes, the text the parsers read, and writing a new text back safely.

Parsers see LF newlines and no byte order mark; a page saved with CRLF newlines or a BOM is
written back with them (update mode), so an update changes only the lines it rewrote.
A write goes to a temporary file in the page's own folder, is flushed to disk, and replaces
the page in one rename: a kill at any moment leaves the old page or the new one, never a
truncated or mixed one. With ``expected`` it is refused when the page changed since it was read;
the rename is then an exchange of the two names, so a save that lands after the last look at
the page is found in the swapped-out file and put back, not overwritten.

```python
import tempfile
from pathlib import Path

from docharness.pagefile import read_source, replace_file

with tempfile.TemporaryDirectory() as folder:
    page = Path(folder) / "page.md"
    page.write_bytes(b"# t\\r\\n\\r\\n$ echo hi\\r\\n")
    source = read_source(page)
    assert source.text == "# t\\n\\n$ echo hi\\n"
    replace_file(page, source.encode("# t\\n\\n$ echo hello\\n"), expected=source.data)
    assert page.read_bytes() == b"# t\\r\\n\\r\\n$ echo hello\\r\\n"
```
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import difflib
import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docharness.model import HarnessError

ENCODING = "utf-8"


class PageChanged(Exception):
    """The page on disk is no longer the text the run read: it was not written."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            f"{path}: changed on disk while the run was going: not updated (your edit is kept; "
            "run the update again to write the real output)"
        )
        self.path = path


@dataclass(frozen=True)
class PageSource:
    """A page as read: its bytes, and its text with LF newlines and no byte order mark."""

    path: Path
    data: bytes
    text: str

    def encode(self, text: str) -> bytes:
        """``text`` (LF newlines) as this page's bytes: its BOM and newline style kept."""
        bom = self.data.startswith(codecs.BOM_UTF8)
        old = self.data[len(codecs.BOM_UTF8) if bom else 0 :].decode(ENCODING)
        crlf = old.count("\r\n")
        if not crlf:
            body = text
        elif crlf == old.count("\n"):
            body = text.replace("\n", "\r\n")
        else:
            body = _mixed(old, text)
        return (codecs.BOM_UTF8 if bom else b"") + body.encode(ENCODING)


def read_source(path: Path) -> PageSource:
    """Read a page. Another encoding than UTF-8, or a NUL byte, is a HarnessError naming the
    line: Sybil would raise a bare UnicodeDecodeError, and a binary file is no page."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        what = f"not UTF-8 text ({error.reason} at byte {error.start}): save the page as UTF-8"
        raise HarnessError(path, line, what) from None
    nul = data.find(b"\0")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        raise HarnessError(path, line, f"not a text file (a NUL byte at byte {nul})")
    return PageSource(path, data, text.replace("\r\n", "\n"))


def _mixed(old: str, new: str) -> str:
    """``new`` with each line that is unchanged from ``old`` keeping its own line ending,
    and the others ending as most of ``old``'s lines do (a page with both CRLF and LF)."""
    raw = old.split("\n")
    crlf = [line.endswith("\r") for line in raw[:-1]]
    plain = [line[:-1] if ends else line for line, ends in zip(raw, crlf, strict=False)]
    plain += raw[len(crlf) :]
    usual = sum(crlf) * 2 > len(crlf)
    lines = new.split("\n")
    ending = [usual] * (len(lines) - 1)
    matcher = difflib.SequenceMatcher(None, plain, lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                if j < len(ending) and i < len(crlf):
                    ending[j] = crlf[i]
    out = [line + ("\r\n" if ends else "\n") for line, ends in zip(lines, ending, strict=False)]
    return "".join(out) + lines[-1]


def replace_file(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Write ``data`` as ``path`` through a flushed temporary file and one rename.

    With ``expected``, raise PageChanged instead when the file's bytes are no longer those:
    checked before writing and again just before the rename (an author's save meanwhile).
    """
    if expected is not None:
        ensure_unchanged(path, expected)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    # In the same folder: a rename across filesystems would not be one atomic step. A dot
    # name with no .md suffix: a temporary file a kill leaves behind is never a page.
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".docharness-tmp", dir=folder)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _mode(path))
        if expected is not None:
            ensure_unchanged(path, expected)
            if _exchange(temporary, path):
                # A save between that look and the swap is now the temporary file: put it back.
                _check_swapped(path, temporary, data, expected)
                return
        os.replace(temporary, path)
    except BaseException:
        if not _kept(temporary):
            temporary.unlink(missing_ok=True)
        raise
    finally:
        _sync(folder)


# renameat2's flag: swap two names in one step (Linux 3.15+; ext4, xfs, btrfs, tmpfs, overlay).
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_KEEP_SUFFIX = ".kept"


def _exchange(first: Path, second: Path) -> bool:
    """Swap two files' names in one step; False where the system or filesystem cannot (then
    the caller renames). The page's old bytes stay reachable under ``first`` afterwards, so a
    save that raced the last look is found, not overwritten (U2 of the 2026-12-07 red team)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    names = (os.fsencode(first), os.fsencode(second))
    if renameat2(_AT_FDCWD, names[0], _AT_FDCWD, names[1], _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    if code == errno.ENOENT:  # the page was removed since the last look: an edit too
        raise PageChanged(second)
    raise OSError(code, os.strerror(code), str(second))


def _check_swapped(path: Path, swapped: Path, data: bytes, expected: bytes) -> None:
    """After the swap ``swapped`` holds what was the page: the read text, or an author's save
    that came after the last look, which is swapped back (PageChanged)."""
    if swapped.read_bytes() == expected:
        swapped.unlink()
        return
    if not _exchange(swapped, path):
        os.replace(swapped, path)  # the save back as the page; the update's text is dropped
    elif swapped.read_bytes() != data:
        # Saved again meanwhile: that version is the page now; keep the one swapped out too.
        swapped.rename(swapped.with_name(swapped.name + _KEEP_SUFFIX))
    raise PageChanged(path)


def _kept(temporary: Path) -> bool:
    return temporary.with_name(temporary.name + _KEEP_SUFFIX).exists()


def ensure_unchanged(path: Path, expected: bytes) -> None:
    """Raise PageChanged unless the file holds exactly ``expected``."""
    try:
        now = path.read_bytes()
    except FileNotFoundError:
        raise PageChanged(path) from None
    if now != expected:
        raise PageChanged(path)


def _mode(path: Path) -> int:
    """The file's permission bits (mkstemp's are 0600); 0644 for a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o644


def _sync(folder: Path) -> None:
    """Flush the rename itself to disk (the folder's entry)."""
    with contextlib.suppress(OSError):  # some filesystems cannot open or fsync a folder
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
