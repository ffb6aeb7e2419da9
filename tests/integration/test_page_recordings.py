"""Sample pages' recordings against the lab: an `-it` session replays what was typed into it,
a terminal view's bytes are the pty's, and a recording that cannot be written leaves the
block's result standing and is named as missing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docharness.interactive import clean
from docharness.recording import STAGING

PAGES = "tests/integration/pages"


def events(cast: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    header, *lines = cast.read_text(encoding="utf-8").splitlines()
    return json.loads(header), [json.loads(line) for line in lines]


def recording_of(result: Any, line: int) -> Path:
    """The block's recording as its record names it, beside the run's report."""
    block = next(b for b in result.report["blocks"] if b["line"] == line)
    assert block["recording"], block
    return Path(result.artifacts).parent / block["recording"]


def test_an_it_sessions_recording_replays_the_typed_commands(run_page: Any) -> None:
    result = run_page("right_interactive.md")
    assert result.status == 0, result.output
    header, timed = events(recording_of(result, 3))
    assert header["version"] == 2 and header["title"] == f"{PAGES}/right_interactive.md:3"
    times = [event[0] for event in timed]
    assert times == sorted(times)
    played = "".join(event[2] for event in timed)
    shown = clean(played)  # the text a terminal leaves, without bash's escape sequences
    # The host prompt and command, then the container's own prompt (a real ID, not the
    # page's 328d830cc003) and each line typed into it with its output.
    assert shown.startswith("$ echo $$\n")
    assert "$ docker run -it --network none --name it-test1 harness-test:latest bash\n" in shown
    assert ":/# echo $$\n1\n" in shown, shown
    assert ":/# hostname\n" in shown, shown
    # The host's commands drew meanwhile: the session's prompt again, on its own line.
    assert "\nit-test1\nroot@" in shown and ":/# exit\n" in shown, shown
    assert ":/# $ " not in shown, shown  # nor a host prompt after the session's
    assert shown.endswith("$ docker rm it-test1\nit-test1\n"), shown
    assert "328d830cc003" not in shown  # the real container's ID, as the reader's terminal
    # What was typed into the session plays key by key, not in the one read it came back in.
    keys = "".join(event[2] if len(event[2]) == 1 else "|" for event in timed)
    assert "hostnam" in keys, keys
    # `docker attach`: the prompt the shell redraws as docker resizes its terminal, and the
    # typed line right on it, as the page and a reader's terminal show: no Enter pressed for
    # a prompt (an empty line, a second prompt), and the line's output under it.
    _, timed = events(recording_of(result, 24))
    shown = clean("".join(event[2] for event in timed))
    attached = re.compile(
        r"\$ docker attach container-test1\nroot@\w+:/# echo attached\nattached\n"
    )
    assert attached.search(shown), shown


def test_a_terminal_views_recording_is_the_ptys_byte_stream(run_page: Any) -> None:
    result = run_page("terminal_build.md")
    assert result.status == 0, result.output
    blocks = [b for b in result.report["blocks"] if b["status"] == "passed"]
    assert blocks and all(b["recording"] for b in blocks), blocks
    header, timed = events(recording_of(result, blocks[0]["line"]))
    # The page's 80x24 (wider when a typed line is: the terminal's view does not wrap).
    assert header["height"] == 24 and header["width"] >= 80
    played = "".join(event[2] for event in timed)
    assert "FINISHED" in played and "\x1b[" in played  # the terminal view, redraws and all


def test_an_unwritable_recording_leaves_the_result_and_is_named_missing(
    run_page: Any, tmp_path: Path
) -> None:
    # Where the run stages its recordings, beside the report, a file stands in the way.
    (tmp_path / STAGING).write_text("a file where the folder should be\n")
    result = run_page("right_basic.md")
    assert result.status == 0, result.output
    ran = [b for b in result.report["blocks"] if b["kind"] == "transcript"]
    assert ran and all(b["status"] == "passed" and b["recording"] is None for b in ran), ran
    page = f"{PAGES}/right_basic.md"
    for block in ran:
        assert f"recording missing {page}:{block['line']}: " in result.output, result.output
