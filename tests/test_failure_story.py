"""hooks/failure_story.py: a failure as the harness writes it, told on the site in Korean."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks"))
from failure_story import story  # noqa: E402

# docharness/kinds/transcript/runner.py `fail`, everything it may write after the first line.
DETAILS = "\n".join(
    [
        "  likely cause: the image is not in the lab",
        "  $ docker image ls",
        "exit status: 1",
        "first differing line of the page: 14",
        "--- expected (page)",
        "+++ actual",
        "@@ -1,2 +1,2 @@",
        " REPOSITORY   TAG",
        "-nginx        latest",
        "+nginx        1.27",
        "@@ -9,1 +9,1 @@",
        "-x",
        "+y",
        "... and 7 more changed lines not shown",
        "full output: artifacts/outputs/docs__x.md-12.txt",
    ]
)


def test_a_failure_is_told_in_korean_around_its_diff() -> None:
    told = story("docs/x.md:12: output differs from the page", DETAILS, "28.5", "2026-12-02")
    assert "출력이 페이지와 다릅니다 · 도커 엔진 28.5 · 2026-12-02" in told
    assert "명령: <code>$ docker image ls</code> · 종료 코드 1 · 페이지 14번째 줄부터 다름" in told
    assert "추정 원인: the image is not in the lab" in told
    assert "바뀐 줄 7개는 더 있지만 생략했습니다" in told
    assert "+ 실제 출력 (도커 엔진 28.5)" in told
    pre = told[told.index("<pre") :]
    assert " REPOSITORY   TAG\n-nginx        latest\n+nginx        1.27\n⋯\n-x\n+y</pre>" in pre
    for developer_words in ("expected (page)", "+++", "@@", "artifacts/", "docs/x.md"):
        assert developer_words not in told


def test_lines_it_does_not_know_are_shown_as_they_are() -> None:
    told = story(
        "docs/x.md:3: timed out after 60 s", "  $ sleep 99\nsomething new <b>", "28.5", "d"
    )
    assert "timed out after 60 s" in told and "something new &lt;b&gt;" in told
    assert "기대한 출력" not in told  # no diff, no legend
