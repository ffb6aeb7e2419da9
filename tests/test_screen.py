"""Terminal views in-process: recorded byte streams in, final screens out; the comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from docharness.model import ExpectedLine, Size
from docharness.normalise import Bindings, match
from docharness.screen import Emulator, canonical, claims_view, render

FIXTURES = Path(__file__).parent / "fixtures" / "terminal"
# `docker build --no-cache -t hello-py:1.0 hello` on the lab's engine 28.5, on an 80x24 pty.
BUILD = (FIXTURES / "buildkit-build.bin").read_bytes()
# `docker compose up -d` of a db (with a health check) and a web that waits for it.
COMPOSE = (FIXTURES / "compose-up.bin").read_bytes()

LONG_NAME = "[build 4/6] RUN pip install --root-user-action=ignore --target=/python-deps -r req.txt"
BUILD_SCREEN = [
    "[+] Building 1.3s (9/9) FINISHED                                 docker:default",
    " => [internal] load build definition from Dockerfile                       0.0s",
    " => => transferring dockerfile: 175B                                       0.0s",
    " => [internal] load metadata for docker.io/library/python:3.14             0.0s",
    " => [internal] load .dockerignore                                          0.0s",
    " => => transferring context: 2B                                            0.0s",
    " => CACHED [1/4] FROM docker.io/library/python:3.14@sha256:05f351bfa9fde3  0.0s",
    " => [internal] load build context                                          0.0s",
    " => => transferring context: 27B                                           0.0s",
    " => [2/4] RUN useradd --create-home app                                    1.0s",
    " => [3/4] WORKDIR /app                                                     0.0s",
    " => [4/4] COPY app.py .                                                    0.1s",
    " => exporting to image                                                     0.1s",
    " => => exporting layers                                                    0.1s",
    " => => writing image sha256:582a4e612f54476568f9c660e3d43c749b5d835b1f6a0  0.0s",
    " => => naming to docker.io/library/hello-py:1.0                            0.0s",
]


def test_a_buildkit_stream_renders_its_final_screen() -> None:
    # 8.7 kB of redraws (cursor up, rewrite) leave one view: the last frame.
    assert render(BUILD) == BUILD_SCREEN


def test_a_compose_stream_renders_its_final_screen() -> None:
    assert render(COMPOSE) == [
        "[+] Running 3/3",
        " ✔ Network blog_default  Created                                           0.0s",
        " ✔ Container blog-db-1   Healthy                                           2.2s",
        " ✔ Container blog-web-1  Started                                           3.2s",
    ]


def test_a_pull_stream_leaves_one_row_per_layer_in_its_last_state() -> None:
    # `docker pull busybox:latest`: Pulling fs layer, Downloading …, Pull complete, in place
    assert render((FIXTURES / "pull.bin").read_bytes()) == [
        "latest: Pulling from library/busybox",
        "0eb63e611a90: Pull complete",
        "Digest: sha256:38e929152be1b1be9d6ce9396c6c6d0c4137e5cfb875064f448b2ea2fb277960",
        "Status: Downloaded newer image for busybox:latest",
        "docker.io/library/busybox:latest",
    ]


def test_a_stream_cut_mid_way_shows_the_screen_at_that_moment() -> None:
    """What a timed-out command's failure shows: the view still running, a spinner turning."""
    screen = render(COMPOSE[:5000])
    assert screen[0] == "[+] Running 2/3"
    assert screen[2].startswith(" ⠦ Container blog-db-1   Waiting")


def test_lines_scrolled_off_the_screen_are_kept_in_order() -> None:
    data = "".join(f"line {n} 한글\r\n" for n in range(1, 31)).encode()
    assert render(data) == [f"line {n} 한글" for n in range(1, 31)]


def test_a_size_other_than_80x24_wraps_where_that_terminal_does() -> None:
    assert render(b"x" * 30, Size(20, 5)) == ["x" * 20, "x" * 10]


def test_broken_utf8_and_unknown_escapes_are_drawn_never_a_crash() -> None:
    screen = render(b"ok \xff\xfe end\r\n\x1b[?9999z\x1b]999;junk\x07\x1b[38;5;999mtail")
    assert screen[0].startswith("ok ") and screen[0].endswith(" end")
    assert screen[-1] == "tail"


@pytest.mark.parametrize(
    ("lines", "claims"),
    [
        (["[+] Building 2.1s (9/9) FINISHED"], True),
        (["...", "[+] Running 5/5", " ✔ Container blog-db-1  Healthy"], True),
        ([" [+] Pulling 2/2"], True),
        (['#0 building with "default" instance using docker driver'], False),
        ([" Container blog-db-1  Started"], False),
        # node --test's passing test: a check mark, but no terminal view
        (["✔ adds (0.778921ms)"], False),
        (["[+] building"], False),
        # a pull's or push's layer rows in their last states: the terminal's rows
        (["latest: Pulling from library/busybox", "0eb63e611a90: Pull complete"], True),
        (["...", "a1b2c3d4e5f6: Pushed", "0eb63e611a90: Mounted from library/busybox"], True),
        # the plain printer writes the states on the way too
        (["0eb63e611a90: Pulling fs layer", "0eb63e611a90: Pull complete"], False),
        (["a1b2c3d4e5f6: Preparing", "a1b2c3d4e5f6: Pushed"], False),
        (["latest: Pulling from library/busybox", "...", "Digest: sha256:38e9"], False),
    ],
)
def test_a_page_claims_a_view_by_its_header_line(lines: list[str], claims: bool) -> None:
    assert claims_view(lines) is claims


@pytest.mark.parametrize(
    ("page", "real"),
    [
        # BuildKit cuts a long name where the time leaves room: 11.0s takes one more column.
        (
            " => [1/4] FROM docker.io/library/python:3.14@sha256:05f351bfa9fde3e7ff086  0.0s",
            " => [1/4] FROM docker.io/library/python:3.14@sha256:05f351bfa9fde3e7ff08  11.0s",
        ),
        (
            " => " + LONG_NAME[:69] + "  0.4s",  # 79 columns, as BuildKit leaves them
            " => " + LONG_NAME[:68] + "  11.0s",
        ),
        # A cut digest is a shortened digest: any image's matches.
        (
            " => => writing image sha256:582a4e612f54476568f9c660e3d43c749b5d835b1f6a0  0.0s",
            " => => writing image sha256:b1d701b066119b54bc4e58ecb53e96b9b4c60d3d54cb2  0.1s",
        ),
        # Spinner glyphs are one glyph; times are durations.
        (" ⠙ Container blog-db-1   Waiting    1.6s", " ⠦ Container blog-db-1   Waiting    2.0s"),
        ("[+] Building 0.4s (9/9) FINISHED", "[+] Building 12.3s (9/9) FINISHED"),
    ],
)
def test_what_the_width_and_the_clock_decide_matches(page: str, real: str) -> None:
    expected = [ExpectedLine(canonical(page), 3)]
    assert match(expected, [canonical(real)], Bindings()) is None


@pytest.mark.parametrize(
    ("page", "real"),
    [
        (" => [2/4] RUN useradd --create-home app   0.4s", " => [2/4] RUN useradd -m app   0.4s"),
        (" => [2/4] RUN useradd app   0.4s", " => CACHED [2/4] RUN useradd app   0.4s"),
        (" ✔ Container blog-db-1  Healthy  2.0s", " ✔ Container blog-db-1  Started  2.0s"),
        (" ✔ Container blog-db-1  Healthy  2.0s", " ✘ Container blog-db-1  Healthy  2.0s"),
        ("[+] Building 0.4s (9/9) FINISHED", "[+] Building 0.4s (8/9)"),
        # a name short enough never to be cut is compared whole
        (
            " => [1/4] FROM docker.io/library/python:3.14@sha256:05f351bf  0.0s",
            " => [1/4] FROM docker.io/library/python:3.14@sha256:0123abcd  0.0s",
        ),
    ],
)
def test_what_the_program_decides_is_checked(page: str, real: str) -> None:
    expected = [ExpectedLine(canonical(page), 3)]
    assert match(expected, [canonical(real)], Bindings()) is not None


def test_a_planted_wrong_row_is_named_by_its_page_line() -> None:
    page = [ExpectedLine(canonical(text), 10 + n) for n, text in enumerate(BUILD_SCREEN)]
    page[9] = ExpectedLine(canonical(" => [2/4] RUN useradd --create-home nobody   0.4s"), 19)
    mismatch = match(page, [canonical(line) for line in render(BUILD)], Bindings())
    assert mismatch is not None and mismatch.line == 19
    assert "- => [2/4] RUN useradd --create-home nobody" in mismatch.diff


def test_rows_out_of_order_do_not_match() -> None:
    rows = [canonical(line) for line in render(BUILD)]
    swapped = rows[:9] + [rows[10], rows[9]] + rows[11:]
    page = [ExpectedLine(text, n) for n, text in enumerate(swapped)]
    assert match(page, rows, Bindings()) is not None


def test_bytes_fed_as_they_come_draw_the_same_screen() -> None:
    """The pty is read in chunks that may split a character or an escape sequence."""
    emulator = Emulator()
    for index in range(len(COMPOSE)):
        emulator.feed(COMPOSE[index : index + 1])
    assert emulator.lines() == render(COMPOSE)
    korean = Emulator()
    for byte in "✔ 한글 줄\r\n".encode():
        korean.feed(bytes([byte]))
    assert korean.lines() == ["✔ 한글 줄"]
