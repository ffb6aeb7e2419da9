"""Unit tests of hooks/transcript_lexer.py: commands are code, output is plain text."""

from __future__ import annotations

import sys
from pathlib import Path

from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, Generic, Name

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "hooks"))
import transcript_lexer  # noqa: E402

SESSION = (
    "# 버전 확인\n"
    "$ docker pull debian:latest\n"
    "Status: Image is up to date for debian:latest 2.0\n"
    "$ docker run -d \\\n"
    "    --name web nginx\n"
    "[root@cdc1bef7f247 /]# echo $$\n"
    "1\n"
)


def tokens(text: str) -> list[tuple[object, str]]:
    lexer = transcript_lexer.TranscriptLexer()
    return [(token, value) for _, token, value in lexer.get_tokens_unprocessed(text)]


def test_output_lines_are_one_plain_token_each() -> None:
    found = tokens(SESSION)
    outputs = [value for token, value in found if token is Generic.Output]
    assert outputs == ["Status: Image is up to date for debian:latest 2.0\n", "1\n"]


def test_prompts_program_names_and_comments() -> None:
    found = tokens(SESSION)
    assert [v for t, v in found if t is Generic.Prompt] == ["$ ", "$ ", "[root@cdc1bef7f247 /]# "]
    assert [v for t, v in found if t is Name.Function] == ["docker", "docker", "echo"]
    assert (Comment.Single, "# 버전 확인\n") in found
    # the continued line is part of the command, not output
    assert not any(t is Generic.Output and "--name" in v for t, v in found)


def test_positions_cover_the_text_exactly() -> None:
    lexer = transcript_lexer.TranscriptLexer()
    rebuilt = "".join(value for _, _, value in lexer.get_tokens_unprocessed(SESSION))
    assert rebuilt == SESSION


def test_a_block_without_prompts_is_bash() -> None:
    found = tokens("docker image tag 원본이미지[:태그] 참조이미지[:태그]\n")
    assert not any(t in (Generic.Output, Generic.Prompt) for t, _ in found)


def test_the_shell_fence_names_select_it_once_registered() -> None:
    transcript_lexer.register()
    transcript_lexer.register()  # twice is harmless
    for name in ("shell", "console", "bash", "sh"):
        assert isinstance(get_lexer_by_name(name), transcript_lexer.TranscriptLexer)


def test_lines_are_read_as_the_harness_reads_them() -> None:
    """`#` output, PS2 continuations and here-documents: the harness's rules, not a copy."""
    found = tokens(
        "$ docker build -t app .\n"
        "#1 [internal] load build definition\n"
        "#1 DONE 0.0s\n"
        "$ for name in a b; do\n"
        "> echo $name\n"
        "> done\n"
        "a\n"
        "b\n"
        "$ cat <<EOF\n"
        "# not a comment\n"
        "EOF\n"
        "# a comment: it ends the block\n"
    )
    outputs = [v for t, v in found if t is Generic.Output]
    assert outputs == [
        "#1 [internal] load build definition\n",
        "#1 DONE 0.0s\n",
        "a\n",
        "b\n",
    ]
    assert [v for t, v in found if t is Generic.Prompt] == ["$ ", "$ ", "> ", "> ", "$ "]
    # the here-document's `#` line is the command's (bash's tokens), the last line a comment
    assert (Comment.Single, "# a comment: it ends the block\n") in found
