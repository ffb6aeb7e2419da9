"""The daemon's log lines shown under a failing block: only those written during the block."""

from __future__ import annotations

from pathlib import Path

from docharness import daemonlog


def _log(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lab0.log"
    path.write_text(text, encoding="utf-8")
    return path


def test_only_the_lines_written_since_the_mark_are_shown(tmp_path: Path) -> None:
    log = _log(tmp_path, "before 1\nbefore 2\n")
    start = daemonlog.mark(log)
    with log.open("a", encoding="utf-8") as out:
        out.write("during 1\nduring 2\n")
    assert daemonlog.excerpt(start) == [
        f"the daemon logged while the block ran (all of it, {log}):",
        "  during 1",
        "  during 2",
    ]


def test_a_quiet_daemon_or_no_log_adds_nothing(tmp_path: Path) -> None:
    log = _log(tmp_path, "before\n")
    assert daemonlog.excerpt(daemonlog.mark(log)) == []
    assert daemonlog.excerpt(daemonlog.mark(None)) == []
    assert daemonlog.mark(tmp_path / "missing.log") is None


def test_a_busy_daemon_shows_its_last_lines_each_cut_short(tmp_path: Path) -> None:
    log = _log(tmp_path, "")
    start = daemonlog.mark(log)
    long = "x" * (daemonlog.MAX_WIDTH + 50)
    log.write_text("".join(f"line {n}\n" for n in range(100)) + long + "\n", encoding="utf-8")
    shown = daemonlog.excerpt(start)
    assert shown[0] == f"the daemon logged while the block ran (its last 12 lines, {log}):"
    assert shown[1] == "  line 89"
    assert shown[-1] == "  " + "x" * (daemonlog.MAX_WIDTH - 1) + "…"
    assert len(shown) == 1 + daemonlog.MAX_LINES


def test_a_log_bigger_than_the_tail_read_starts_at_a_whole_line(tmp_path: Path) -> None:
    log = _log(tmp_path, "")
    start = daemonlog.mark(log)
    log.write_text("y" * 70_000 + "\nlast\n", encoding="utf-8")
    lines, more = daemonlog.lines_since(start)
    assert (lines, more) == (["last"], True)
