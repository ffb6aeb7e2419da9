"""Fence discovery, language and kind, directives, and the Sybil parser glue."""

from pathlib import Path

import pytest
from sybil import Document

from docharness.fences import (
    PageParser,
    find_fences,
    language_of,
    parse_page,
    read_page,
    untested_transcripts,
)
from docharness.kinds import SHELL_LANGUAGES
from docharness.model import CodeBlock, Directives, HarnessError

PAGE = Path("docs/image-commands.md")

TEXT = """\
# 도커 이미지 명령어

```shell
docker image tag 원본이미지[:태그] 참조이미지[:태그]
```

<!-- test: timeout 120 -->
```bash title="태그 붙이기"
# 이미지 태그 설정
~ $ docker image tag httpd:latest debian-httpd:1.0
```

```
# 도커 이미지를 tar 파일로 저장.
docker image save [옵션] <파일명> [image명]
```

=== "CLI"

    ``` { .console }
    $ docker image rm ubuntu
    Error response from daemon: No such image: ubuntu:latest
    ```

=== "Python"

    ~~~~py
    import docker
    ~~~~

```yaml
services: {}
```
"""


def test_parse_page_collects_shell_and_python_blocks_only() -> None:
    blocks = parse_page(PAGE, TEXT)
    assert [(b.line, b.end_line, b.language, b.kind) for b in blocks] == [
        (3, 5, "shell", "synopsis"),
        (8, 11, "bash", "transcript"),
        (20, 23, "console", "transcript"),
        (27, 29, "python", "python"),
    ]
    tagged, tabbed = blocks[1], blocks[2]
    assert tagged.info == 'bash title="태그 붙이기"'
    assert tagged.directives == Directives(timeout=120.0, line=7)
    assert tagged.steps[0].line == 10
    assert tabbed.source == (
        "$ docker image rm ubuntu\nError response from daemon: No such image: ubuntu:latest\n"
    )
    assert tabbed.steps[0].expected[0].line == 22
    assert blocks[3].source == "import docker\n"


@pytest.mark.parametrize(
    ("info", "language"),
    [
        ("shell", "shell"),
        ('bash title="x"', "bash"),
        ("{ .console }", "console"),
        ("{.sh .annotate}", "sh"),
        ("console{.x}", "console"),
        ("console?prompt=$", "console"),
        ("shell-session {.x}", "shell-session"),
        ("ShellSession", "shellsession"),
        ("Python", "python"),
        ("", ""),
    ],
)
def test_language_of(info: str, language: str) -> None:
    assert language_of(info) == language


def test_longer_fence_holds_shorter_ones_and_backtick_info_is_not_a_fence() -> None:
    text = "````markdown\n```shell\n$ true\n```\n````\n``` inline ``` code\n"
    fences = find_fences(PAGE, text)
    assert [(f.line, f.end_line, f.info) for f in fences] == [(1, 5, "markdown")]
    assert fences[0].body == ["```shell", "$ true", "```"]


def test_unclosed_fence_is_an_error_at_its_opening_line() -> None:
    with pytest.raises(HarnessError, match=r"docs/image-commands.md:3: unclosed ``` fence"):
        parse_page(PAGE, "text\n\n```shell\n$ docker images\n")


def test_directive_on_an_untested_block_is_an_error() -> None:
    with pytest.raises(HarnessError, match="not tested") as caught:
        parse_page(PAGE, "<!-- test: skip 형식 설명 -->\n```\ndocker rmi\n```\n")
    assert caught.value.line == 1


def test_page_parser_yields_regions_spanning_the_fences(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(TEXT, encoding="utf-8")
    seen: list[CodeBlock] = []

    def evaluator_for(block: CodeBlock) -> None:
        seen.append(block)

    document = Document.parse(str(page), PageParser(evaluator_for))
    examples = list(document)
    assert [e.line for e in examples] == [3, 8, 20, 27]
    assert len(seen) == 4
    assert examples[0].region.evaluator is None
    assert TEXT[examples[2].start : examples[2].end] == (
        "    ``` { .console }\n    $ docker image rm ubuntu\n"
        "    Error response from daemon: No such image: ubuntu:latest\n    ```"
    )
    assert isinstance(examples[1].parsed, CodeBlock)


def test_the_real_notes_fail_on_the_broken_comment() -> None:
    notes = Path(__file__).parent / "fixtures" / "docker-commands.ko.md"
    with pytest.raises(HarnessError, match="text after a comment") as caught:
        parse_page(notes, notes.read_text(encoding="utf-8"))
    assert caught.value.line == 186


# ---- no silent drops ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "info",
    [
        "console",
        "console?prompt=$",
        "shell-session",
        "shellsession",
        "terminal",
        "zsh",
        "sh",
        "bash",
        "shell",
        "bash{.annotate}",
        "{ .terminal }",
        'zsh title="x"',
    ],
)
def test_every_shell_session_alias_is_collected(info: str) -> None:
    [block] = parse_page(PAGE, f"```{info}\n$ docker ps\n```\n")
    assert block.kind == "transcript"
    assert block.steps[0].command == "docker ps"
    assert language_of(info) in SHELL_LANGUAGES


BLOCKQUOTED = """> **Note**
>
> ```console
> $ echo hi
> hi
>
> > ```
> ```

1. Install:

    > ```shell
    > $ docker ps
    > ```

> - nested:
>
>     ```bash
>     $ true
>     ```
"""


def test_fences_in_blockquotes_and_list_items_keep_their_real_lines() -> None:
    blocks = parse_page(PAGE, BLOCKQUOTED)
    assert [(b.line, b.end_line, b.language) for b in blocks] == [
        (3, 8, "console"),
        (12, 14, "shell"),
        (18, 20, "bash"),
    ]
    first = blocks[0]
    assert first.source == "$ echo hi\nhi\n\n> ```\n"
    assert [(e.text, e.line) for e in first.steps[0].expected] == [("hi", 5), ("> ```", 7)]
    assert blocks[1].steps[0].line == 13
    assert blocks[2].steps[0].command == "true"


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    page = tmp_path / "bom.md"
    page.write_bytes("\ufeff```console\n$ echo 한\n한\n```\n".encode())
    text = read_page(page)
    assert text.startswith("```console")
    assert [b.line for b in parse_page(page, text)] == [1]


def test_another_encoding_is_an_error_naming_the_line(tmp_path: Path) -> None:
    page = tmp_path / "latin1.md"
    page.write_bytes("# Page\n\n```console\n$ echo café\n```\n".encode("latin-1"))
    with pytest.raises(HarnessError, match=r"latin1.md:4: not UTF-8 text \(invalid contin"):
        read_page(page)


def test_fences_of_other_languages_with_prompts_are_found() -> None:
    text = (
        "```text\n$ docker ps\n```\n\n```\n$ docker images\n```\n\n"
        "```yaml\nprice: $ 5\n```\n\n```console\n$ true\n```\n\n"
        "````markdown\n```console\n$ docker ps\n```\n````\n"
    )
    found = untested_transcripts(find_fences(PAGE, text))
    # The markdown fence (line 17) shows a page's source: its prompt is an example.
    assert [(f.line, f.info) for f in found] == [(1, "text"), (5, "")]


def test_a_transcript_setup_is_parsed_at_collection() -> None:
    text = "<!-- test: setup\n$ docker pull debian\n-->\n```console\n$ docker images\n```\n"
    [block] = parse_page(PAGE, text)
    assert block.directives.setup is not None
    assert [(s.command, s.line) for s in block.directives.setup.steps] == [
        ("docker pull debian", 2)
    ]
    broken = text.replace("$ docker pull debian", "pull first\n$ docker pull debian")
    with pytest.raises(HarnessError, match=rf"{PAGE}:2: text before the first command"):
        parse_page(PAGE, broken)


def test_an_unordered_block_shows_every_line() -> None:
    text = "<!-- test: unordered -->\n```shell\n$ docker images\nREPOSITORY\n...\n```\n"
    with pytest.raises(HarnessError, match=r"image-commands.md:5: `\.\.\.` in a block marked"):
        parse_page(Path("docs/image-commands.md"), text)
    [block] = parse_page(Path("docs/image-commands.md"), text.replace("...\n", "httpd\n"))
    assert block.directives.unordered
