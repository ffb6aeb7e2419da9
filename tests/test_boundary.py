"""Which paths a page's shell must not see."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from docharness import shell as shell_module
from docharness.boundary import View, lab_hidden, mount_script
from docharness.shell import PageShell


def test_the_lab_secrets_and_other_daemons_are_hidden_not_the_certificates(
    tmp_path: Path,
) -> None:
    root, lab = tmp_path / "checkout", tmp_path / "checkout" / ".cache" / "lab"
    secrets, run = lab / "secrets", lab / "run"
    for folder in (secrets, run / "lab0", run / "lab1", root / ".git"):
        folder.mkdir(parents=True)
    for name in ("ca.crt", "server.key", "token.key", "login.json", "htpasswd"):
        (secrets / name).write_text("x")
    (run / "mirror.pid").write_text("1 docker-registry")
    (lab / "lab.json").write_text("{}")
    hidden = lab_hidden(root, lab, run / "lab0" / "docker.sock", tmp_path / "no-claims")
    names = {p.relative_to(tmp_path).as_posix() for p in hidden if tmp_path in p.parents}
    assert names == {
        "checkout/.cache/lab/lab.json",
        "checkout/.cache/lab/secrets/htpasswd",
        "checkout/.cache/lab/secrets/login.json",
        "checkout/.cache/lab/secrets/server.key",
        "checkout/.cache/lab/secrets/token.key",
        "checkout/.cache/lab/run/lab1",
        "checkout/.git",
    }


def test_other_worktrees_are_hidden(tmp_path: Path) -> None:
    main, other = tmp_path / "main", tmp_path / "other"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q", str(main)], check=True)
    subprocess.run([*git, "-C", str(main), "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    subprocess.run([*git, "-C", str(main), "worktree", "add", "-q", str(other)], check=True)
    assert other in lab_hidden(main, tmp_path / "lab", None)
    assert main not in lab_hidden(main, tmp_path / "lab", None)


def test_the_script_quotes_paths(tmp_path: Path) -> None:
    odd = tmp_path / "a b; rm -rf x"
    script = mount_script(View(odd, (odd / "s",)))
    assert f"mount --bind '{odd}' '{odd}'" in script


def test_a_kept_folder_inside_a_hidden_one_is_bound_back(tmp_path: Path) -> None:
    home, python = tmp_path / "home", tmp_path / "home" / ".pyenv" / "versions" / "3"
    python.mkdir(parents=True)
    script = mount_script(View(tmp_path / "page", (home,), (python,)))
    assert f"exec 10<{python}" in script
    assert script.index(f"exec 10<{python}") < script.index(f"doclab-hidden {home}")
    assert f"mount --bind --no-canonicalize /proc/self/fd/10 {python}" in script
    # Not kept: the folder is simply covered, read-only.
    assert f"mount -t tmpfs -o ro,size=4k,mode=0555 doclab-hidden {home}" in mount_script(
        View(tmp_path / "page", (home,), ())
    )


def _other_checkout(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A checkout, another checkout with its lab (secrets, lab.json, sockets, .git), and the
    machine's claims naming both labs, as ``lab.claims`` writes them."""
    root, other = tmp_path / "checkout", tmp_path / "other"
    other_lab = other / ".cache" / "lab"
    for folder in (
        root / ".git",
        other / ".git",
        other_lab / "secrets",
        other_lab / "run" / "lab0",
    ):
        folder.mkdir(parents=True)
    (other_lab / "secrets" / "login.json").write_text('{"password": "hunter2"}')
    (other_lab / "lab.json").write_text("{}")
    (other_lab / "run" / "lab0" / "docker.sock").write_text("")
    (other / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    claims = tmp_path / "claims"
    claims.mkdir()
    (claims / "0").write_text(f"{root / '.cache' / 'lab'}\n")
    (claims / "5").write_text(f"{other_lab}\n")
    return root, other, claims


def test_every_other_lab_the_claims_name_is_hidden(tmp_path: Path) -> None:
    root, other, claims = _other_checkout(tmp_path)
    hidden = lab_hidden(root, root / ".cache" / "lab", None, claims)
    lab = other / ".cache" / "lab"
    for path in (lab / "secrets", lab / "lab.json", lab / "run", other / ".git"):
        assert path in hidden, path
    assert root / ".git" in hidden  # its own, as before


def test_a_daemon_the_page_was_given_in_another_lab_stays_reachable(tmp_path: Path) -> None:
    """DOCS_DOCKER_HOST may name a daemon of another lab (the harness's own tests do): its
    socket stays, that lab's secrets, state and other daemons do not."""
    root, other, claims = _other_checkout(tmp_path)
    lab = other / ".cache" / "lab"
    (lab / "run" / "lab1").mkdir()
    hidden = lab_hidden(root, root / ".cache" / "lab", lab / "run" / "lab0" / "docker.sock", claims)
    assert lab / "run" not in hidden and lab / "run" / "lab0" not in hidden
    for path in (lab / "secrets", lab / "lab.json", lab / "run" / "lab1", other / ".git"):
        assert path in hidden, path


@pytest.mark.skipif(
    not shell_module._may_unshare(),
    reason="a mount namespace needs root, and a host that allows it",
)
def test_a_page_reads_nothing_of_another_checkouts_lab(tmp_path: Path) -> None:
    root, other, claims = _other_checkout(tmp_path)
    lab = other / ".cache" / "lab"
    workdir = tmp_path / "page"
    workdir.mkdir()
    page = PageShell(
        workdir, "unix:///nonexistent.sock", lab_hidden(root, root / ".cache" / "lab", None, claims)
    )
    try:
        shown = page.run(
            f"cat {lab}/secrets/login.json {lab}/lab.json; ls -A {lab}/run {other}/.git; echo end"
        )
        assert "hunter2" not in shown.output and "HEAD" not in shown.output, shown.output
        assert "docker.sock" not in shown.output and shown.lines[-1] == "end", shown.output
        undone = page.run(f"umount {lab}/secrets; cat {lab}/secrets/login.json")
        assert "hunter2" not in undone.output, undone.output
    finally:
        page.close()


def test_a_path_inside_a_hidden_folder_is_hidden_with_it(tmp_path: Path) -> None:
    # Another worktree is hidden whole; its lab's secrets, named by a claim, are inside it.
    worktree = tmp_path / "main"
    secrets = worktree / ".cache" / "lab" / "secrets"
    secrets.mkdir(parents=True)
    script = mount_script(View(tmp_path / "page", (worktree, secrets), ()))
    assert f"doclab-hidden {worktree}" in script
    assert str(secrets) not in script  # the tmpfs over the worktree holds no such folder


@pytest.mark.skipif(
    not shell_module._may_unshare(),
    reason="a mount namespace needs root, and a host that allows it",
)
def test_a_hidden_path_gone_before_the_page_starts_does_not_stop_it(tmp_path: Path) -> None:
    """Another checkout's lab went down between the view and the page shell (CI saw
    `mount: …/lab.json: mount point does not exist` fail every block of a page)."""
    gone_file, gone_folder, there = tmp_path / "lab.json", tmp_path / "secrets", tmp_path / "kept"
    gone_file.write_text("{}")
    gone_folder.mkdir()
    there.write_text("hunter2")
    workdir = tmp_path / "page"
    workdir.mkdir()
    page = PageShell(workdir, "unix:///nonexistent.sock", [gone_file, gone_folder, there])
    gone_file.unlink()
    gone_folder.rmdir()
    try:
        shown = page.run(f"cat {there}; echo end")
        assert "hunter2" not in shown.output and shown.lines[-1] == "end", shown.output
    finally:
        page.close()
