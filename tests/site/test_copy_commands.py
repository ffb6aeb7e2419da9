"""Unit tests of hooks/copy_commands.py: what a transcript's copy button copies."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import markdown

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "hooks"))
import copy_commands  # noqa: E402

PAGE = Path("docs/sample.md")


def copied(source: str) -> str | None:
    return copy_commands.commands(PAGE, source, 2)


def test_prompts_output_and_comments_are_left_out() -> None:
    source = (
        "# 이미지 삭제\n"
        "$ docker image rm ubuntu\n"
        "Error response from daemon: No such image: ubuntu:latest\n"
        "\n"
        "~ $ docker ps\n"
        "/proc/1842 $ ls -l\n"
    )
    assert copied(source) == "docker image rm ubuntu\ndocker ps\nls -l"


def test_continuation_lines_stay_with_their_command() -> None:
    source = "$ docker run -d \\\n    --name web nginx\nabc123\n$ docker ps\n"
    assert copied(source) == "docker run -d \\\n    --name web nginx\ndocker ps"


def test_container_session_commands_are_copied_without_prompts() -> None:
    source = "$ docker exec -it web bash\nroot@328d830cc003:/# ls /etc/nginx\nconf.d\n"
    found = copy_commands.terminals(PAGE, source, 2)
    assert [(t.label, t.commands) for t in found] == [
        ("호스트", "docker exec -it web bash"),
        ("컨테이너 안", "ls /etc/nginx"),
    ]
    assert copied(source) == "docker exec -it web bash"  # the block's own button: the first


def test_terminals_are_kept_apart() -> None:
    """Host, a container session, another terminal, and a second container: four pastes."""
    source = (
        "$ echo $$\n"
        "1842\n"
        "$ docker run -it centos:8 bash\n"
        "[root@cdc1bef7f247 /]# echo $$\n"
        "1\n"
        "\n"
        "# 다른 터미널에서 실행 중인 PID 조회\n"
        "$ ps -ef | grep 1842\n"
        "/proc/1842 $ ls -l\n"
        "$ docker run -it ubuntu:14.04 bash\n"
        "root@328d830cc003:/# exit\n"
        "$ docker ps\n"
    )
    found = copy_commands.terminals(PAGE, source, 2)
    assert [(t.label, t.commands) for t in found] == [
        ("호스트", "echo $$\ndocker run -it centos:8 bash"),
        ("컨테이너 안", "echo $$"),
        ("다른 터미널", "ps -ef | grep 1842\nls -l\ndocker run -it ubuntu:14.04 bash"),
        ("컨테이너 안", "exit"),
        ("호스트", "docker ps"),  # the session was left with exit: the same terminal again
    ]


def test_a_container_left_running_means_another_terminal() -> None:
    source = "$ docker run -it centos:8 bash\n[root@c /]# sleep 1\n$ docker ps\n"
    labels = [t.label for t in copy_commands.terminals(PAGE, source, 2)]
    assert labels == ["호스트", "컨테이너 안", "다른 터미널"]


def test_several_terminals_get_a_row_of_buttons_after_their_block() -> None:
    source = "```shell\n$ docker exec -it web bash\nroot@c:/# ls\nconf.d\n```\n\nafter\n"
    page_html = markdown.markdown(source, extensions=["pymdownx.superfences", "pymdownx.highlight"])
    out = copy_commands.with_copy_text(PAGE, source, page_html)
    assert 'data-copy="docker exec -it web bash"' in out
    row = re.search(r'</pre></div><div class="terminal-copy"[^>]*>(.*?)</div>', out)
    assert row is not None, out
    buttons = re.findall(r'data-clipboard-text="([^"]*)"[^>]*>([^<]*)</button>', row.group(1))
    assert buttons == [("docker exec -it web bash", "① 호스트"), ("ls", "② 컨테이너 안")]


def test_synopsis_copies_as_written() -> None:
    assert copied("docker image tag 원본이미지[:태그] 참조이미지[:태그]\n") is None


def test_data_copy_lands_on_each_transcripts_pre_only() -> None:
    source = (
        "```shell\n$ docker ps\nCONTAINER ID\n```\n\n"
        "```shell\ndocker run = [pull] + create + start + [command]\n```\n\n"
        "```text\n$ not a transcript\n```\n\n"
        '```bash title="x"\n$ echo "<a & b>"\n<a & b>\n```\n'
    )
    page_html = markdown.markdown(source, extensions=["pymdownx.superfences", "pymdownx.highlight"])
    out = copy_commands.with_copy_text(PAGE, source, page_html)
    found = [html.unescape(text) for text in re.findall(r'<pre data-copy="([^"]*)"', out)]
    assert found == ["docker ps", 'echo "<a & b>"']
    assert out.count("<pre") == page_html.count("<pre")


def test_blocks_without_commands_get_no_copy_button() -> None:
    source = (
        "```shell\n$ docker ps\nCONTAINER ID\n```\n\n"
        "```shell\ndocker image tag 원본이미지[:태그] 참조이미지[:태그]\n```\n\n"
        "```text\ndocker run = [pull] + create + start + [command]\n```\n\n"
        "```\nCONTAINER ID   IMAGE\n```\n\n"
        "```python\nimport docker\n```\n"
    )
    page_html = markdown.markdown(source, extensions=["pymdownx.superfences", "pymdownx.highlight"])
    out = copy_commands.with_copy_text(PAGE, source, page_html)
    pres = re.findall(r"<pre\b[^>]*>", out)
    assert len(pres) == 5
    assert 'data-copy="docker ps"' in pres[0] and "no-copy" not in pres[0]
    assert all('class="no-copy"' in pre for pre in pres[1:4])  # synopsis, notation, output
    assert "no-copy" not in pres[4]  # code keeps its button


def test_a_class_already_on_pre_is_kept() -> None:
    assert copy_commands._with_class('<pre class="a">', "no-copy") == '<pre class="a no-copy">'
    assert copy_commands._with_class("<pre>", "no-copy") == '<pre class="no-copy">'
