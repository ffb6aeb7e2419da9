"""`busybox:latest` is Debian's busybox-static laid out as upstream's image."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pexpect
import pytest

from contracts.lab_state import LabState
from lab.paths import PYPI
from tests.lab.conftest import Docker, lab_cli

pytestmark = pytest.mark.lab


def test_busybox_is_the_real_program_with_upstream_layout(docker: Docker) -> None:
    assert docker("pull", "-q", "busybox:latest").returncode == 0
    banner = docker("run", "--rm", "busybox:latest", "busybox").stdout.splitlines()[0]
    assert banner.startswith("BusyBox v1.38.0 (Debian 1:1.38.0-"), banner
    config = json.loads(docker("image", "inspect", "busybox:latest").stdout)[0]["Config"]
    assert config["Cmd"] == ["sh"]
    listing = docker("run", "--rm", "busybox:latest", "ls", "-i", "/bin").stdout.split()
    inodes = dict(zip(listing[1::2], listing[0::2], strict=True))
    # Every applet is a hard link to the one binary, as upstream's image has them.
    assert inodes["sh"] == inodes["ls"] == inodes["busybox"]
    assert docker("run", "--rm", "busybox:latest", "id").stdout.strip() == (
        "uid=0(root) gid=0(root) groups=0(root),10(wheel)"
    )


def test_busybox_wget_takes_a_timeout(docker: Docker) -> None:
    """E1: bookworm's busybox 1.35 segfaulted (exit 139) on `wget -T N`; upstream's does not."""
    assert docker("pull", "-q", "busybox:latest").returncode == 0
    url = f"http://{PYPI[0]}:{PYPI[1]}/"  # the lab PyPI: what every container may reach
    fetch = f"wget -T 3 -q -O- {url} >/dev/null; echo rc=$?"
    done = docker("run", "--rm", "busybox:latest", "sh", "-c", fetch)
    assert done.stdout.strip() == "rc=0", done.stdout + done.stderr


def test_busybox_sh_prompt_is_upstreams(
    docker: Docker, lab_state: LabState, docker_host: str, tmp_path: Path
) -> None:
    assert docker("pull", "-q", "busybox:latest").returncode == 0
    program = str(lab_cli(lab_state).bin / "docker")
    env = {**os.environ, "DOCKER_HOST": docker_host, "DOCKER_CONFIG": str(tmp_path / ".docker")}
    session = pexpect.spawn(
        program, ["run", "-it", "--rm", "busybox:latest", "sh"], env=env, encoding="utf-8"
    )
    try:
        session.expect("Enter 'help' for a list of built-in commands.", timeout=30)
        # The prompt, then (Debian's build asks the terminal where the cursor is) ESC[6n,
        # which a terminal answers without showing anything.
        session.expect(r"\r\n\r?\n?([^\x1b\r\n]+)", timeout=10)
        assert session.match.group(1) == "/ # "
        session.sendline("exit")
        session.expect(pexpect.EOF, timeout=10)
    finally:
        session.close(force=True)
