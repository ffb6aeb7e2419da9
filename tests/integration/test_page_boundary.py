"""A page's shell and its Python blocks against the real lab: they drive their own daemon, and
cannot read the lab's secrets, reach the other lab daemon's socket, or write outside the
page's folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from contracts.layout import lab_dir
from docharness import shell as shell_module
from docharness.boundary import interpreter, other_labs
from docharness.daemon import Daemon
from docharness.page import ROOT, PageRun
from docharness.pysandbox import PageWorker

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
        assert run(shown).output == ""
        # The home folder shows only the way to the Python that runs the page's blocks.
        home = Path.home()
        kept = {p.relative_to(home).parts[0] for p in interpreter() if home in p.parents}
        assert set(run(f"ls -A {home}").output.split()) == kept
        for python in (p for p in interpreter() if home in p.parents):
            assert run(f"ls {python}/bin").status == 0
    finally:
        page.finish()


def test_a_python_block_cannot_read_the_lab_secrets_or_write_outside(
    docker_host: str, tmp_path: Path
) -> None:
    lab = lab_dir(ROOT, os.environ)
    secrets = sorted(p for p in (lab / "secrets").iterdir() if p.suffix != ".crt")
    password = json.loads((lab / "secrets" / "login.json").read_text())["password"]
    page = PageRun(tmp_path / "page.md", tmp_path, Daemon(docker_host, "lab"))
    page.resources["python"] = worker = PageWorker(page.shell)

    def run(source: str) -> None:
        worker.run(tmp_path / "page.md", "page.md", 0, source, 60)

    try:
        run("import docker\n\nassert docker.from_env().version()['Version']\n")  # its own daemon
        for secret in secrets:
            run(f"assert open({str(secret)!r}, 'rb').read() == b''\n")
        run(f"assert open({str(lab / 'secrets' / 'ca.crt')!r}).read().startswith('-----BEGIN')\n")
        run(f"import os\n\nassert {password!r} not in repr(os.environ)\n")
        others = [p for p in (lab / "run").iterdir() if p.is_dir() and p.name != "labbuild"]
        for folder in others:
            if f"unix://{folder}/docker.sock" != docker_host:
                run(f"import os\n\nassert os.listdir({str(folder)!r}) == []\n")
        for outside in (ROOT / ".cache" / "faults-marker-py", tmp_path.parent / "faults-py"):
            run(_refused(outside))
            assert not outside.exists()
        run("with open('inside.txt', 'w') as inside:\n    inside.write('x')\n")
        assert (tmp_path / "inside.txt").read_text() == "x"
        git = str(ROOT / ".git")  # a folder in a clone, a file in a worktree
        run(
            f"import os\n\nif os.path.isdir({git!r}):\n    assert os.listdir({git!r}) == []\n"
            f"else:\n    assert open({git!r}).read() == ''\n"
        )
    finally:
        page.finish()


def _refused(path: Path) -> str:
    """A block that fails unless writing ``path`` is refused as a read-only filesystem."""
    return (
        "import errno\n\ntry:\n"
        f"    open({str(path)!r}, 'w')\n"
        "except OSError as error:\n"
        "    assert error.errno == errno.EROFS, error\n"
        "else:\n"
        "    raise AssertionError('written')\n"
    )


def test_a_page_is_root_by_name_only_and_still_drives_its_daemon(run_page: Any) -> None:
    """R18, B1, B2: no capability, so no unmount or remount; lab.json reads as empty; the
    daemon's socket, a bind mount of the page's folder and `docker login` still work."""
    result = run_page("right_boundary.md")
    assert result.status == 0, result.output
    blocks = result.report["blocks"]
    assert len(blocks) == 3 and all(b["status"] == "passed" for b in blocks), blocks


def test_lab_json_holds_no_password() -> None:
    """B1: the state file names the password's file (hidden from pages), not the password."""
    lab = lab_dir(ROOT, os.environ)
    password = json.loads((lab / "secrets" / "login.json").read_text())["password"]
    text = (lab / "lab.json").read_text()
    assert password not in text and '"password"' not in text
    assert json.loads(text)["login"]["password_file"] == str(lab / "secrets" / "login.json")


def test_a_python_block_that_forges_its_pass_fails_itself(run_page: Any) -> None:
    """B8: the forged `{"ok": true}` fails the forging block, not the next one."""
    result = run_page("forged_python.md")
    assert [b["status"] for b in result.report["blocks"]] == ["failed", "passed"], result.output
    assert "forged_python.md:5: the Python block wrote to the harness's reply pipe" in (
        result.output
    )


def test_a_timeout_ends_what_the_block_daemonized(run_page: Any) -> None:
    """X9: a shell block's and a Python block's setsid double-fork die with their timeout."""
    result = run_page("daemonized.md")
    statuses = [b["status"] for b in result.report["blocks"]]
    assert statuses == ["failed", "failed", "passed"], result.output
    left = [c for c in _command_lines() if c.startswith(("sleep 1002", "sleep 1003"))]
    assert not left, left


def _command_lines() -> list[str]:
    """Every process's command line on the machine."""
    lines = []
    for entry in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            lines.append(Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return lines


def test_a_page_reads_nothing_of_the_other_labs_on_this_machine(
    docker_host: str, tmp_path: Path
) -> None:
    """T4, B3: every other lab the machine's claims name (other checkouts') is hidden."""
    others = [lab for lab in other_labs(lab_dir(ROOT, os.environ)) if lab.is_dir()]
    if not others:
        pytest.skip("no other checkout's lab on this machine (tests/test_boundary.py fakes one)")
    page = PageRun(tmp_path / "page.md", tmp_path, Daemon(docker_host, "lab"))
    try:
        run = page.shell.run
        for lab in others:
            for secret in (lab / "secrets").glob("*"):
                assert run(f"cat {secret} 2>/dev/null | wc -c").output.strip() == "0", secret
            shown = run(f"cat {lab / 'lab.json'} 2>/dev/null | wc -c").output
            assert shown.strip() == "0", lab
            assert run(f"ls -A {lab / 'run'} 2>/dev/null").output == "", lab
            for socket in (lab / "run").glob("*/docker.sock"):
                refused = run(f"docker -H unix://{socket} info --format '{{{{.Name}}}}'")
                assert refused.status != 0, (socket, refused.output)
    finally:
        page.finish()
