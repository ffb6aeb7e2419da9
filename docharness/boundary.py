"""What a page's shell may see and change: the mount view its namespace is given.

The page shell (as root, where namespaces are allowed) runs in a mount namespace of its own.
There the page's folder is the only writable place: every other mount is remounted read-only
(per mount, in that namespace only: the host's mounts are untouched). Some paths are hidden:
the lab's secrets (keys, the login, htpasswd; the certificates stay), its state file
``lab.json``, the other lab daemons' folders (their sockets), the daemons' exec-roots, the
checkout's ``.git`` and the other worktrees of the repository, every other checkout's lab on
the machine (the ones ``/run/doclab/claims`` names: their secrets, ``lab.json``, ``run``
folder and their checkout's ``.git``), and the home folder of the user running the tests. The
Python that runs the harness stays visible inside a hidden folder (pyenv keeps it in the home
folder): the page's Python blocks run with it. The page then runs without any capability
(``docharness.shell``), so it cannot unmount or remount any of this.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The lab's per-machine folder of exec-roots (containerd sockets): lab.paths.MACHINE_RUN.
MACHINE_RUN = Path("/run/doclab")
# One file per lab instance on the machine, naming that lab's folder: lab.claims.CLAIMS.
CLAIMS = MACHINE_RUN / "claims"
STATE_FILE = "lab.json"  # contracts.layout.LAB_FILE
LAST_PID = "/proc/sys/kernel/ns_last_pid"


def interpreter() -> tuple[Path, ...]:
    """The folders of the Python running us (its installation, its virtualenv)."""
    return tuple(dict.fromkeys(Path(p).resolve() for p in (sys.base_prefix, sys.prefix)))


@dataclass(frozen=True)
class View:
    """The page shell's view: the one writable folder, the paths it must not read, and the
    paths inside those that it still reads (read-only)."""

    writable: Path
    hidden: tuple[Path, ...] = ()
    kept: tuple[Path, ...] = field(default_factory=interpreter)


def lab_hidden(root: Path, lab_dir: Path, socket: Path | None, claims: Path = CLAIMS) -> list[Path]:
    """The paths a page must not read, of those that exist.

    ``socket`` is the page's own daemon's socket: its folder stays visible, the other lab
    daemons' folders beside it do not. ``claims`` names the machine's labs (``lab.claims``).
    """
    hidden: list[Path] = []
    secrets = lab_dir / "secrets"
    if secrets.is_dir():
        hidden += [p for p in sorted(secrets.iterdir()) if p.suffix != ".crt"]
    hidden.append(lab_dir / STATE_FILE)
    hidden += _other_daemons(lab_dir / "run", socket)
    hidden += [MACHINE_RUN, root / ".git", *_other_worktrees(root)]
    for other in other_labs(lab_dir, claims):
        hidden += [other / "secrets", other / STATE_FILE]
        # The page's own daemon may live in a lab that LAB_DIR does not name (DOCS_DOCKER_HOST
        # pointing into another lab): its socket stays, that lab's other daemons do not.
        run = other / "run"
        inside = socket is not None and run in socket.parents
        hidden += _other_daemons(run, socket) if inside else [run]
        checkout = _checkout_of(other)
        if checkout is not None and checkout.resolve() != root.resolve():
            hidden.append(checkout / ".git")
    home = Path(os.path.expanduser("~"))
    keep = (root, lab_dir)
    if home != Path("/") and not any(k == home or home in k.parents for k in keep):
        hidden.append(home)
    return [p for p in hidden if p.exists() or p.is_symlink()]


def _other_daemons(run: Path, socket: Path | None) -> list[Path]:
    """The daemon folders in a lab's ``run`` but the one holding ``socket``."""
    if socket is None or not run.is_dir():
        return []
    return [p for p in sorted(run.iterdir()) if p.is_dir() and p != socket.parent]


def other_labs(lab_dir: Path, claims: Path = CLAIMS) -> list[Path]:
    """The lab folders the machine's claims name, but ``lab_dir``: running or not, each may
    hold a password, a daemon's socket, a checkout's history."""
    try:
        files = sorted(claims.iterdir())
    except OSError:  # no lab ever ran on this machine, or no claims folder yet
        return []
    own = lab_dir.resolve()
    found: list[Path] = []
    for file in files:
        try:
            named = Path(file.read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError):
            continue
        if named.is_absolute() and named.resolve() != own and named not in found:
            found.append(named)
    return found


def _checkout_of(lab: Path) -> Path | None:
    """The checkout a lab folder lives in (``.cache/lab`` by default, any LAB_DIR inside
    one): the nearest folder above it that holds ``.git``."""
    for folder in lab.parents:
        if folder == Path("/"):
            return None
        if (folder / ".git").exists():
            return folder
    return None


def _other_worktrees(root: Path) -> list[Path]:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "worktree", "list", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    trees = [Path(line[9:]) for line in done.stdout.splitlines() if line.startswith("worktree ")]
    return [tree for tree in trees if tree.resolve() != root.resolve()]


def mount_script(view: View) -> str:
    """Shell commands, run as PID 1 of the page's namespaces before the page shell starts."""
    writable = shlex.quote(str(view.writable))
    # The page's folder stays writable, and so does the PID counter of the page's own PID
    # namespace (the shell's init sets it last); the rest of /proc/sys is the host's.
    lines = [f"mount --bind {writable} {writable}", f"mount --bind {LAST_PID} {LAST_PID}"]
    # A hidden folder that holds the page's own (a test's HOME) would hide the page too.
    hidden = [h for h in view.hidden if h != view.writable and h not in view.writable.parents]
    for path in hidden:
        if any(folder in path.parents for folder in hidden):
            continue  # covered with its folder (another worktree's lab): nothing left to mount on
        quoted = shlex.quote(str(path))
        kept = [k for k in view.kept if path in k.parents and k.is_dir()]
        if path.is_dir() and not path.is_symlink():
            lines += _hide_folder(quoted, [shlex.quote(str(k)) for k in kept])
        else:
            lines.append(_unless_gone(f"mount --bind /dev/null {quoted}", quoted))
    # Every mount but the page's folder read-only (mountinfo escapes spaces as \040).
    lines.append(
        "while read -r _ _ _ _ point _; do printf -v point '%b' \"$point\"; "
        f'case "$point" in {writable}|{LAST_PID}) ;; '
        '*) mount -o remount,bind,ro "$point" 2>/dev/null ;; esac; '
        "done </proc/self/mountinfo"
    )
    # Our directory was entered before the bind mount covered it: enter the mount itself.
    lines.append(f"cd {writable}")
    failed = "echo 'docharness: cannot set up the view of the filesystem for the page' >&2"
    return " &&\n".join(lines) + f" || {{ {failed}; exit 1; }}"


def _unless_gone(mount: str, path: str) -> str:
    """``mount``, or nothing when ``path`` is gone by then: another checkout's lab can go down
    between the view and the page's start, and what no longer exists needs no hiding. Any
    other failure still stops the page."""
    return f"{{ {mount} || ! {{ [ -e {path} ] || [ -L {path} ]; }}; }}"


def _hide_folder(folder: str, kept: list[str]) -> list[str]:
    """An empty tmpfs over ``folder``; the ``kept`` folders inside it bound back in.

    Each kept folder is opened before the tmpfs covers it, then bound from that descriptor
    (``--no-canonicalize``: the kernel follows /proc/self/fd/N to the folder itself, not to
    the covered path it is named by). The tmpfs is made read-only with every other mount.
    """
    if not kept:
        return [
            _unless_gone(f"mount -t tmpfs -o ro,size=4k,mode=0555 doclab-hidden {folder}", folder)
        ]
    fds = range(10, 10 + len(kept))
    lines = [f"exec {fd}<{path}" for fd, path in zip(fds, kept, strict=True)]
    lines.append(f"mount -t tmpfs -o size=4k,mode=0755 doclab-hidden {folder}")
    for fd, path in zip(fds, kept, strict=True):
        lines += [
            f"mkdir -p {path}",
            f"mount --bind --no-canonicalize /proc/self/fd/{fd} {path}",
            f"exec {fd}<&-",
        ]
    return lines
