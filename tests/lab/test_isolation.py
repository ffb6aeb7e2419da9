"""The lab sees Docker Hub's names; the host does not; nothing of the host is touched."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from contracts.lab_state import LabState
from docharness import runs
from lab import ca, daemons, namespace, network
from lab.paths import GCR, HUB, INDEX, LAB_NETS, PYPI, REPO, page_daemons
from tests.lab.conftest import Docker

pytestmark = pytest.mark.lab


def test_host_hosts_file_does_not_name_the_registries() -> None:
    hosts = Path("/etc/hosts").read_text()
    assert "registry-1.docker.io" not in hosts
    assert "gcr.io" not in hosts


def test_daemon_namespace_points_registries_at_loopback(lab_state: LabState) -> None:
    pid = namespace.engine_pid("lab0")  # the init, inside the engine's namespaces
    assert pid is not None, "lab0 is not running"
    inside = subprocess.run(
        ["nsenter", "-t", str(pid), "-m", "cat", "/etc/hosts"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{HUB[0]} registry-1.docker.io" in inside
    assert f"{GCR[0]} gcr.io" in inside
    assert f"{INDEX[0]} index.docker.io auth.docker.io" in inside


def test_daemon_runs_without_iptables(lab_state: LabState) -> None:
    config = (page_daemons()[0].run_dir / "daemon.json").read_text()
    assert '"iptables": false' in config


OFFLINE_PROBE = """
import socket
try:
    socket.create_connection(("1.1.1.1", 443), timeout=10)
    print("reached the internet")
except OSError as error:
    print(type(error).__name__)
"""


def test_containers_reach_the_lab_pypi_and_nothing_beyond(docker: Docker) -> None:
    pip = docker("run", "--rm", "python:3", "pip", "download", "--no-deps", "-d", "/tmp", "six")
    assert pip.returncode == 0, pip.stdout + pip.stderr
    assert "Downloading six-1.17.0-py2.py3-none-any.whl" in pip.stdout  # as from PyPI itself
    assert "Looking in indexes" not in pip.stdout
    probe = docker("run", "--rm", "python:3", "python", "-c", OFFLINE_PROBE)
    assert probe.stdout.strip() == "ConnectionRefusedError", probe.stdout + probe.stderr


def test_forwarding_is_on_and_confined_to_the_lab_subnets() -> None:
    assert Path("/proc/sys/net/ipv4/ip_forward").read_text().strip() == "1"
    rules = network.lab_rules()
    chain = network.CHAIN
    assert f"-A FORWARD -j {chain}" in rules
    assert any(r.startswith(f"-A {chain} -s {LAB_NETS[0]} -j REJECT") for r in rules), rules
    assert not any("MASQUERADE" in r for r in rules)


def test_pypi_proxy_answers_as_pypi_org_and_refuses_other_hosts(
    lab_state: LabState,
) -> None:
    refused = http.client.HTTPConnection(*PYPI, timeout=10)
    refused.set_tunnel("example.org", 443)
    with pytest.raises(OSError, match="403"):
        refused.connect()
    context = ssl.create_default_context(cafile=str(ca.CA_CERT))
    tunnel = http.client.HTTPSConnection(*PYPI, timeout=10, context=context)
    tunnel.set_tunnel("pypi.org", 443)  # the certificate must name pypi.org
    tunnel.request("GET", "/simple/six/")
    page = tunnel.getresponse().read().decode()
    assert "https://files.pythonhosted.org/packages/six-1.17.0-py2.py3-none-any.whl#sha256=" in page


REACH = "exec 3<>/dev/tcp/{0}/{1} && echo reached"


def test_containers_reach_no_other_host_service(docker: Docker) -> None:
    with socket.create_server(("0.0.0.0", 0)) as listener:  # a host service on every address
        port = listener.getsockname()[1]
        gateway = docker(
            "network", "inspect", "bridge", "-f", "{{(index .IPAM.Config 0).Gateway}}"
        ).stdout.strip()
        probe = docker("run", "--rm", "debian:latest", "bash", "-c", REACH.format(gateway, port))
    assert probe.stdout.strip() == "", probe.stdout
    assert "Connection refused" in probe.stderr, probe.stderr


def test_containers_of_two_daemons_do_not_reach_each_other(
    docker: Docker, docker_host: str
) -> None:
    others = [d for d in page_daemons() if f"unix://{d.socket}" != docker_host]
    if not others:
        pytest.skip("the lab has one daemon (LAB_DAEMONS=1): there is no other daemon")
    other = others[0]
    lock = runs._lock(REPO, f"unix://{other.socket}", wait=False)
    if lock is None:
        pytest.skip(f"{other.name} is in use by another run or worker: not touched")
    client = daemons.client(other, timeout=120)
    had = {tag for image in client.images.list() for tag in image.tags}
    try:
        client.images.pull("python", tag="3")
        server = client.containers.run("python:3", "python3 -m http.server 8000", detach=True)
        server.reload()
        address = server.attrs["NetworkSettings"]["IPAddress"]
        reach = ["bash", "-c", f"sleep 2; {REACH.format(address, 8000)}"]
        same = client.containers.run("python:3", reach, remove=True)  # the server listens
        probe = docker("run", "--rm", "python:3", *reach)
        server.remove(force=True)
        if "python:3" not in had:
            client.images.remove("python:3")
    finally:
        client.close()
        lock.close()
    assert same.strip() == b"reached"
    assert probe.stdout.strip() == "", probe.stdout
    assert "Connection refused" in probe.stderr, probe.stderr


def test_the_other_daemons_subnet_is_refused_not_merely_unanswered(
    docker: Docker, docker_host: str
) -> None:
    # Runs whatever the other daemon is doing: an address of its bridge that nobody holds.
    # Forwarded there, it would fail as "No route to host" (no ARP answer); the lab's chain
    # refuses it first, with "Connection refused".
    others = [d for d in page_daemons() if f"unix://{d.socket}" != docker_host]
    if not others:
        pytest.skip("the lab has one daemon (LAB_DAEMONS=1): there is no other daemon")
    subnet = ipaddress.ip_network(others[0].bridge_cidr, strict=False)
    probe = docker("run", "--rm", "debian:latest", "bash", "-c", REACH.format(subnet[200], 80))
    assert probe.stdout.strip() == "", probe.stdout
    assert "Connection refused" in probe.stderr, probe.stderr


def test_a_network_outside_the_pool_is_refused_with_the_reason(docker: Docker) -> None:
    """R20: containers on a network of another subnet reached every host service (the
    firewall knows the lab's subnets only). The daemon refuses such a network."""
    made = docker("network", "create", "--subnet", "172.31.99.0/24", "rt-outside")
    assert made.returncode != 0, made.stdout
    assert "authorization denied by plugin doclab-authz: the lab's networks come from its pool" in (
        made.stderr
    )
    assert "172.31.99.0/24 is outside it" in made.stderr


def test_an_ipv6_network_is_refused_with_the_reason(docker: Docker) -> None:
    """R20: over IPv6 no lab rule applied at all ([fd42:77::1] reached a [::] listener)."""
    made = docker("network", "create", "--ipv6", "--subnet", "fd42:77::/64", "rt-ipv6")
    assert made.returncode != 0, made.stdout
    assert "the lab has no IPv6 networks" in made.stderr


def test_a_network_of_the_pool_reaches_no_host_service(docker: Docker) -> None:
    """What a page may make (no --subnet): confined as the default bridge is."""
    assert docker("network", "create", "rt-inside").returncode == 0
    try:
        with socket.create_server(("0.0.0.0", 0)) as listener:
            port = listener.getsockname()[1]
            gateway = docker(
                "network", "inspect", "rt-inside", "-f", "{{(index .IPAM.Config 0).Gateway}}"
            ).stdout.strip()
            reach = REACH.format(gateway, port)
            probe = docker(
                "run", "--rm", "--network", "rt-inside", "debian:latest", "bash", "-c", reach
            )
    finally:
        docker("network", "rm", "rt-inside")
    assert probe.stdout.strip() == "", probe.stdout
    assert "Connection refused" in probe.stderr, probe.stderr


def test_publishing_on_every_interface_is_refused_with_the_reason(docker: Docker) -> None:
    """B7: `-p 0.0.0.0:…` opened the port on every interface, against the threat model."""
    assert docker("pull", "-q", "busybox:latest").returncode == 0
    run = docker("run", "-d", "-p", "0.0.0.0:18090:80", "busybox:latest", "httpd", "-f")
    assert run.returncode != 0, run.stdout
    assert "the lab publishes ports on 127.0.0.1 only: 0.0.0.0 would open the port" in run.stderr


class _Service:
    """A host service on 127.0.0.1 that notes every connection it accepts."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.reached = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.reached += 1
            connection.sendall(b"SECRET-LOOPBACK\n")
            connection.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.listener.close()


def test_the_host_network_is_refused_with_the_reason(docker: Docker) -> None:
    """R20/B7: a --network host container shared the lab dockerd's network namespace, the
    host's, and read a service listening on the host's 127.0.0.1."""
    service = _Service()
    try:
        reach = f"exec 3<>/dev/tcp/127.0.0.1/{service.port} && head -1 <&3"
        probe = docker("run", "--rm", "--network", "host", "debian:latest", "bash", "-c", reach)
    finally:
        service.close()
    assert "SECRET-LOOPBACK" not in probe.stdout, probe.stdout
    assert service.reached == 0
    assert probe.returncode != 0
    assert "authorization denied by plugin doclab-authz: the lab refuses --network host" in (
        probe.stderr
    ), probe.stderr


@pytest.mark.parametrize(
    ("builder", "reason"),
    [
        ("1", "network.host is not allowed"),
        ("0", "plugin doclab-authz: the lab refuses --network host"),
    ],
    ids=["buildkit", "classic"],
)
def test_a_build_on_the_host_network_is_refused(
    docker: Docker, tmp_path: Path, builder: str, reason: str
) -> None:
    """A build's RUN steps ran in the host's network namespace with `--network host`.
    BuildKit asks for it over the build's gRPC stream, which the plugin never sees (the
    daemon's builder entitlement refuses it); the classic builder asks in the plugin's view."""
    service = _Service()
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(
        "FROM debian:latest\n"
        f"RUN bash -c 'exec 3<>/dev/tcp/127.0.0.1/{service.port} && head -1 <&3'\n"
    )
    try:
        build = docker(
            "build",
            "--no-cache",
            "--network",
            "host",
            "-t",
            "rt-hostbuild",
            str(context),
            env={"DOCKER_BUILDKIT": builder},
        )
    finally:
        service.close()
    assert service.reached == 0, build.stdout + build.stderr
    assert build.returncode != 0
    assert reason in build.stderr, build.stderr


def test_swarm_is_refused_with_the_reason(docker: Docker) -> None:
    """A swarm service's tasks may run on the host's network (`--network host`)."""
    init = docker("swarm", "init")
    assert init.returncode != 0, init.stdout
    assert "plugin doclab-authz: the lab runs no swarm" in init.stderr, init.stderr
