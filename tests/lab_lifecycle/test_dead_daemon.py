"""A lab dockerd killed with a running container: no process of that container survives (the
engine's PID namespace ends with its dockerd), no veth is left on the bridge and no address
is in use twice after `make lab`.

Runs alone with the other lifecycle tests (`make test-lab-lifecycle`): it restarts a daemon.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docharness.daemon import Daemon
from docharness.page import PageRun
from lab import daemons, procs, reap
from lab import namespace as engine_namespace
from lab.paths import page_daemons

pytestmark = pytest.mark.lab


def _up() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", "up"], capture_output=True, text=True, timeout=900
    )


def _address_holders(address: str) -> list[str]:
    """Network namespaces (by a process in each) where ``address`` is configured."""
    holders: dict[str, str] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            holders.setdefault(os.readlink(proc / "ns" / "net"), proc.name)
        except OSError:
            continue
    found = []
    for namespace, pid in holders.items():
        shown = subprocess.run(
            ["nsenter", "-t", pid, "-n", "ip", "-o", "-4", "addr", "show"],
            capture_output=True,
            text=True,
        ).stdout
        if f" {address}/" in shown:
            found.append(namespace)
    return found


@pytest.fixture(autouse=True)
def lab_back_up() -> object:
    if os.environ.get("DOCS_DOCKER", "lab") != "lab":
        pytest.skip("DOCS_DOCKER=own: there is no lab daemon to kill")
    yield
    assert _up().returncode == 0


def test_a_killed_daemon_leaves_no_process_veth_or_address(tmp_path: Path) -> None:
    daemon = page_daemons()[0]
    client = daemons.client(daemon, timeout=60)
    if not client.images.list(name="debian"):
        client.images.pull("debian", tag="latest")
    container = client.containers.run("debian:latest", "sleep 1000", detach=True)
    container.reload()
    # The container's processes as the host sees them (State.Pid is the engine's own PID
    # namespace's number): its cgroup lists them.
    (pid,) = reap.processes(container.id)
    address = container.attrs["NetworkSettings"]["IPAddress"]
    client.close()
    assert reap.bridge_ports(daemon), "the container's veth is on the bridge"

    page = PageRun(tmp_path / "page.md", tmp_path, Daemon(f"unix://{daemon.socket}", "lab"))
    page.begin()  # a page is running when its daemon dies

    # The engine's dockerd, the one child of its namespace's init: killed, the init exits with
    # it, the kernel ends the namespace and every container in it, so nothing is left for
    # `make lab` to reap.
    dockerd = engine_namespace.dockerd_pid(daemon.name)
    assert dockerd is not None
    os.kill(dockerd, signal.SIGKILL)
    procs.wait_gone([dockerd])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists(), "the container's process survived its engine"
    (problem,) = page.finish()  # one sentence, not a connection traceback
    assert problem.startswith(f"the Docker daemon at unix://{daemon.socket} does not answer (")
    assert problem.endswith(
        "nothing was cleaned up; `make lab` restarts it and removes what was left"
    )

    up = _up()
    assert up.returncode == 0, up.stdout + up.stderr
    assert f"lab: {daemon.name} had died" not in up.stdout  # the namespace took it all
    assert reap.bridge_ports(daemon) == []
    assert _address_holders(address) == []

    client = daemons.client(daemon, timeout=60)
    try:
        client.images.pull("debian", tag="latest")
        fresh = client.containers.run("debian:latest", "sleep 1000", detach=True)
        fresh.reload()
        assert fresh.attrs["NetworkSettings"]["IPAddress"] == address  # free again, and
        assert len(_address_holders(address)) == 1  # held once
        fresh.remove(force=True)
        client.images.remove("debian:latest")
    finally:
        client.close()
