"""Interactive commands: which ones need a pty, and a real session typed into."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import docker
import pytest

from docharness.interactive import Session, clean, is_interactive, prompt_pattern

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("docker run -it centos:8 bash", True),
        ("docker run --name web -ti ubuntu:14.04 bash", True),
        ("docker container run -it debian bash", True),
        ("docker attach container-test1", True),
        ("docker container attach container-test1", True),
        ("docker exec -it web bash", True),
        ("docker start -ai container-test1", True),
        ("docker login", True),
        ("docker login -u me -p secret", False),
        ("docker create -it --name container-test1 ubuntu:14.04", False),
        ("docker run -dit --name web nginx", False),
        ('docker run debian sh -c "ls -it"', False),
        ("docker ps", False),
    ],
)
def test_is_interactive(command: str, expected: bool) -> None:
    assert is_interactive(command) is expected


def test_clean_removes_escapes_and_carriage_returns() -> None:
    assert clean("\x1b[?2004lhi\r\n\x1b[1mbold\x1b[0m\r\nold\rnew") == "hi\nbold\nnew"


def test_prompt_shapes() -> None:
    import re

    assert re.fullmatch(prompt_pattern("[root@cdc1bef7f247 /]# "), "[root@0123456789ab /]# ")
    assert re.fullmatch(prompt_pattern("root@328d830cc003:/# "), "\x1b[?2004hroot@0a1b:/tmp# ")
    assert re.fullmatch(prompt_pattern("bash-5.1# "), "\x1b[?2004hbash-5.3# ")
    assert not re.fullmatch(prompt_pattern("bash-5.1# "), "root@0a1b:/# ")
    assert re.fullmatch(prompt_pattern("bash-4.4# "), "\x1b[?2004hbash-5.2# ")
    assert re.fullmatch(prompt_pattern("sh-5.2# "), "sh-5.2# ")
    busybox = re.compile(prompt_pattern("/ # "))
    assert busybox.search("ls\r\nbin\r\n/app # ").group(0) == "/app # "
    assert busybox.search("echo 1 / 2 # half\r\n") is None  # not at a line's start


def test_a_real_session(tmp_path: Path, docker_host: str, debian_image: str) -> None:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "DOCKER_HOST": docker_host,
        "HOME": str(tmp_path),
    }
    session = Session(
        f"docker run -it --rm --network none {debian_image} bash",
        tmp_path,
        env,
        page_prompt="root@328d830cc003:/# ",
        timeout=60,
    )
    try:
        session.start()
        assert session.prompt.startswith("root@")
        assert session.type("echo $$") == "1"
        assert session.type("echo $((6 * 7)); false") == "42"
        session.type("exit 3")
        assert not session.alive and session.status == 3
    finally:
        session.close()


def tty_mode(container: Any) -> bytes:
    """`stty` of the container's terminal, as PID 1 (the shell) has it."""
    return bytes(container.exec_run(["stty", "-F", "/proc/1/fd/0"]).output)


def test_attach_types_only_while_the_shell_reads(
    tmp_path: Path, docker_host: str, debian_image: str
) -> None:
    """Typed lines reach the attached shell at its prompt, never between two prompts.

    Between two prompts bash hands the terminal back to its normal (canonical, echoing)
    mode, so a line typed then comes back as the kernel's echo before bash has read it, and
    bash's next prompt follows at once: the session would take that echo and that prompt for
    an empty output. `PROMPT_COMMAND='sleep 1'` holds bash between two prompts for a second,
    the time a loaded machine may take; a session that pressed Enter on attaching (as it did)
    types into that second every time.
    """
    client = docker.DockerClient(base_url=docker_host)
    container = client.containers.create(
        debian_image,
        "bash",
        tty=True,
        stdin_open=True,
        network_mode="none",
        environment={"PROMPT_COMMAND": "sleep 1"},
    )
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "DOCKER_HOST": docker_host,
        "HOME": str(tmp_path),
    }
    session = None
    try:
        container.start()
        # The page's case: the shell waits at its first prompt, its line editor reading (the
        # terminal out of canonical mode; the log has no prompt: it keeps whole lines only).
        deadline = time.monotonic() + 30
        while b"-icanon" not in (mode := tty_mode(container)):
            assert time.monotonic() < deadline, mode
            time.sleep(0.1)
        session = Session(
            f"docker attach {container.id}", tmp_path, env, page_prompt="root@328d830cc003:/# "
        )
        session.start()
        assert session.prompt.startswith("root@")
        assert session.type("echo attached") == "attached"
        session.type("exit")
        assert not session.alive and session.status == 0
    finally:
        if session is not None:
            session.close()
        container.remove(force=True)
        client.close()
