"""`--update-docs` never loses the author's text (U1-U3, U5, U11 of the 2026-12-07 red team).

Each test runs pytest on a page in a child process, against this worker's daemon. The child
loads a small conftest that plays the author or the kill: it edits the page once collection
has read it, or SIGKILLs its own process in the middle of a write into the page's folder
(whatever file the harness writes there, the page itself or a temporary one).
"""

from __future__ import annotations

import codecs
import signal
from pathlib import Path
from typing import Any

import pytest

# The child's conftest. KILL_IN: SIGKILL at the first write into that folder (after KILL_SKIP
# writes there), after half the bytes ("half") or after all of them, as the file is closed
# ("close"). EDIT_PAGE: the author saves a longer page as soon as collection has read it.
CHILD_CONFTEST = """
import builtins, io, os, signal
from pathlib import Path

pytest_plugins = ["docharness.plugin"]
_open = io.open


class _Killing:
    def __init__(self, file):
        self._file = file

    def write(self, data):
        if os.environ["KILL_WHEN"] == "half":
            self._file.write(data[: len(data) // 2])
            self._file.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return self._file.write(data)

    def close(self):
        self._file.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getattr__(self, name):
        return getattr(self._file, name)


_let_through = [int(os.environ.get("KILL_SKIP", "0"))]


def _killing_open(file, mode="r", *args, **kwargs):
    opened = _open(file, mode, *args, **kwargs)
    target = Path(os.readlink(f"/proc/self/fd/{file}") if isinstance(file, int) else file)
    writes = any(c in mode for c in "wax+")
    if writes and target.resolve().parent == Path(os.environ["KILL_IN"]).resolve():
        _let_through[0] -= 1
        if _let_through[0] < 0:
            return _Killing(opened)
    return opened


if os.environ.get("KILL_IN"):
    io.open = builtins.open = _killing_open


def pytest_collection_finish(session):
    page = os.environ.get("EDIT_PAGE")
    if page:
        text = Path(page).read_text(encoding="utf-8")
        edited = text.replace("# t\\n", "# t\\n" + "새 문단.\\n" * 7)
        Path(page).write_text(edited, encoding="utf-8")
"""

PAGE = """\
# t

처음 블록:

```console
$ echo one
one-old
```

작가가 지키는 글.

```console
$ echo two
two-old
```
"""
UPDATED = PAGE.replace("one-old", "one").replace("two-old", "two")


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, docker_host: str) -> Any:
    """Run pytest on pages in a child process; the report and ledger away from the pages."""
    monkeypatch.setenv("DOCS_DOCKER_HOST", docker_host)
    monkeypatch.setenv("DOCHARNESS_REPORT", str(pytester.path / "out" / "report.json"))
    monkeypatch.setenv("DOCHARNESS_LEDGER_DIR", str(pytester.path / "out" / "ledger"))
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makeconftest(CHILD_CONFTEST)
    (pytester.path / "docs").mkdir()

    def run(*pages: Path, update: bool = True) -> pytest.RunResult:
        extra = ["--update-docs"] if update else []
        args = ("-p", "no:xdist", "-p", "no:cacheprovider", "-q", *extra, *map(str, pages))
        return pytester.runpytest_subprocess(*args, timeout=300)

    return run


@pytest.mark.parametrize("when", ["half", "close"])
def test_a_kill_during_the_write_leaves_the_page_whole(
    pytester: pytest.Pytester, run: Any, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """U2/U3: the page was opened with O_TRUNC and then written; a kill in between left it
    empty (or half written)."""
    page = pytester.path / "docs" / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    monkeypatch.setenv("KILL_IN", str(page.parent))
    monkeypatch.setenv("KILL_WHEN", when)

    result = run(page)

    assert result.ret == -signal.SIGKILL, result.outlines  # killed in the write, as meant
    assert page.read_text(encoding="utf-8") in (PAGE, UPDATED)


def test_a_page_edited_during_the_run_is_left_as_the_author_saved_it(
    pytester: pytest.Pytester, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """U1: outputs were applied by the line numbers of the run's own parse, so one command's
    output went under another after the author inserted lines."""
    page = pytester.path / "docs" / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    monkeypatch.setenv("EDIT_PAGE", str(page))

    result = run(page)

    edited = PAGE.replace("# t\n", "# t\n" + "새 문단.\n" * 7)
    assert page.read_text(encoding="utf-8") == edited
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.outlines
    output = result.stdout.str()
    assert "docs not updated" in output, output
    assert "docs/page.md: changed on disk while the run was going: not updated" in output, output


def test_a_crlf_page_with_a_byte_order_mark_is_updated_keeping_both(
    pytester: pytest.Pytester, run: Any
) -> None:
    """U5: a CRLF page could not be collected at all; a BOM was dropped on write."""
    page = pytester.path / "docs" / "crlf.md"
    crlf = PAGE.replace("\n", "\r\n").encode()
    page.write_bytes(codecs.BOM_UTF8 + crlf)

    result = run(page)

    assert result.ret == pytest.ExitCode.OK, result.outlines
    assert page.read_bytes() == codecs.BOM_UTF8 + UPDATED.replace("\n", "\r\n").encode()
    run(page, update=False).assert_outcomes(passed=2)


SYNTAX = """\
# t

```console
$ printf 'line one\\n$ touch INJECTED\\n'
old
```

```console
$ printf 'a\\n```\\nb\\n'
old
```

```console
$ printf '# not a comment\\n'
```

```console
$ echo fine
old
```
"""


def test_output_that_reads_back_as_page_syntax_is_never_written(
    pytester: pytest.Pytester, run: Any
) -> None:
    """U11: a printed `$ ` line was written, and the next update ran it; a printed fence
    closed the block; a printed `# ` line became a comment, one more per update."""
    page = pytester.path / "docs" / "syntax.md"
    page.write_text(SYNTAX, encoding="utf-8")

    for _ in range(2):
        result = run(page)
        assert result.ret == pytest.ExitCode.TESTS_FAILED, result.outlines
        output = result.stdout.str()
        name = "docs/syntax.md"
        assert f"{name}:4: `printf 'line one" in output, output
        assert "would read back as a command (it starts with a prompt): '$ touch INJECTED'" in (
            output
        )
        assert f"{name}:9: `printf 'a" in output and "as a code fence" in output, output
        assert f"{name}:14: `printf '# not a comment" in output and "as a comment" in output
        assert page.read_text(encoding="utf-8") == SYNTAX.replace("fine\nold", "fine\nfine")
    assert not list(pytester.path.rglob("INJECTED"))


HAND = "3b441ac31e8f4e31a2b8957bce53dd2db2c82f0fb52c0878d91f11f1daa033fb"
ID_PAGE = """\
# t

<!-- test: timeout 60 -->
```shell
$ docker create --name ledger-kill {image} true
{hand}
$ docker rm ledger-kill
ledger-kill
```
"""


@pytest.mark.parametrize("skip", [0, 1])
def test_a_kill_between_the_page_and_its_ledger_leaves_no_value_unrecorded(
    pytester: pytest.Pytester,
    run: Any,
    monkeypatch: pytest.MonkeyPatch,
    debian_image: str,
    skip: int,
) -> None:
    """The red team's note: the page was written before its ledger, so a kill between the two
    left the real ID on the page and nowhere in the ledger (tests/test_ledger.py failed)."""
    from docharness import ledger
    from docharness.fences import parse_page
    from docharness.page import ROOT

    page = pytester.path / "docs" / "ids.md"
    text = ID_PAGE.format(image=debian_image, hand=HAND)
    page.write_text(text, encoding="utf-8")
    where = ledger.path_for(page, ROOT)  # as the child files it: out/ledger/ids.md.json
    monkeypatch.setenv("KILL_IN", str(where.parent))
    monkeypatch.setenv("KILL_WHEN", "half")
    monkeypatch.setenv("KILL_SKIP", str(skip))

    def unproven() -> set[str]:
        shown = parse_page(page, page.read_text(encoding="utf-8"))
        return {item.value for item in ledger.unproven(shown, ledger.load(where))}

    before = unproven()
    assert before == {HAND}  # typed by hand, as in test_update_mode
    result = run(page)

    assert result.ret == -signal.SIGKILL, result.outlines  # killed writing a ledger, as meant
    now = page.read_text(encoding="utf-8")
    assert now == text or HAND not in now  # the old page, or the real ID in its place
    assert unproven() <= before, (now, where.read_text(encoding="utf-8"))
