"""`make test-repeat` (docharness.repeat): it reads pytest's summary and stops at a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from docharness import repeat


def test_counts_come_from_the_summary_line() -> None:
    output = "tests/x.py ..F\n2 passed here\n== 1 failed, 12 passed, 2 skipped in 3.2s ==\n"
    assert repeat.counts(output) == {"failed": 1, "passed": 12, "skipped": 2}
    assert repeat.counts("no summary\n") == {}


def test_the_first_failing_run_stops_the_repeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run 1 passes, run 2 fails: there is no run 3, and the failing test is named."""
    (tmp_path / "test_flaky.py").write_text(
        "import pathlib\n"
        "def test_second_time_fails():\n"
        "    mark = pathlib.Path(__file__).with_name('ran')\n"
        "    assert not mark.exists()\n"
        "    mark.touch()\n"
    )
    monkeypatch.chdir(tmp_path)
    status = repeat.main(["--runs", "3", "--workers", "1", "--load", "1", "test_flaky.py"])
    out = capsys.readouterr().out
    assert status == 1
    assert "run 1: ok" in out and "run 2: FAILED" in out and "run 3" not in out
    assert "FAILED test_flaky.py::test_second_time_fails" in out
    assert (tmp_path / "artifacts" / "repeat" / "run-2.log").is_file()
