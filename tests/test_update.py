"""Rewriting expected output from a real run, on text taken from the notes."""

from pathlib import Path

import pytest

from docharness.fences import parse_page
from docharness.model import ExpectedLine, HarnessError, ScreenLines
from docharness.normalise import Bindings, match
from docharness.update import rewrite, unified_diff, update_blocks, update_text

PAGE = Path("docs/image-commands.md")

L = "14cd969708a3853b713c5260aff4f49659fd3a14ddca25ddb5f607b3fa31e704"
TEXT = f"""\
<!-- test: timeout 300 -->
```shell
$ docker pull mysql:5.7

# docker image save 명령어를 이용해 이미지를 tar 파일로 저장
$ docker image save mysql:5.7 > test-mysql57.tar
$ ls -lh test-mysql57.tar
total 428M
-rw-rw-r-- 1 yonghwan yonghwan 428M  2월 23 23:51 test-mysql57.tar

# 묶인 파일 내용을 확인
$ tar tvf test-mysql57.tar
drwxr-xr-x 0/0               0 2023-01-18 15:01 {L}/
-rw-r--r-- 0/0               3 2023-01-18 15:01 {L}/VERSION
...
```
"""

LAYER = "ab" * 32
TAR_REAL = [
    f"drwxr-xr-x 0/0               0 2024-05-01 09:12 {LAYER}/",
    f"-rw-r--r-- 0/0               3 2024-05-01 09:12 {LAYER}/VERSION",
    f"-rw-r--r-- 0/0            1202 2024-05-01 09:12 {LAYER}/json",
    "-rw-r--r-- 0/0             100 2024-05-01 09:12 repositories",
]


def steps_by_line(text: str) -> dict[int, str]:
    return {s.line: s.command for b in parse_page(PAGE, text) for s in b.steps}


def test_matching_output_is_left_as_written() -> None:
    blocks = parse_page(PAGE, TEXT)
    outputs = {
        7: ["-rw-rw-r-- 1 root root 131M Nov 27 22:40 test-mysql57.tar"],
        12: TAR_REAL,
    }
    new = update_text(TEXT, blocks, outputs, Bindings())
    # ls printed no `total` line (a single file): only that line goes; tar still matches.
    assert unified_diff(TEXT, new, PAGE).splitlines() == [
        "--- a/docs/image-commands.md",
        "+++ b/docs/image-commands.md",
        "@@ -5,7 +5,6 @@",
        " # docker image save 명령어를 이용해 이미지를 tar 파일로 저장",
        " $ docker image save mysql:5.7 > test-mysql57.tar",
        " $ ls -lh test-mysql57.tar",
        "-total 428M",
        " -rw-rw-r-- 1 yonghwan yonghwan 428M  2월 23 23:51 test-mysql57.tar",
        " ",
        " # 묶인 파일 내용을 확인",
    ]


def test_a_line_that_differs_is_replaced_by_the_real_one() -> None:
    ls = parse_page(PAGE, TEXT)[0].steps[2]
    real = ["-rw-r--r-- 1 root root 131M Nov 27 22:40 test-mysql57.tar"]
    assert rewrite(ls.expected, real, Bindings()) == real


def test_ellipsis_stays_and_changed_lines_are_replaced() -> None:
    blocks = parse_page(PAGE, TEXT)
    tar = blocks[0].steps[3]
    real = ["-rw-r--r-- 0/0            3 2024-05-01 09:12 manifest.json", *TAR_REAL[1:]]
    bindings = Bindings()
    new = rewrite(tar.expected, real, bindings)
    assert new == [
        "-rw-r--r-- 0/0            3 2024-05-01 09:12 manifest.json",
        tar.expected[1].text,
        "...",
    ]


def test_a_terminal_screen_that_changed_keeps_its_ellipsis() -> None:
    """A screen is aligned like other output: its `...` absorbs the rows the page leaves out
    (the 2026-12-07 update wrote screens whole, losing the author's `...`)."""
    page = [ExpectedLine("[+] Building 0.4s (2/2) FINISHED", 7), ExpectedLine("...", 8)]
    screen = ["[+] Building 1.6s (7/7) FINISHED", " => [1/3] FROM docker.io/library/x  0.0s"]
    assert rewrite(page, ScreenLines(screen), Bindings()) == [screen[0], "..."]
    matching = [ExpectedLine("[+] Building 0.4s (7/7) FINISHED", 7), ExpectedLine("...", 8)]
    assert rewrite(matching, ScreenLines(screen), Bindings()) == [e.text for e in matching]


def test_new_output_goes_after_the_command_and_bound_values_are_written_as_the_page_shows() -> None:
    page_id = "328d830cc003" + "1" * 52
    text = (
        "```shell\n"
        "$ docker run -d --name web \\\n"
        "    nginx\n"
        "$ docker ps -q --no-trunc\n"
        f"{page_id}\n"
        "$ docker rm -f web\n"
        "328d830cc003\n"
        "```\n"
    )
    blocks = parse_page(PAGE, text)
    real_id = "9f3c1e2d4b5a" + "0" * 52
    bindings = Bindings()
    assert match(blocks[0].steps[1].expected, [real_id], bindings) is None
    outputs = {2: [real_id], 6: ["web", ""]}
    new = update_text(text, blocks, outputs, bindings)
    assert new == (
        "```shell\n"
        "$ docker run -d --name web \\\n"
        "    nginx\n"
        f"{page_id}\n"
        "$ docker ps -q --no-trunc\n"
        f"{page_id}\n"
        "$ docker rm -f web\n"
        "web\n"
        "```\n"
    )
    assert steps_by_line(new)[5] == "docker ps -q --no-trunc"


def test_output_that_disappeared_is_removed_and_indentation_kept() -> None:
    text = (
        '=== "CLI"\n'
        "\n"
        "    ```shell\n"
        "    $ docker image rm ubuntu\n"
        "    Error response from daemon: No such image: ubuntu:latest\n"
        "    $ docker images -q\n"
        "    ```\n"
    )
    blocks = parse_page(PAGE, text)
    outputs = {4: ["Untagged: ubuntu:latest", "Deleted: sha256:" + "c" * 64], 6: []}
    assert update_text(text, blocks, outputs, Bindings()) == (
        '=== "CLI"\n'
        "\n"
        "    ```shell\n"
        "    $ docker image rm ubuntu\n"
        "    Untagged: ubuntu:latest\n"
        f"    Deleted: sha256:{'c' * 64}\n"
        "    $ docker images -q\n"
        "    ```\n"
    )


def test_after_an_update_the_page_matches_its_run() -> None:
    blocks = parse_page(PAGE, TEXT)
    real = ["drwxr-xr-x 0/0 0 2024-05-01 09:12 x/", "lrwxrwxrwx 0/0 0 2024-05-01 09:12 y"]
    new = update_text(TEXT, blocks, {12: real}, Bindings())
    tar = parse_page(PAGE, new)[0].steps[3]
    assert [e.text for e in tar.expected][-1] == "..."
    assert match(tar.expected, real, Bindings()) is None
    assert new.replace("\n".join(e.text for e in tar.expected), "") == TEXT.replace(
        "\n".join(e.text for e in blocks[0].steps[3].expected), ""
    )
    assert unified_diff(TEXT, TEXT, PAGE) == ""


def test_output_in_a_blockquote_keeps_its_markers() -> None:
    text = "> ```console\n> $ printf 'a\\n\\nb\\n'\n> x\n> ```\n"
    blocks = parse_page(PAGE, text)
    new = update_text(text, blocks, {2: ["a", "", "b"]}, Bindings())
    assert new == "> ```console\n> $ printf 'a\\n\\nb\\n'\n> a\n> b\n> ```\n"
    assert [b.steps[0].command for b in parse_page(PAGE, new)] == ["printf 'a\\n\\nb\\n'"]


SYNTAX = """\
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

- 목록 안:

    ```console
    $ echo fine
    old
    ```
"""


def test_output_the_page_would_read_back_as_syntax_is_refused_naming_the_line() -> None:
    """U11 of the 2026-12-07 red team: a printed `$ ` line became a command that the next
    update ran, a printed fence closed the block, a printed `# ` line became a comment."""
    blocks = parse_page(PAGE, SYNTAX)
    outputs = {
        2: ["line one", "$ touch INJECTED"],
        7: ["a", "```", "b"],
        12: ["# not a comment"],
        18: ["fine"],
    }
    new, refused = update_blocks(SYNTAX, blocks, outputs, Bindings())
    # The three blocks stay as they were; the fine one (in a list item) is updated.
    assert new == SYNTAX.replace("    old\n", "    fine\n")
    assert [r.line for r in refused] == [2, 7, 12]
    assert "would read back as a command (it starts with a prompt): '$ touch INJECTED'" in (
        refused[0].reason
    )
    assert "as a code fence (it would end the block): '```'" in refused[1].reason
    assert "as a comment: '# not a comment'" in refused[2].reason
    assert all("this block was not updated" in r.reason for r in refused)
    # The library's one-shot form raises, naming file:line.
    with pytest.raises(HarnessError, match=rf"^{PAGE}:2: `printf 'line one"):
        update_text(SYNTAX, blocks, outputs, Bindings())


def test_hash_lines_that_read_back_as_output_are_written() -> None:
    text = "```console\n$ docker build .\nold\n$ true\n```\n"
    blocks = parse_page(PAGE, text)
    real = ["#1 [internal] load", "# a comment in the middle", "#2 DONE 0.1s"]
    new, refused = update_blocks(text, blocks, {2: real}, Bindings())
    assert refused == []
    assert new == "```console\n$ docker build .\n" + "\n".join(real) + "\n$ true\n```\n"


def test_the_update_diff_cuts_a_huge_line() -> None:
    """X7: the terminal summary's diff showed a 50 MB line whole."""
    diff = unified_diff("a\nold\n", "a\n" + "x" * 1_000_000 + "\n", PAGE)
    assert len(diff) < 1_000
    assert "+" + "x" * 300 + "… (999,700 more characters)" in diff.split("\n")


def test_an_unordered_block_keeps_its_lines_when_they_came_in_another_order() -> None:
    # The 2026-12-07 store run: update mode wrote a passing `unordered` block in the run's order.
    page = [ExpectedLine("C /run", 5), ExpectedLine("A /run/nginx.pid", 6)]
    real = ["A /run/nginx.pid", "C /run"]
    assert rewrite(page, real, Bindings(), any_order=True) == ["C /run", "A /run/nginx.pid"]
    assert rewrite(page, real, Bindings()) == real


# The 2026-12-07 update of docs/dockerfile.md: three defects, each reproduced here first.

OLD_IMAGE = "ec853f9311b78b470822c70d6d8a6ce46d74683929bcc28467dfcc2d28481b6f"
NEW_IMAGE = "bd63587b17f3e257679282e969ae5b0a3e0759e155e58c1fe55f6a44b7266c90"
BUILD_PAGE = [
    "[+] Building 0.0s (9/9) FINISHED                                 docker:default",
    " => [internal] load build definition from Dockerfile                       0.0s",
    "...",
    " => [4/4] COPY app.py .                                                    0.0s",
    f" => => writing image sha256:{OLD_IMAGE[:45]}  0.0s",
    " => => naming to docker.io/library/hello-py:1.1                            0.0s",
]
BUILD_SCREEN = [
    "[+] Building 0.2s (9/9) FINISHED                                 docker:default",
    " => [internal] load build definition from Dockerfile                       0.0s",
    " => => transferring dockerfile: 188B                                       0.0s",
    " => [internal] load metadata for docker.io/library/python:3.14             0.0s",
    " => CACHED [2/4] RUN useradd --create-home app                             0.0s",
    " => [4/4] COPY app.py .                                                    0.1s",
    f" => => writing image sha256:{NEW_IMAGE[:45]}  0.0s",
    " => => naming to docker.io/library/hello-py:1.2                            0.0s",
]


def lines_of(texts: list[str], first: int = 10) -> list[ExpectedLine]:
    return [ExpectedLine(text, first + n) for n, text in enumerate(texts)]


def test_a_screen_keeps_its_ellipsis_and_only_the_rows_that_differ_are_rewritten() -> None:
    """Defect 1: a changed screen was written whole, losing the author's `...`. The digest row
    matches as the harness compares screens (the cut digest is a shortened one): kept."""
    new = rewrite(lines_of(BUILD_PAGE), ScreenLines(BUILD_SCREEN), Bindings())
    assert new == [*BUILD_PAGE[:5], BUILD_SCREEN[-1]]


def test_a_rewritten_row_shows_the_value_the_page_shows_for_the_same_object() -> None:
    """Defect 2: a rewritten row showed this run's digest (cut by the screen) while a kept line
    elsewhere showed the page's (another run's) digest for the same image."""
    page = [*BUILD_PAGE[:4], f" => => writing image sha256:{OLD_IMAGE[:45]}  0.0s"]
    screen = [*BUILD_SCREEN[:6], f" => => writing image sha256:{NEW_IMAGE[:37]} done  0.0s"]
    deleted = Bindings({f"sha256:{OLD_IMAGE}": f"sha256:{NEW_IMAGE}"})  # `Deleted:` later on
    new = rewrite(lines_of(page), ScreenLines(screen), deleted)
    assert new[-1] == f" => => writing image sha256:{OLD_IMAGE[:37]} done  0.0s"


MIXED = """\
```console
$ docker images -q hello
1186f936b8a9
$ docker image inspect -f '{{.Id}} {{.Os}}' hello
windows
```
"""


def test_a_value_the_page_cannot_show_as_its_own_refuses_the_block() -> None:
    """Defect 2: the page shows only the short form of the image's (older) ID; this run printed
    the long one. Written, the line was `sha256:1186f936b8a9` + this run's other 52 digits: no
    run's ID at all. The block is refused, naming the step and the page's line."""
    real = "9f3c1e2d4b5a" + "7" * 52
    blocks = parse_page(PAGE, MIXED)
    bindings = Bindings({"1186f936b8a9": real[:12]})
    outputs = {2: [real[:12]], 4: [f"sha256:{real} linux"]}
    new, refused = update_blocks(MIXED, blocks, outputs, bindings)
    assert new == MIXED
    assert [r.line for r in refused] == [4]
    assert "1186f936b8a9 (line 3)" in refused[0].reason
    assert f"printed {real}" in refused[0].reason
    assert "this block was not updated" in refused[0].reason


def test_replaced_rows_before_an_ellipsis_are_replaced_not_dropped_into_it() -> None:
    """Defect 3: `docker image history` rows that changed went into the `...` after them."""
    page = [
        "IMAGE          CREATED          CREATED BY                  SIZE",
        '1186f936b8a9   20 seconds ago   CMD ["python" "app.py"]     0B',
        "<missing>      20 seconds ago   COPY app.py . # buildkit    583B",
        "...",
    ]
    real = [
        page[0],
        'bd63587b17f3   2 seconds ago    CMD ["python" "main.py"]    0B',
        "<missing>      2 seconds ago    COPY main.py . # buildkit   601B",
        "<missing>      2 seconds ago    WORKDIR /app                0B",
        "<missing>      3 weeks ago      RUN /bin/sh -c set -eux     52.1MB",
    ]
    bindings = Bindings({"1186f936b8a9": "bd63587b17f3"})
    assert rewrite(lines_of(page), real, bindings) == [
        page[0],
        '1186f936b8a9   2 seconds ago    CMD ["python" "main.py"]    0B',
        real[2],
        "...",
    ]


def test_the_long_form_the_page_shows_elsewhere_stands_for_the_printed_one() -> None:
    """The line that shows the long ID changed (nothing bound from it), but the page shows that
    long ID and its short form is bound: the page's long ID is written back, not refused."""
    page_long, real = "1186f936b8a9" + "5" * 52, "9f3c1e2d4b5a" + "7" * 52
    text = (
        "```console\n"
        "$ docker inspect -f '{{.Id}} {{.State.Status}}' web\n"
        f"{page_long} running\n"
        "$ docker ps -aq\n"
        "1186f936b8a9\n"
        "```\n"
    )
    blocks = parse_page(PAGE, text)
    bindings = Bindings({"1186f936b8a9": real[:12]})
    new, refused = update_blocks(text, blocks, {2: [f"{real} created"], 4: [real[:12]]}, bindings)
    assert refused == []
    assert new == text.replace(" running\n", " created\n")


REUSED = """\
```console
$ docker ps -aq --filter name=a
328d830cc003
$ docker inspect -f '{{.Id}} {{.Name}}' a
328d830cc003ffffffffffffffffffffffffffffffffffffffffffffffffffff /old
```

```console
$ docker ps -aq --filter name=b
328d830cc003
```
"""


def test_a_page_value_two_blocks_reuse_is_written_as_each_blocks_own() -> None:
    """The notes show `328d830cc003` for two containers in two blocks. The page's bindings
    hold the second's real ID; the first block's changed line was written with its real long
    ID beside the short form it kept: one block, two runs."""
    a, b = "a" * 12 + "1" * 52, "b" * 12 + "2" * 52
    blocks = parse_page(PAGE, REUSED)
    outputs = {2: [a[:12]], 4: [f"{a} /a"], 9: [b[:12]]}
    page_wide = Bindings({"328d830cc003": b[:12]})  # the last block's value won
    own = {1: {"328d830cc003": a[:12]}, 8: {"328d830cc003": b[:12]}}
    new, refused = update_blocks(REUSED, blocks, outputs, page_wide, frozenset(), own)
    assert refused == []
    assert new == REUSED.replace(" /old", " /a")
