"""Transcript parsing on text taken from the notes."""

import re
from pathlib import Path

import pytest

from docharness.model import CodeBlock, ExpectedLine, HarnessError, Step
from docharness.transcript import (
    CONTAINER_PROMPT,
    HOST_PROMPT,
    has_prompt,
    parse_steps,
    parse_transcript,
)

PAGE = Path("docs/container-commands.md")

CENTOS = """\
# 현재 호스트에서 실행 중인 셸 프로세스 ID 확인
$ echo $$
1842

# centos 8 버전 이미지 다운로드 후 컨테이너 bash 모드로 접속
$ docker run -it centos:8 bash
...
[root@cdc1bef7f247 /]# echo $$
1

# 다른 터미널에서 실행 중인 PID 조회
$ ps -ef | grep 1842
yonghwan    1842    1841  0 15:32 pts/0    00:00:00 -bash
yonghwan    5511    1842  0 16:48 pts/0    00:00:00 ps -ef

# /proc와 하위 네임스페이스(ns) 경로 확인
$ cd /proc/1842
/proc/1842 $ ls -l
"""


def test_centos_session_steps_prompts_and_lines() -> None:
    steps = parse_steps(PAGE, CENTOS, 265)
    assert [(s.prompt, s.command, s.line, s.in_container) for s in steps] == [
        ("$ ", "echo $$", 266, False),
        ("$ ", "docker run -it centos:8 bash", 270, False),
        ("[root@cdc1bef7f247 /]# ", "echo $$", 272, True),
        ("$ ", "ps -ef | grep 1842", 276, False),
        ("$ ", "cd /proc/1842", 281, False),
        ("/proc/1842 $ ", "ls -l", 282, False),
    ]
    assert steps[0].expected == [ExpectedLine("1842", 267)]
    assert steps[1].expected == [ExpectedLine("...", 271)]
    assert steps[2].expected == [ExpectedLine("1", 273)]
    assert steps[3].expected[1] == ExpectedLine(
        "yonghwan    5511    1842  0 16:48 pts/0    00:00:00 ps -ef", 278
    )
    assert steps[4].expected == steps[5].expected == []


def test_debian_style_container_prompt_and_tilde_prompt() -> None:
    steps = parse_steps(PAGE, "~ $ docker attach web\nroot@328d830cc003:/# exit\n", 10)
    assert steps == [
        Step("~ $ ", "docker attach web", 10),
        Step("root@328d830cc003:/# ", "exit", 11, in_container=True),
    ]


def test_output_keeps_tabs_and_spaces_and_error_lines() -> None:
    text = "$ docker image rm ubuntu\nError response from daemon: No such image: ubuntu:latest\n"
    text += "$ printf 'a\\tb  \\n'\na\tb  \n"
    steps = parse_steps(PAGE, text, 1)
    assert steps[0].expected == [
        ExpectedLine("Error response from daemon: No such image: ubuntu:latest", 2)
    ]
    assert steps[1].expected == [ExpectedLine("a\tb  ", 4)]


def test_continuation_and_heredoc_are_one_command() -> None:
    text = (
        "$ docker run -d --name web \\\n"
        "    -p 8080:80 nginx\n"
        "0123456789ab\n"
        "$ cat > app.py <<'EOF'\n"
        "print('hi')\n"
        "\n"
        "EOF\n"
        "$ python3 app.py\n"
        "hi\n"
    )
    steps = parse_steps(PAGE, text, 1)
    assert [s.command for s in steps] == [
        "docker run -d --name web \\\n    -p 8080:80 nginx",
        "cat > app.py <<'EOF'\nprint('hi')\n\nEOF",
        "python3 app.py",
    ]
    assert steps[0].expected == [ExpectedLine("0123456789ab", 3)]
    assert steps[2].line == 8


def test_the_notes_broken_comment_is_caught() -> None:
    text = (
        "$ ls -lh test-mysql57.tar\n"
        "-rw-rw-r-- 1 yonghwan yonghwan 428M  2월 23 23:51 test-mysql57.tar\n"
        "\n"
        "# tar 명령의 옵션중 tvf(...)를 이용해 묶인 파일 내용을 확인할 수 있습니다. 이미지\n"
        "다이제스트값으로 만들어진 디렉터리 파일입니다\n"
        "$ tar tvf test-mysql57.tar\n"
    )
    with pytest.raises(HarnessError, match="text after a comment is neither") as caught:
        parse_steps(PAGE, text, 181)
    assert caught.value.line == 185


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello\n$ true\n", "before the first command"),
        ("# c\n\ntext\n$ true\n", "text after a comment"),
        ("$ docker run \\\n", "continues past its block"),
        ("$ cat <<EOF\nx\n", "here-document EOF not ended"),
    ],
)
def test_malformed_transcripts(text: str, message: str) -> None:
    with pytest.raises(HarnessError, match=message):
        parse_steps(PAGE, text, 1)


def test_prompts() -> None:
    assert has_prompt("# c\n/proc/1842 $ ls -l\n")
    assert has_prompt("~/work $ ls\n")
    assert not has_prompt("docker run = [pull] + create + start + [command]\n")
    assert not has_prompt("price $ 5\n")
    assert has_prompt("root@328d830cc003:/# exit\n")  # a block of container prompts only
    assert not has_prompt("# apt-get update\n#1 DONE 0.0s\n")


@pytest.mark.parametrize(
    ("source", "line", "shown"),
    [
        ("$ \n", 1, "$"),  # alone: a transcript with an empty command, not a synopsis
        ("$ echo a\na\n$ \n$ echo b\nb\n", 3, "$"),  # mid-block: not output of `echo a`
        ("~/work $\n", 1, "~/work $"),
    ],
)
def test_a_prompt_without_a_command_is_an_error_naming_its_line(
    source: str, line: int, shown: str
) -> None:
    """R5 of the 2026-12-07 red team: `$ ` alone was called a synopsis, or taken as output."""
    assert has_prompt(source)
    with pytest.raises(HarnessError, match=rf"^{PAGE}:{line}: a prompt with no command after it"):
        parse_steps(PAGE, source, 1)
    with pytest.raises(HarnessError, match=re.escape(f"({shown!r})")):
        parse_steps(PAGE, source, 1)


def test_bash_default_prompt_is_a_container_prompt() -> None:
    steps = parse_steps(PAGE, "$ docker exec -it db bash\nbash-5.3# exit\nexit\n", 1)
    assert [(s.prompt, s.command, s.in_container) for s in steps] == [
        ("$ ", "docker exec -it db bash", False),
        ("bash-5.3# ", "exit", True),
    ]


def test_parse_transcript_uses_the_line_after_the_fence() -> None:
    block = CodeBlock(PAGE, 40, 43, "shell", "shell", "$ echo $$\n1842\n", "transcript")
    assert parse_transcript(block) == [Step("$ ", "echo $$", 41, [ExpectedLine("1842", 42)])]


# ---- syntax as Docker's own pages and other tutorials write it ----------------------------


def commands(text: str) -> list[tuple[str, int, list[str]]]:
    """(command, line, expected texts) of each step of ``text`` read from line 1."""
    return [(s.command, s.line, [e.text for e in s.expected]) for s in parse_steps(PAGE, text, 1)]


def test_blank_line_between_command_and_output_and_inside_output() -> None:
    text = (
        "$ docker ps\n"
        "\n"
        "CONTAINER ID   IMAGE\n"
        "\n"
        "$ docker info\n"
        "Client:\n"
        " Version:    27.5.1\n"
        "\n"
        "Server:\n"
        " Containers: 0\n"
        "\n"
    )
    assert commands(text) == [
        ("docker ps", 1, ["CONTAINER ID   IMAGE"]),
        ("docker info", 5, ["Client:", " Version:    27.5.1", "Server:", " Containers: 0"]),
    ]
    assert parse_steps(PAGE, text, 1)[1].expected[2] == ExpectedLine("Server:", 9)


def test_ps2_continuations_of_a_compound_command_and_an_open_quote() -> None:
    text = (
        "$ for name in a b; do\n"
        '>   echo "$name"\n'
        "> done\n"
        "a\n"
        "b\n"
        "$ echo 'one\n"
        ">\n"
        "> two'\n"
        "one\n"
        "\n"
        "two\n"
        "$ docker run --rm \\\n"
        ">   debian:latest true\n"
    )
    assert commands(text) == [
        ('for name in a b; do\n  echo "$name"\ndone', 1, ["a", "b"]),
        ("echo 'one\n\ntwo'", 6, ["one", "two"]),
        ("docker run --rm \\\n  debian:latest true", 12, []),
    ]


def test_a_gt_line_after_a_complete_command_is_output() -> None:
    assert commands("$ printf '> quoted\\n'\n> quoted\n") == [
        ("printf '> quoted\\n'", 1, ["> quoted"])
    ]


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("<<EOF", "EOF"),
        ("<<'EOF'", "EOF"),
        ('<<"EOF"', "EOF"),
        ("<<\\EOF", "EOF"),
        ("<<END-OF", "END-OF"),
        ("<< EOF", "EOF"),
        ("<<-EOF", "\tEOF"),
    ],
)
def test_heredoc_forms(opening: str, closing: str) -> None:
    text = f"$ cat {opening}\nEOF-not-yet\n\n{closing}\nEOF-not-yet\n$ true\n"
    assert commands(text) == [
        (f"cat {opening}\nEOF-not-yet\n\n{closing}", 1, ["EOF-not-yet"]),
        ("true", 6, []),
    ]


def test_heredoc_typed_at_ps2_prompts_and_a_here_string() -> None:
    text = "$ cat > app.py <<'EOF'\n> print('hi')\n>\n> EOF\n$ tr a-z A-Z <<< hello\nHELLO\n"
    assert commands(text) == [
        ("cat > app.py <<'EOF'\nprint('hi')\n\nEOF", 1, []),
        ("tr a-z A-Z <<< hello", 5, ["HELLO"]),
    ]


@pytest.mark.parametrize(
    ("prompt", "in_container"),
    [
        ("/ # ", True),
        ("/app # ", True),
        ("bash-5.2# ", True),
        ("sh-5.2# ", True),
        ("root@328d830cc003:/# ", True),
        ("node@328d830cc003:/app$ ", True),
        ("[root@cdc1bef7f247 /]# ", True),
        ("yonghwan@desktop:~$ ", False),
        ("user@host-1.lan:~/work$ ", False),
        ("[user@host ~]$ ", False),
        ("~ $ ", False),
    ],
)
def test_prompts_of_hosts_and_containers(prompt: str, in_container: bool) -> None:
    steps = parse_steps(PAGE, f"{prompt}ls\nbin\n", 1)
    assert steps == [Step(prompt, "ls", 1, [ExpectedLine("bin", 2)], in_container)]
    # The two patterns never both match (the site's copy button and its test use them).
    assert (HOST_PROMPT.match(f"{prompt}ls") is None) is in_container
    assert (CONTAINER_PROMPT.match(f"{prompt}ls") is None) is not in_container


def test_hash_lines_that_are_output() -> None:
    text = (
        "# the build\n"
        "$ docker build .\n"
        "#1 [internal] load build definition\n"
        "#1 DONE 0.0s\n"
        "\n"
        "#2 [internal] load .dockerignore\n"
        "$ cat Dockerfile\n"
        "FROM debian\n"
        "# the packages\n"
        "RUN apt-get update\n"
        "# not output: the next command follows\n"
        "\n"
        "# nor this one\n"
        "$ true\n"
        "# a comment at the end\n"
    )
    assert commands(text) == [
        (
            "docker build .",
            2,
            [
                "#1 [internal] load build definition",
                "#1 DONE 0.0s",
                "#2 [internal] load .dockerignore",
            ],
        ),
        ("cat Dockerfile", 7, ["FROM debian", "# the packages", "RUN apt-get update"]),
        ("true", 14, []),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # Comment, or output after a blank line? (The notes' wrapped comment is the first.)
        ("$ ls\nx\n\n# a comment that\nwraps\n$ true\n", 5, "text after a comment"),
        ("$ cat f\nx\n# output\n\ny\n", 5, "write it with no blank line next to it"),
        # A compound command without its PS2 lines.
        ("$ for i in 1 2; do\n  echo $i\ndone\n", 1, "not complete at the end of this line"),
        ("$ echo 'a\nb'\n", 1, "not complete at the end of this line"),
        # PS2 on some continuation lines only.
        ("$ cat <<EOF\n> a\nEOF\n", 3, "without the `> ` prompt"),
        ("$ cat <<EOF\n> a\n", 2, "here-document EOF not ended"),
    ],
)
def test_ambiguous_transcripts_name_the_line_and_the_fix(
    text: str, line: int, message: str
) -> None:
    with pytest.raises(HarnessError, match=message) as caught:
        parse_steps(PAGE, text, 1)
    assert caught.value.line == line
