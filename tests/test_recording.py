"""A block's recording (asciicast v2): sample streams in, the cast text out; the arrival times
the page shell and the terminal give it; a session's typed password never in it."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from contracts.report import recording_path, recordings_folder_name
from docharness.interactive import Login, Session
from docharness.model import Size
from docharness.recording import (
    COALESCE,
    IDLE,
    STAGING,
    STEP_BYTES,
    TYPING,
    Recorder,
    pieces,
    publish,
    staging_folder,
)
from docharness.shell import PageShell
from docharness.terminal import run_on_terminal


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def recorder(**options: Any) -> tuple[Recorder, Clock]:
    clock = Clock()
    return Recorder("docs/page.md:12", clock=clock, **options), clock


def parsed(cast: str) -> tuple[dict[str, Any], list[list[Any]]]:
    header, *events = cast.splitlines()
    return json.loads(header), [json.loads(line) for line in events]


def played(events: list[list[Any]]) -> str:
    return "".join(event[2] for event in events)


def test_the_header_is_asciicast_v2_with_only_its_own_keys() -> None:
    rec, _ = recorder(size=Size(100, 30))
    header, events = parsed(rec.cast(timestamp=1765000000))
    assert header == {
        "version": 2,
        "width": 100,
        "height": 30,
        "timestamp": 1765000000,
        "title": "docs/page.md:12",
        "env": {"TERM": "xterm-256color", "SHELL": "/bin/bash"},
    }
    assert events == []


def test_the_command_is_typed_then_the_output_comes_at_its_times() -> None:
    rec, clock = recorder()
    rec.command("~ $ ", "ls")
    rec.output(clock.now + 0.5, b"a\nb\n", pipe=True)
    rec.output(clock.now + 1.5, b"c\n", pipe=True)
    _, events = parsed(rec.cast())
    assert [e[2] for e in events] == ["~ $ ", "l", "s", "\r\n", "a\r\nb\r\n", "c\r\n"]
    times = [e[0] for e in events]
    assert all(e[1] == "o" for e in events)
    assert times == sorted(times)
    assert times[1] - times[0] == pytest.approx(TYPING)
    typed = times[3]
    # The output keeps its own pace after the typing: 0.5 s, then a second later.
    assert times[4] - typed == pytest.approx(0.5, abs=0.01)
    assert times[5] - times[4] == pytest.approx(1.0, abs=0.01)


def test_a_multi_line_command_shows_bashs_continuation_prompt() -> None:
    rec, _ = recorder()
    rec.command("$ ", "echo a \\\nb")
    assert played(parsed(rec.cast())[1]) == "$ echo a \\\r\n> b\r\n"


def test_long_pauses_are_cut_and_times_never_go_back() -> None:
    rec, clock = recorder()
    rec.output(clock.now + 1.0, "one ")
    rec.output(clock.now + 31.0, "two ")  # `sleep 30`
    rec.output(clock.now + 20.0, "late")  # a reading older than the last: not before it
    _, events = parsed(rec.cast())
    times = [e[0] for e in events]
    assert times == sorted(times)
    assert all(
        later - earlier <= IDLE + 1e-9 for earlier, later in zip(times, times[1:], strict=False)
    )
    assert played(events) == "one two late"


def test_events_closer_than_a_frame_are_one() -> None:
    rec, clock = recorder()
    rec.output(clock.now + 1.0, "a")
    rec.output(clock.now + 1.0 + COALESCE / 2, "b")
    rec.output(clock.now + 2.0, "c")
    assert [e[2] for e in parsed(rec.cast())[1]] == ["ab", "c"]


def test_a_huge_output_is_cut_with_a_visible_line_and_the_next_step_starts_afresh() -> None:
    rec, clock = recorder()
    rec.command("$ ", "seq 1000000")
    for _ in range(100):
        rec.output(clock.now, b"x" * 10_000 + b"\n", pipe=True)
    rec.command("$ ", "echo done")
    rec.output(clock.now, b"done\n", pipe=True)
    cast = rec.cast()
    text = played(parsed(cast)[1])
    cut = 100 * 10_001 - STEP_BYTES
    assert f"출력이 길어 녹화에서 {cut:,}바이트를 생략했습니다" in text
    assert text.endswith("$ echo done\r\ndone\r\n")  # the next step is whole
    assert len(cast.encode()) < STEP_BYTES * 1.2


def test_a_long_steps_start_and_end_are_kept_around_the_cut_whole_redraws_and_all() -> None:
    rec, clock = recorder()
    rec.command("$ ", "docker build .")
    frames = [
        (clock.now + n, f"\x1b[2A[+] Building {n:03d}/300 ".encode() * 100) for n in range(300)
    ]
    rec.chunks(frames, drawn=True)
    text = played(parsed(rec.cast())[1])
    frame = len(frames[0][1])
    kept = STEP_BYTES // 2 // frame  # whole frames on each side of the cut
    cut = (300 - 2 * kept) * frame
    head, _, tail = text.partition(f"[… 출력이 길어 녹화에서 {cut:,}바이트를 생략했습니다 …]")
    assert tail, text[-300:]
    assert head.count("[+] Building") == kept * 100 and "Building 000/300" in head
    assert tail.count("[+] Building") == kept * 100
    assert tail.endswith(frames[-1][1].decode())  # the last frame: the final screen


def test_one_huge_read_keeps_its_first_and_last_bytes() -> None:
    rec, clock = recorder()
    data = "가".encode() * 1_000_000 + b"END!\n"  # one read, three-byte characters throughout
    rec.chunks([(clock.now, data)], pipe=True)
    rec.stop()
    text = played(parsed(rec.cast())[1])
    assert text.startswith("가" * 100) and text.endswith("가가END!\r\n")
    assert "\ufffd" not in text.rpartition("…]")[2]  # no half character after the cut
    assert len(text.encode()) < STEP_BYTES * 1.1


def test_a_secret_never_enters_the_cast_even_split_over_two_reads() -> None:
    secret = "hunter2-Zx9"
    rec, clock = recorder(secrets=(secret,))
    rec.command("$ ", f"echo {secret}")
    rec.output(clock.now, b"hunter2", pipe=True)
    rec.output(clock.now + 1, b"-Zx9\n", pipe=True)
    cast = rec.cast()
    assert secret not in cast
    assert "hunter2" not in cast  # no part of it, where it was split
    assert played(parsed(cast)[1]) == f"$ echo {'*' * 11}\r\n{'*' * 11}\r\n"


def test_broken_utf8_is_replaced_and_a_character_split_between_reads_is_whole() -> None:
    rec, clock = recorder()
    han = "한".encode()
    rec.output(clock.now, b"\xff\xfe ok " + han[:1], pipe=True)
    rec.output(clock.now + 1, han[1:] + b"\n", pipe=True)
    rec.command("$ ", "true")  # a step's last bytes, cut mid-character, end its output
    rec.output(clock.now + 2, han[:2], pipe=True)
    rec.stop()
    text = played(parsed(rec.cast())[1])
    assert text.startswith("\ufffd\ufffd ok 한\r\n$ true\r\n")
    assert text.endswith("\ufffd")


def test_a_sessions_echo_of_a_typed_line_is_played_key_by_key() -> None:
    rec, clock = recorder()
    rec.typed_into_session("ls")
    rec.output(clock.now + 0.1, "ls\r\nbin  etc\r\nroot@1:/# ")
    _, events = parsed(rec.cast())
    # What the terminal sent back in one read plays key by key; the output with the Enter.
    assert [e[2] for e in events] == ["l", "s\r", "\nbin  etc\r\nroot@1:/# "]
    assert [e[0] for e in events] == pytest.approx([0.1 + TYPING * n for n in (1, 2, 3)])
    # Later output keeps its pace after the inserted typing.
    rec.output(clock.now + 1.1, "more")
    assert parsed(rec.cast())[1][-1][0] == pytest.approx(1.1 + 3 * TYPING)


def test_nothing_after_stop_is_recorded() -> None:
    rec, clock = recorder()
    rec.output(clock.now, "shown")
    rec.stop()
    rec.output(clock.now, "exit\r\n")  # the harness closing a session
    rec.command("$ ", "teardown")
    assert played(parsed(rec.cast())[1]) == "shown"


def test_the_width_follows_the_widest_plain_line_up_to_the_page_shells() -> None:
    rec, clock = recorder()
    rec.output(clock.now, "x" * 120 + "\n", pipe=True)
    assert parsed(rec.cast())[0]["width"] == 120
    rec.output(clock.now, "가" * 150 + "\n", pipe=True)  # wide characters: two columns each
    assert parsed(rec.cast())[0]["width"] == 200
    drawn, _ = recorder()
    drawn.output(clock.now, "\x1b[34m" * 50 + "row\r\n", drawn=True)  # a pty's: not measured
    assert parsed(drawn.cast())[0]["width"] == 80


def test_it_is_written_whole_or_raises(tmp_path: Path) -> None:
    rec, clock = recorder()
    rec.output(clock.now, "hi")
    target = tmp_path / "recordings" / "page" / "12.cast"
    rec.write(target)
    assert target.read_text(encoding="utf-8") == rec.cast(
        parsed(target.read_text())[0]["timestamp"]
    )
    assert [p.name for p in target.parent.iterdir()] == ["12.cast"]  # no partial file left
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(OSError):
        rec.write(blocked / "page" / "12.cast")


def test_pieces_cut_the_bytes_where_they_arrived() -> None:
    assert list(pieces(b"abcdef", [(1.0, 0), (2.0, 2), (3.0, 2), (4.0, 6)])) == [
        (2.0, b"ab"),
        (4.0, b"cdef"),
    ]
    assert list(pieces(b"abc", [(1.0, 1)])) == [(1.0, b"a"), (1.0, b"bc")]


def test_each_report_has_its_own_recordings_folder() -> None:
    assert recordings_folder_name(Path("report/test-report.json")) == "recordings"
    assert recordings_folder_name(Path("report/partial-report.json")) == "partial-report-recordings"
    assert recordings_folder_name(Path("report/engines/bookworm.json")) == "bookworm-recordings"
    assert recording_path("docs/a/b.md", 7) == "recordings/a/b/7.cast"
    assert recording_path("docs/a/b.md", 7, "x") == "x/a/b/7.cast"


def test_a_runs_stage_replaces_the_recordings_at_once(tmp_path: Path) -> None:
    target = tmp_path / "recordings"
    (target / "old-page").mkdir(parents=True)
    (target / "old-page" / "3.cast").write_text("{}\n")  # a block that went away
    stage = staging_folder(tmp_path)
    assert stage.parent == tmp_path / STAGING
    (stage / "page").mkdir(parents=True)
    (stage / "page" / "12.cast").write_text("{}\n")
    publish(stage, target)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*.cast")) == [
        "page/12.cast"
    ]
    assert not (tmp_path / STAGING).exists()  # nothing left behind
    publish(staging_folder(tmp_path), target)  # a run that recorded nothing leaves none
    assert list(target.iterdir()) == []


def test_the_page_shell_says_when_each_part_of_the_output_came(tmp_path: Path) -> None:
    shell = PageShell(tmp_path, "unix:///nonexistent.sock")
    try:
        started = time.monotonic()
        result = shell.run("echo one; sleep 0.5; echo two")
        parts = list(pieces(result.raw, result.arrivals))
        assert b"".join(data for _, data in parts) == b"one\ntwo\n"
        first = next(at for at, data in parts if b"one" in data)
        second = next(at for at, data in parts if b"two" in data)
        assert started <= first and second - first >= 0.4
    finally:
        shell.close()


def test_the_terminal_says_when_each_part_of_its_bytes_came(tmp_path: Path) -> None:
    shell = PageShell(tmp_path, "unix:///nonexistent.sock")
    try:
        drawn = run_on_terminal(shell, "printf 'a\\n'; sleep 0.5; printf 'b\\n'", 10, Size())
        parts = list(pieces(drawn.data, drawn.arrivals))
        assert b"".join(data for _, data in parts) == b"a\r\nb\r\n"
        assert parts[-1][0] - parts[0][0] >= 0.4
    finally:
        shell.close()


FAKE_LOGIN = """#!/usr/bin/env python3
import getpass, sys
if sys.argv[1:2] == ["login"]:
    secret = getpass.getpass("Password: ")  # the terminal's echo is off while it reads
    print("Login Succeeded" if secret == "s3cret-pw" else "wrong")
"""


def test_a_password_typed_into_a_session_is_not_echoed_into_its_recording(
    tmp_path: Path,
) -> None:
    program = tmp_path / "bin" / "docker"
    program.parent.mkdir()
    program.write_text(FAKE_LOGIN)
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": f"{program.parent}:{os.environ['PATH']}", "HOME": str(tmp_path)}
    rec = Recorder("docs/page.md:1")  # no secrets to hide: only the echo could leak it
    rec.command("~ $ ", "docker login -u me")
    session = Session(
        "docker login -u me",
        tmp_path,
        env,
        timeout=10,
        login=Login("me", "s3cret-pw"),
        listener=rec.output,
    )
    try:
        assert "Login Succeeded" in session.start()
    finally:
        session.close()
    text = played(parsed(rec.cast())[1])
    assert "Password: " in text and "Login Succeeded" in text
    assert "s3cret-pw" not in text


# ---- the transcript kind records its block (no daemon: the steps only use the page shell) ----


def run_block(tmp_path: Path, source: str, stage: Path | None) -> Any:
    from docharness.daemon import Daemon
    from docharness.kinds.transcript.runner import TranscriptRunner
    from docharness.model import CodeBlock
    from docharness.page import ROOT, PageRun
    from docharness.transcript import parse_transcript

    block = CodeBlock(
        ROOT / "docs" / "recorded.md", 3, 9, "console", "console", source, "transcript"
    )
    block.steps = parse_transcript(block)
    workdir = tmp_path / "page"
    workdir.mkdir()
    daemon = Daemon("unix:///nonexistent.sock", "lab", "me", "pw-Secret-42")
    page = PageRun(block.path, workdir, daemon, recording_stage=stage)
    try:
        TranscriptRunner(page, block, page.shell).run_block()
    finally:
        page.shell.close()
    return page


def test_a_transcript_block_writes_its_recording_into_the_runs_stage(tmp_path: Path) -> None:
    source = "$ echo one; sleep 0.3; echo two\none\ntwo\n$ echo 'pw-Secret-42'\npw-Secret-42\n"
    page = run_block(tmp_path, source, tmp_path / "stage")
    # Named as in the complete report's folder; the run renames it for another report.
    assert page.recordings == {3: "recordings/recorded/3.cast"} and page.unrecorded == {}
    header, events = parsed((tmp_path / "stage" / "recorded" / "3.cast").read_text())
    assert header["title"] == "docs/recorded.md:3"
    text = played(events)
    assert text.startswith("$ echo one; sleep 0.3; echo two\r\none\r\ntwo\r\n$ echo '")
    assert "pw-Secret-42" not in text and "*" * 12 in text  # the lab's login password
    one = next(e[0] for e in events if "one" in e[2] and not e[2].startswith("$"))
    two = next(e[0] for e in events if e[2].startswith("two"))
    assert two - one >= 0.25  # the output's own pace


def test_a_recording_that_cannot_be_written_leaves_the_blocks_result(tmp_path: Path) -> None:
    (tmp_path / "stage").write_text("a file where the folder should be\n")
    page = run_block(tmp_path, "$ echo hi\nhi\n", tmp_path / "stage")  # passes: no OSError
    assert page.recordings == {}
    assert page.unrecorded[3].startswith(("NotADirectoryError", "FileExistsError")), page.unrecorded


def test_a_page_without_a_stage_records_nothing(tmp_path: Path) -> None:
    page = run_block(tmp_path, "$ echo hi\nhi\n", None)
    assert page.recordings == {} and page.unrecorded == {}
