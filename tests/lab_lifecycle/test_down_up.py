"""`make lab-down` leaves nothing of the lab behind; `make lab` brings it back, empty of images.

Runs alone, after every other test (`make test-lab-lifecycle`): it stops the lab.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.stores import image_store
from lab import build, engines, ipv6, namespace, network, procs, registries
from lab.paths import EXEC_ROOT, LAB_DIR, page_daemons

DOCKER = str(engines.selected().docker)  # the engine's own CLI, as the pages run it

pytestmark = pytest.mark.lab


def lab(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", command], capture_output=True, text=True, timeout=600
    )


def lab_processes() -> list[str]:
    """Every process whose command line names a path inside the lab's folder, or its
    exec-root. Another checkout's engine names this lab's folder itself (it covers every lab's
    folder, lab.namespace), never a path inside it: that process is not ours."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if f"{LAB_DIR}/" in cmdline or str(EXEC_ROOT) in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def hosts_digest() -> str:
    return hashlib.sha256(Path("/etc/hosts").read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def lab_back_up() -> object:
    if os.environ.get("DOCS_DOCKER", "lab") != "lab":
        pytest.skip("DOCS_DOCKER=own: there is no lab to take down")
    yield
    assert lab("up").returncode == 0


def test_down_leaves_no_process_mount_bridge_or_rule() -> None:
    hosts_before = hosts_digest()
    # The forwarding setting the lab found (it noted it when it had to turn forwarding on);
    # while another checkout's lab runs, forwarding stays on for it.
    found = network.FORWARD_BEFORE.read_text() if network.FORWARD_BEFORE.exists() else "1"
    if network.other_lab_chains():
        found = "1"
    engine_namespaces = [namespace.mount_namespace(d.name) for d in page_daemons()]
    assert None not in engine_namespaces, "an engine is not running before down"
    engine_processes = {m for ns in engine_namespaces if ns for m in namespace.members(ns)}
    assert engine_processes
    result = lab("down")
    assert result.returncode == 0, result.stderr
    assert lab_processes() == []
    assert namespace.survivors(engine_processes) == set()
    assert all(procs.running_pid(name) is None for name in registries.SERVERS)
    mounts = Path("/proc/self/mountinfo").read_text()
    assert str(LAB_DIR) not in mounts and str(EXEC_ROOT) not in mounts
    assert str(engines.CACHE) not in mounts
    assert engines.selected().manifest.exists()  # down keeps the machine-wide engine cache
    # By name: another lab instance's bridges (doclab1-0) may start with ours (doclab1).
    assert {daemon.bridge for daemon in page_daemons()} & link_names() == set()
    assert network.lab_rules() == []
    # C7: Docker's IPv6 chains stay only while a running dockerd (another lab's of before
    # "ip6tables": false, a system one) may own them; down removes those nobody owns.
    leftovers = ipv6.leftovers()
    assert leftovers == [] or ipv6.owners(), leftovers
    assert Path(network.IP_FORWARD).read_text().strip() == found
    assert hosts_digest() == hosts_before
    again = lab("down")
    assert again.returncode == 0, again.stderr  # idempotent


def link_names() -> set[str]:
    """The names of the host's network interfaces."""
    listing = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in listing.splitlines()}


def foreign_links() -> set[str]:
    """The host's network interfaces that are not the lab's (docker0 of a system daemon...).

    `br-<id>` bridges are left out: any daemon on the host, another checkout's lab among them,
    creates and removes one per user-defined network while this test runs; the lab itself
    never names one (it removes only the `doclab` links it made).
    """
    dynamic = ("doclab", "veth", "br-")
    return {name for name in link_names() if not name.startswith(dynamic)}


def test_up_starts_daemons_with_no_image_loaded() -> None:
    links_before = foreign_links()
    assert lab("down").returncode == 0
    result = lab("up")
    assert result.returncode == 0, result.stderr
    assert foreign_links() == links_before  # e.g. no docker0 deleted or created
    for daemon in page_daemons():
        images = subprocess.run(
            [DOCKER, "-H", f"unix://{daemon.socket}", "images", "-q"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert images == "", f"{daemon.name} starts with images: {images}"


@pytest.mark.parametrize("which", ["unshare", "init", "dockerd"])
def test_up_restarts_a_dead_daemon(which: str) -> None:
    """Killed from outside (unshare) or inside (the init, PID 1 of its namespace, or dockerd,
    its child), an engine takes its namespace along, and `make lab` starts it again."""
    victim = page_daemons()[-1]
    pid = procs.running_pid(victim.name)
    engine = namespace.engine_pid(victim.name)
    dockerd = namespace.dockerd_pid(victim.name)
    mount_namespace = namespace.mount_namespace(victim.name)
    assert pid is not None and engine is not None and dockerd is not None
    assert mount_namespace is not None
    inside = namespace.members(mount_namespace)
    os.kill({"unshare": pid, "init": engine, "dockerd": dockerd}[which], signal.SIGKILL)
    assert procs.wait_gone([pid, engine, dockerd])
    assert namespace.survivors(inside) == set()
    result = lab("up")
    assert result.returncode == 0, result.stderr
    assert procs.running_pid(victim.name) not in (None, pid)
    ping = subprocess.run(
        [DOCKER, "-H", f"unix://{victim.socket}", "info", "-f", "{{.ID}}"],
        capture_output=True,
        text=True,
    )
    assert ping.returncode == 0, ping.stderr


def test_up_without_root_says_what_is_needed() -> None:
    result = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "lab",
            "up",
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("lab: needs root")


def test_up_switches_the_engine_and_back() -> None:
    """`LAB_ENGINE=trixie make lab` restarts the page daemons on trixie's engine; a plain
    `make lab` brings the default engine back, on its image store; the other engine's
    namespaces are gone."""
    daemon = page_daemons()[0]
    before = namespace.mount_namespace(daemon.name)
    assert before is not None
    sid_processes = namespace.members(before)
    other = subprocess.run(
        [sys.executable, "-m", "lab", "up"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "LAB_ENGINE": "trixie"},
    )
    assert other.returncode == 0, other.stderr
    trixie = engines.ENGINES["trixie"]
    server = ["-H", f"unix://{daemon.socket}", "version", "-f", "{{.Server.Version}}"]
    version = subprocess.run([str(trixie.docker), *server], capture_output=True, text=True).stdout
    assert version.startswith(trixie.version_prefix), version
    assert namespace.survivors(sid_processes) == set()
    switched = namespace.mount_namespace(daemon.name)
    assert switched is not None
    trixie_processes = namespace.members(switched)
    assert lab("up").returncode == 0
    back = subprocess.run(
        [DOCKER, *server],
        capture_output=True,
        text=True,
    ).stdout
    assert back.startswith(engines.selected().version_prefix), back
    # The store too: sid's 28.5 runs both, so the version alone would pass a lab come back on
    # the classic store; the default's daemon reports driver-type io.containerd.snapshotter.v1.
    info = ["-H", f"unix://{daemon.socket}", "info", "-f", "{{json .DriverStatus}}"]
    status = subprocess.run([DOCKER, *info], capture_output=True, text=True).stdout
    assert image_store(json.loads(status)) == engines.selected().store, status
    assert namespace.survivors(trixie_processes) == set()


def test_fresh_clone_on_a_used_machine_starts_warm(tmp_path: Path) -> None:
    """A second checkout's first `make lab` (an empty LAB_DIR, the same instance number) seeds
    every image from the machine cache: no base made, no image built, and the images pull."""
    assert lab("down").returncode == 0
    env = {**os.environ, "LAB_DIR": str(tmp_path / "lab")}
    up = subprocess.run(
        [sys.executable, "-m", "lab", "up"], capture_output=True, text=True, timeout=600, env=env
    )
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        seeded = [line for line in up.stdout.splitlines() if line.startswith("lab: image ")]
        assert len(seeded) == len(build.recipes()), up.stdout
        assert all(line.endswith("(machine cache)") for line in seeded), up.stdout
        assert "lab: base" not in up.stdout
        socket = tmp_path / "lab" / "run" / page_daemons()[0].name / "docker.sock"
        for image in ("debian:latest", "python:3.14"):
            pull = subprocess.run(
                [DOCKER, "-H", f"unix://{socket}", "pull", "-q", image],
                capture_output=True,
                text=True,
            )
            assert pull.returncode == 0, pull.stderr
    finally:
        down = subprocess.run(
            [sys.executable, "-m", "lab", "down"], capture_output=True, text=True, env=env
        )
        assert down.returncode == 0, down.stderr
