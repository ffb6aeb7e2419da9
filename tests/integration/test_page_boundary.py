"""A page's shell against the real lab: it drives its own daemon, and cannot read the lab's
secrets, reach the other lab daemon's socket, or write outside its folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docharness import shell as shell_module
from docharness.daemon import Daemon
from docharness.labstate import lab_dir
from docharness.page import ROOT, PageRun

pytestmark = pytest.mark.skipif(
    not shell_module._may_unshare(),
    reason="a mount namespace needs root, and a host that allows it",
)


def test_a_page_cannot_read_the_lab_secrets_or_write_outside(
    docker_host: str, tmp_path: Path
) -> None:
    lab = lab_dir(ROOT, os.environ)
    secrets = sorted(p for p in (lab / "secrets").iterdir() if p.suffix != ".crt")
    assert secrets, "the lab has secrets to hide"
    page = PageRun(tmp_path / "page.md", tmp_path, Daemon(docker_host, "lab"))
    try:
        run = page.shell.run
        assert run("docker info --format '{{.ServerVersion}}'").status == 0  # its own daemon
        for secret in secrets:
            assert run(f"cat {secret}").output == "", secret
        assert run(f"cat {lab / 'secrets' / 'ca.crt'}").output.startswith("-----BEGIN")
        others = [p for p in (lab / "run").iterdir() if p.is_dir() and p.name != "labbuild"]
        for folder in others:
            if f"unix://{folder}/docker.sock" != docker_host:
                assert run(f"ls -A {folder}").output == ""
        marker = ROOT / ".cache" / "faults-marker"
        assert "Read-only file system" in run(f"touch {marker}").output
        assert not marker.exists()
        git = ROOT / ".git"  # a folder in a clone, a file naming the repository in a worktree
        shown = f"ls -A {git}" if git.is_dir() else f"cat {git}"
        assert run(shown).output == "" and run("ls -A /root").output == ""
    finally:
        page.finish()
