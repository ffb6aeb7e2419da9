"""Directive parsing: attachment to fences, validation, errors naming the line."""

from pathlib import Path

import pytest

from docharness.directives import parse_directives
from docharness.engines import EngineRange
from docharness.model import Code, Directives, HarnessError, Size

PAGE = Path("docs/image-commands.md")


def test_directives_attach_to_the_next_fence_across_blanks_and_each_other() -> None:
    text = (
        "intro\n"  # 1
        "<!-- test: timeout 120 -->\n"  # 2
        "\n"  # 3
        "<!-- test: setup\n"  # 4
        "$ docker pull debian:latest\n"  # 5
        "-->\n"  # 6
        "<!-- test: teardown\n"  # 7
        "    $ docker rm -f web\n"  # 8
        "    -->\n"  # 9
        "```shell\n"  # 10
        "$ docker run -d --name web nginx\n"
        "```\n"
    )
    assert parse_directives(PAGE, text) == {
        10: Directives(
            timeout=120.0,
            setup=Code("$ docker pull debian:latest", 4),
            teardown=Code("$ docker rm -f web", 7),
            line=2,
        )
    }


def test_skip_reason_is_free_text_and_other_comments_are_ignored() -> None:
    text = (
        "<!-- 작성자 메모: 나중에 고치기 -->\n"
        "    <!-- test: skip 도커 허브 계정이 필요합니다 -->\n"
        "    ```shell\n"
        "    ~ $ docker login\n"
        "    ```\n"
    )
    assert parse_directives(PAGE, text) == {
        3: Directives(skip="도커 허브 계정이 필요합니다", line=2)
    }


def test_directive_inside_a_code_block_is_code() -> None:
    text = "````markdown\n<!-- test: bogus -->\n````\n"
    assert parse_directives(PAGE, text, code_lines={2}) == {}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("\n<!-- test: skipp 오타 -->\n```shell\n```\n", 2, "unknown directive 'skipp'"),
        ("<!-- test: skip -->\n```shell\n```\n", 1, "skip directive needs a reason"),
        *[
            (f"<!-- test: timeout {bad} -->\n```shell\n```\n", 1, "positive number.*at most 3600")
            for bad in ("0", "-1", "soon", "abc", "inf", "-inf", "nan", "1e400", "3601")
        ],
        ("<!-- test: requires docker-hub -->\n```shell\n```\n", 1, "unknown requirement"),
        ("<!-- test: setup\n-->\n```shell\n```\n", 1, "setup directive without code"),
        ("<!-- test: skip 이유 -->\n\n본문\n```shell\n```\n", 1, "not attached to a code block"),
        ("text\n<!-- test: skip 이유 -->\n", 2, "not attached to a code block"),
        ("<!-- test: setup\n$ true\n", 1, "unclosed <!-- test: comment"),
        ("<!-- test: skip a -->\n<!-- test: skip b -->\n```shell\n```\n", 2, "second skip"),
        ("<!-- test: unordered rows -->\n```shell\n```\n", 1, "unordered takes no value"),
        *[
            (f"\n<!-- test: terminal {bad} -->\n```shell\n```\n", 2, "terminal takes a size")
            for bad in ("big", "80", "80x", "x24", "80 24", "10x24", "80x2", "600x24", "80x24x2")
        ],
    ],
)
def test_errors_name_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(HarnessError, match=message) as caught:
        parse_directives(PAGE, text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{PAGE}:{line}: ")


def test_engine_directive_is_a_range() -> None:
    text = "<!-- test: engine >= 23, <26 -->\n```shell\n$ docker ps\n```\n"
    [directives] = parse_directives(PAGE, text).values()
    assert directives.engine == EngineRange.parse(">=23,<26")
    assert str(directives.engine) == ">=23,<26"


def test_store_directive_names_an_image_store() -> None:
    text = (
        "<!-- test: store containerd -->\n<!-- test: engine >=24 -->\n```shell\n$ docker ps\n```\n"
    )
    [directives] = parse_directives(PAGE, text).values()
    assert directives.store == "containerd"
    assert directives.engine == EngineRange.parse(">=24")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("overlay2", "store 'overlay2': expected one of classic, containerd"),
        ("", "store '': expected one of classic, containerd"),
        ("classic containerd", "store 'classic containerd': expected one of classic, containerd"),
        (
            "x" * 500,
            f"store '{'x' * 40}'… (500 characters): expected one of classic, containerd",
        ),
    ],
)
def test_bad_store_names_file_and_line(value: str, message: str) -> None:
    text = f"intro\n\n<!-- test: store {value} -->\n```shell\n$ docker images\n```\n"
    with pytest.raises(HarnessError) as raised:
        parse_directives(PAGE, text)
    assert str(raised.value) == f"{PAGE}:3: {message}"


def test_a_second_store_directive_is_an_error() -> None:
    text = "<!-- test: store classic -->\n<!-- test: store containerd -->\n```shell\n$ ls\n```\n"
    with pytest.raises(HarnessError, match=r"docs/image-commands.md:2: second store directive"):
        parse_directives(PAGE, text)


def test_unordered_directive_is_a_flag() -> None:
    text = "<!-- test: unordered -->\n```shell\n$ docker images\n```\n"
    [directives] = parse_directives(PAGE, text).values()
    assert directives.unordered


@pytest.mark.parametrize(
    ("value", "size"), [("", Size(80, 24)), (" 100x30", Size(100, 30)), (" 20x5", Size(20, 5))]
)
def test_terminal_directive_is_a_size_a_readers_by_default(value: str, size: Size) -> None:
    text = f"<!-- test: terminal{value} -->\n```shell\n$ docker build .\n```\n"
    [directives] = parse_directives(PAGE, text).values()
    assert directives.terminal == size


def test_bad_engine_range_names_file_and_line() -> None:
    text = "intro\n\n<!-- test: engine before 26 -->\n```shell\n$ docker ps\n```\n"
    with pytest.raises(HarnessError, match=r"docs/image-commands.md:3: engine range 'before 26'"):
        parse_directives(PAGE, text)


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        # X6 of the 2026-12-07 red team: Python's int() advice came out instead of ours.
        ("engine <" + "9" * 5000, "a version number has at most 6 digits"),
        # X5 (note): the whole value was repeated, a 101 KB line.
        ("timeout " + "9" * 100_000, "timeout must be a positive number of seconds"),
    ],
)
def test_a_huge_number_gets_the_directives_own_short_message(directive: str, message: str) -> None:
    text = f"<!-- test: {directive} -->\n```shell\n$ docker ps\n```\n"
    with pytest.raises(HarnessError) as raised:
        parse_directives(PAGE, text)
    said = str(raised.value)
    assert said.startswith(f"{PAGE}:1: ") and message in said, said[:500]
    assert "set_int_max_str_digits" not in said
    assert len(said) < 300 and "characters)" in said, said[:500]
