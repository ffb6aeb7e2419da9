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


def test_a_terminal_screen_that_changed_is_written_whole() -> None:
    """A screen is what a reader copies: a `...` the page kept before it would hide rows."""
    page = [ExpectedLine("[+] Building 0.4s (2/2) FINISHED", 7), ExpectedLine("...", 8)]
    screen = ["[+] Building 1.6s (7/7) FINISHED", " => [1/3] FROM docker.io/library/x  0.0s"]
    assert rewrite(page, ScreenLines(screen), Bindings()) == screen
    assert rewrite(page, screen, Bindings()) == [
        "...",
    ]  # other output: `...` absorbs it
    matching = [ExpectedLine("[+] Building 0.4s (7/7) FINISHED", 7), ExpectedLine("...", 8)]
    assert rewrite(matching, ScreenLines(screen), Bindings()) == [e.text for e in matching]


def test_new_output_goes_after_the_command_and_bound_values_are_written_as_the_page_shows() -> None:
    text = (
        "```shell\n"
        "$ docker run -d --name web \\\n"
        "    nginx\n"
        "$ docker ps -q\n"
        "328d830cc003\n"
        "$ docker rm -f web\n"
        "328d830cc003\n"
        "```\n"
    )
    blocks = parse_page(PAGE, text)
    real_id = "9f3c1e2d4b5a"
    bindings = Bindings()
    assert match(blocks[0].steps[1].expected, [real_id], bindings) is None
    outputs = {2: [real_id + "0" * 52], 6: ["web", ""]}
    new = update_text(text, blocks, outputs, bindings)
    assert new == (
        "```shell\n"
        "$ docker run -d --name web \\\n"
        "    nginx\n"
        f"328d830cc003{'0' * 52}\n"
        "$ docker ps -q\n"
        "328d830cc003\n"
        "$ docker rm -f web\n"
        "web\n"
        "```\n"
    )
    assert steps_by_line(new)[5] == "docker ps -q"


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
