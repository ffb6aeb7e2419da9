"""The page fixture takes the daemon's snapshot before the page's first block, whatever its kind;
a daemon that does not answer then fails each block that runs with one sentence. In-process,
with no daemon: the snapshot, the restore and the runner are stand-ins that log their turn."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from docharness import cleanup
from docharness.kinds.synopsis import run as synopsis
from docharness.kinds.transcript.runner import TranscriptRunner

PAGE = """\
```shell
docker ps [OPTIONS]
```

```shell
$ echo one
one
```

```shell
$ echo two
two
```
"""


@pytest.fixture
def page(pytester: pytest.Pytester) -> Path:
    """A page of a synopsis then two transcripts."""
    path = pytester.path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_the_snapshot_is_taken_by_the_page_fixture_before_the_first_block(
    run_without_daemon: Any, monkeypatch: pytest.MonkeyPatch, page: Path
) -> None:
    turns: list[str] = []
    api = SimpleNamespace(close=lambda: turns.append("closed"))
    monkeypatch.setattr(cleanup, "client_for", lambda host: api)

    def snapshot(given: Any) -> object:
        turns.append("snapshot")
        return object()

    def restore(given: Any, before: Any) -> list[str]:
        turns.append("restore")
        return []

    def check_synopsis(block: Any) -> list[str]:
        turns.append(f"synopsis {block.line}")
        return []

    def run_block(runner: TranscriptRunner) -> None:
        turns.append(f"block {runner.block.line}")

    monkeypatch.setattr(cleanup, "snapshot", snapshot)
    monkeypatch.setattr(cleanup, "restore", restore)
    monkeypatch.setattr(synopsis, "check_synopsis", check_synopsis)
    monkeypatch.setattr(TranscriptRunner, "run_block", run_block)

    run_without_daemon(str(page)).assert_outcomes(passed=3)
    assert turns == ["snapshot", "synopsis 1", "block 5", "block 10", "restore", "closed"]


def test_a_daemon_that_does_not_answer_fails_each_block_that_runs_with_one_sentence(
    pytester: pytest.Pytester, run_without_daemon: Any, page: Path
) -> None:
    done = run_without_daemon(str(page))
    done.assert_outcomes(passed=1, failed=2)  # the synopsis needs no daemon
    report = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    failed = [b for b in report["blocks"] if b["status"] == "failed"]
    assert [b["line"] for b in failed] == [5, 10]
    for block in failed:
        assert block["reason"].startswith("the Docker daemon at unix:///nowhere does not answer")
        assert block["reason"].endswith(
            "the page cannot start; `make lab` restarts it and removes what was left"
        )
