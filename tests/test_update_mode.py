"""`pytest --update-docs` on a real daemon: wrong output is rewritten, then the page passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

PAGE = """\
# 갱신 예제

<!-- test: timeout 60 -->
```shell
# 인사를 출력
$ echo hello
goodbye
$ seq 1 5
1
...
$ docker image inspect -f '{{{{.Os}}}}' {image}
windows
$ ls /nonexistent-dir
```
"""


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, docker_host: str) -> Any:
    """Run pytest on a page, in a child process, against this worker's daemon."""
    monkeypatch.setenv("DOCS_DOCKER_HOST", docker_host)
    monkeypatch.setenv("DOCHARNESS_REPORT", str(pytester.path / "report.json"))
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)

    def run(page: Path, *extra: str) -> pytest.RunResult:
        plugins = ("-p", "docharness.plugin", "-p", "no:xdist", "-p", "no:cacheprovider")
        return pytester.runpytest_subprocess(*plugins, "-q", *extra, str(page), timeout=300)

    return run


def test_update_writes_real_output_then_the_page_passes(
    pytester: pytest.Pytester, run: Any, debian_image: str
) -> None:
    page = pytester.path / "page.md"
    page.write_text(PAGE.format(image=debian_image), encoding="utf-8")

    failing = run(page)
    assert failing.ret == pytest.ExitCode.TESTS_FAILED, failing.outlines

    updated = run(page, "--update-docs")
    assert updated.ret == pytest.ExitCode.OK, updated.outlines
    assert "-goodbye\n+hello" in updated.stdout.str()
    assert "-windows\n+linux" in updated.stdout.str()

    text = page.read_text(encoding="utf-8")
    assert text.splitlines() == [
        "# 갱신 예제",
        "",
        "<!-- test: timeout 60 -->",
        "```shell",
        "# 인사를 출력",
        "$ echo hello",
        "hello",
        "$ seq 1 5",
        "1",
        "...",
        f"$ docker image inspect -f '{{{{.Os}}}}' {debian_image}",
        "linux",
        "$ ls /nonexistent-dir",
        "ls: cannot access '/nonexistent-dir': No such file or directory",
        "```",
    ]

    again = run(page)
    again.assert_outcomes(passed=1)


HAND_TYPED = "3b441ac31e8f4e31a2b8957bce53dd2db2c82f0fb52c0878d91f11f1daa033fb"
ID_PAGE = """\
# 손으로 쓴 ID

<!-- test: timeout 60 -->
```shell
$ docker create --name ledger-demo {image} true
{hand}
$ docker ps -aq --filter name=ledger-demo
{short}
$ docker rm {short}
{short}
```
"""


def test_a_hand_typed_id_passes_the_run_but_not_the_ledger_until_update_writes_a_real_one(
    pytester: pytest.Pytester,
    run: Any,
    debian_image: str,
    monkeypatch: pytest.MonkeyPatch,
    docker_host: str,
) -> None:
    from contracts.stores import image_store
    from docharness import ledger
    from docharness.daemon import Daemon, driver_status, server_version
    from docharness.fences import parse_page

    monkeypatch.setenv("DOCHARNESS_LEDGER_DIR", str(pytester.path / "ledger"))
    page = pytester.path / "page.md"
    text = ID_PAGE.format(image=debian_image, hand=HAND_TYPED, short=HAND_TYPED[:12])
    page.write_text(text, encoding="utf-8")
    where = ledger.path_for(page, pytester.path)

    # IDs are bound, so the invented one passes a run...
    run(page).assert_outcomes(passed=1)
    # ...and only the ledger tells: no run printed it.
    missing = ledger.unproven(parse_page(page, text), ledger.load(where))
    assert [(m.line, m.value) for m in missing] == [
        (6, HAND_TYPED),
        (8, HAND_TYPED[:12]),
        (10, HAND_TYPED[:12]),
    ]

    updated = run(page, "--update-docs")
    assert updated.ret == pytest.ExitCode.OK, updated.outlines
    new = page.read_text(encoding="utf-8")
    real = new.splitlines()[5]
    assert real != HAND_TYPED and len(real) == 64
    # The command that repeats the value follows it; the ledger records what the run printed.
    assert f"$ docker rm {real[:12]}" in new.splitlines()
    recorded = ledger.load(where)
    assert recorded[real]["source"] == "run"
    # The store the value came from, as the daemon's `docker info` reports it: with store-gated
    # twins a page shows values of both stores, and the ledger tells them apart.
    daemon = Daemon(docker_host, "lab")
    assert recorded[real]["store"] == image_store(driver_status(daemon))
    assert recorded[real]["docker"] == server_version(daemon)
    assert ledger.unproven(parse_page(page, new), recorded) == []

    run(page).assert_outcomes(passed=1)


OLD_SHORT = "5d0c9f1e2a3b"  # a container ID an older run printed, recorded in the ledger
DEFECTS_PAGE = """\
# 갱신: 줄임표와 한 실행의 값

<!-- test: terminal 80x24 -->
```shell
$ seq 1 8
1
...
9
```

```shell
$ printf 'CMD a\\nCOPY b\\nRUN c\\nFROM d\\n'
CMD x
COPY y
...
```

```shell
$ docker create --name upd-mix {image} true
$ docker ps -aq --filter name=upd-mix
{short}
$ docker rm upd-mix
upd-mix
```
"""


def test_update_keeps_a_screens_ellipsis_replaces_rows_and_never_mixes_two_runs_ids(
    pytester: pytest.Pytester, run: Any, debian_image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 2026-12-07 update of docs/dockerfile.md: a terminal screen was written whole (its
    `...` lost), changed rows before a `...` vanished into it, and a new long ID was written
    as the page's older short ID + this run's other digits."""
    from docharness import ledger

    monkeypatch.setenv("DOCHARNESS_LEDGER_DIR", str(pytester.path / "ledger"))
    page = pytester.path / "page.md"
    text = DEFECTS_PAGE.format(image=debian_image, short=OLD_SHORT)
    page.write_text(text, encoding="utf-8")
    origin = {"source": "run", "date": "2026-12-01", "docker": "28.5.2", "mode": "lab"}
    ledger.save(ledger.path_for(page, pytester.path), {OLD_SHORT: origin})

    updated = run(page, "--update-docs")
    assert updated.ret == pytest.ExitCode.TESTS_FAILED, updated.outlines  # one block refused
    lines = page.read_text(encoding="utf-8").split("\n")
    assert lines[4:8] == ["$ seq 1 8", "1", "...", "8"]  # the screen's `...` stays
    assert lines[11:15] == [
        "$ printf 'CMD a\\nCOPY b\\nRUN c\\nFROM d\\n'",
        "CMD a",
        "COPY b",
        "...",
    ]
    # The third block is left as it was: writing `docker create`'s ID would mix two runs.
    assert lines[17:] == text.split("\n")[17:]
    out = updated.stdout.str()
    refusal = next(line for line in out.splitlines() if "upd-mix" in line and "printed" in line)
    assert refusal.startswith("page.md:19: `docker create --name upd-mix"), refusal
    assert f"the page shows the same object as {OLD_SHORT} (line 21)" in refusal
    assert "this block was not updated" in refusal

    # The rewritten blocks pass; the refused one still fails until the author writes it.
    run(page).assert_outcomes(passed=2, failed=1)

    # The remedy the message names: without the ledger's record, the run's values replace the
    # page's wherever it shows that container, so the block shows one run's ID, long and short.
    ledger.save(ledger.path_for(page, pytester.path), {})
    again = run(page, "--update-docs")
    assert again.ret == pytest.ExitCode.OK, again.outlines
    lines = page.read_text(encoding="utf-8").split("\n")
    created, listed = lines[19], lines[21]
    assert lines[18].startswith("$ docker create --name upd-mix") and len(created) == 64
    assert lines[20] == "$ docker ps -aq --filter name=upd-mix" and listed == created[:12]
    assert OLD_SHORT not in page.read_text(encoding="utf-8")
    run(page).assert_outcomes(passed=3)
