"""Synopsis and option-claim checks against the real `docker ... --help` (no daemon needed)."""

import subprocess
import sys
from pathlib import Path

import pytest

from docharness.model import CodeBlock
from docharness.synopsis import (
    OptionClaim,
    check_line,
    check_option_claims,
    check_synopsis,
    option_claims,
)

PAGE = Path("docs/image-commands.md")


def block(source: str, line: int = 123) -> CodeBlock:
    end = line + source.count("\n") + 1
    return CodeBlock(PAGE, line, end, "shell", "shell", source, "synopsis")


def test_the_notes_synopsis_blocks_pass() -> None:
    assert check_synopsis(block("docker image tag 원본이미지[:태그] 참조이미지[:태그]\n")) == []
    assert check_synopsis(block("docker run = [pull] + create + start + [command]\n")) == []


def test_problems_name_the_line_inside_the_block() -> None:
    source = "# 형식\ndocker image tag 원본이미지 참조이미지\ndocker image tagg 원본이미지\n"
    assert check_synopsis(block(source, 40)) == [
        "docs/image-commands.md:43: no such command: docker image tagg"
    ]


def test_a_command_continued_with_a_backslash_is_one_command() -> None:
    """A shell reads `\\` at a line's end as "the command goes on": every option is checked,
    and a problem names the command's first line."""
    long = (
        "docker run \\\n    --detach=true \\\n    --name=cadvisor \\\n"
        "    ghcr.io/google/cadvisor:v0.53.0\n"
    )
    assert check_synopsis(block(long, 40)) == []
    wrong = (
        "# 한 줄에 옵션 하나\ndocker run \\\n    --detach=true \\\n"
        "    --nmae=cadvisor \\\n    이미지\n"
    )
    assert check_synopsis(block(wrong, 40)) == [
        "docs/image-commands.md:42: docker run has no option --nmae"
    ]
    # a backslash on the last line leaves nothing unread
    assert check_synopsis(block("docker run \\\n", 40)) == []


@pytest.mark.parametrize(
    "text",
    [
        "docker [image] pull [OPTIONS] name[:TAG | @IMAGE_DIGEST]",
        "docker image save [옵션] <파일명> [image명]",
        "docker rmi [옵션] {이미지 이름[:태그] | 이미지 ID}",
        "docker image rm [옵션] {이미지 이름[:태그] | 이미지 ID}",
        "docker image remove ubuntu:14.04",
        "docker images --digests",
        "docker run -it --rm -v, --volume=호스트경로:컨테이너경로 ubuntu:14.04 bash",
        "docker pull --disable-content-trust --platform=linux -a debian",
        "docker run -d, --detach=true --link=[container:container_id] --env A=1 nginx",
    ],
)
def test_real_commands_and_flags_pass(text: str) -> None:
    assert check_line(text) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("docker image tagg a b", "no such command: docker image tagg"),
        ("docker [imag] pull", "no such command: docker imag"),
        ("docker pull --all-tag debian", "docker pull has no option --all-tag"),
        ("docker run -it -Z ubuntu", "docker run has no option -Z"),
        ("docker [image] pull --digests", "docker pull has no option --digests"),
        ("docker run = [pull] + craete + start", "'craete' is neither a docker command"),
        ("ls -l /proc/1/ns", "a synopsis names a docker command"),
    ],
)
def test_wrong_commands_and_flags_are_reported(text: str, problem: str) -> None:
    problems = check_line(text)
    assert len(problems) >= 1
    assert problem in problems[0]


NOTES_PROSE = """\
## 도커 이미지 내려받기 docker pull

- docker [image] pull [OPTIONS] name[:TAG | @IMAGE_DIGEST]
- **docker pull** 명령어는 도커 허브 레지스트리에서 원하는 이미지 파일을 다운로드하는 명령어입니다.
- docker pull 명령어 옵션
    - --all-tags, -a : 저장소에 태그로 지정된 여러 이미지를 모두 다운로드
    - --disable-content-trust : 이미지 검증 작업 스킵
    - --platform : 플랫폼을 지정하여 pull함
        - ex) --platform=linux
    - --quiet, -q : 이미지 다운로드 과정에서 화면에 나타나는 상세 출력 숨김

```shell
$ docker pull --bogus debian:latest
```

- 다이제스트 값을 포함한 이미지 조회 명령어는 **docker images --digests**
- 컨테이너 명령어도 **docker CLI API**를 통해 제공됩니다.

### docker run 명령어 옵션

| 옵션                                   | 설명                     |
|--------------------------------------|------------------------|
| -i, --interactive                    | 대화식 모드 열기              |
| -d, --detach=true                    | 백그라운드에서 컨테이너 실행<br/>(x) |
| -p [Host포트]:[Container포트], --publish | 호스트 포트와 컨테이너 포트 연결     |
| --link=[container:container_id]      | 동일 호스트의 다른 컨테이너와 연결    |
"""


def test_option_claims_of_the_notes_prose() -> None:
    claims = option_claims(PAGE, NOTES_PROSE)
    assert [(c.line, c.kind, c.synopsis) for c in claims] == [
        (3, "synopsis", "docker [image] pull [OPTIONS] name[:TAG | @IMAGE_DIGEST]"),
        (4, "synopsis", "docker pull"),
        (6, "list", "docker pull --all-tags -a"),
        (7, "list", "docker pull --disable-content-trust"),
        (8, "list", "docker pull --platform"),
        (9, "list", "docker pull --platform"),
        (10, "list", "docker pull --quiet -q"),
        (16, "synopsis", "docker images --digests"),
        (23, "table", "docker run -i --interactive"),
        (24, "table", "docker run -d --detach"),
        (25, "table", "docker run -p --publish"),
        (26, "table", "docker run --link"),
    ]
    assert check_option_claims(claims) == []


def test_option_claim_problems_name_file_and_line() -> None:
    text = (
        "- docker volume 명령어\n"
        "    - docker volume create : 볼륨 생성\n"
        "    - docker volume list-all : 볼륨 목록\n"
        "\n"
        "### 옵션 정리\n"
        "\n"
        "| 옵션 | 설명 |\n"
        "|---|---|\n"
        "| --rm | 제거 |\n"
    )
    claims = option_claims(Path("docs/volumes.md"), text)
    assert claims[-1] == OptionClaim(Path("docs/volumes.md"), 9, "table", "")
    assert check_option_claims(claims) == [
        "docs/volumes.md:3: no such command: docker volume list-all",
        "docs/volumes.md:9: option table row names no `docker <command>` and option",
    ]


def test_the_empty_docker_config_is_gone_when_the_process_ends(tmp_path: Path) -> None:
    """Each run left one empty /tmp/docharness-help-* folder (223 on this machine after a day
    of runs; issue 26 item 5: a run leaves nothing in /tmp)."""
    code = "from docharness import synopsis; print(synopsis._empty_config())"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    made = Path(done.stdout.strip())
    assert made.name.startswith("docharness-help-"), done.stdout
    assert not made.exists(), f"{made} is left behind"
