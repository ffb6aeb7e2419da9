"""lab.authz: which requests the lab daemons refuse, and why (no daemon needed)."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Any

import pytest

from lab import authz

POOL = "10.223.0.0/18"


def network(**body: Any) -> str | None:
    return authz.refusal("POST", "/v1.51/networks/create", body, POOL)


def container(*bindings: dict[str, str]) -> str | None:
    body = {"Image": "busybox", "HostConfig": {"PortBindings": {"80/tcp": list(bindings)}}}
    return authz.refusal("POST", "/v1.51/containers/create?name=web", body, POOL)


def test_networks_of_the_pool_pass() -> None:
    assert network(Name="appnet") is None
    assert network(Name="appnet", Driver="bridge") is None
    inside = {"Config": [{"Subnet": "10.223.5.0/24", "Gateway": "10.223.5.1"}]}
    assert network(Name="appnet", IPAM=inside) is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"IPAM": {"Config": [{"Subnet": "172.31.99.0/24"}]}}, "172.31.99.0/24 is outside it"),
        ({"IPAM": {"Config": [{"Subnet": "10.223.64.0/24"}]}}, "from its pool 10.223.0.0/18"),
        ({"EnableIPv6": True}, "no IPv6 networks"),
        ({"Options": {authz.IPV6_OPTION: "true"}}, "no IPv6 networks"),
        ({"IPAM": {"Config": [{"Subnet": "fd42:77::/64"}]}}, "fd42:77::/64 is outside it"),
        ({"Driver": "macvlan"}, "bridge networks only, not macvlan"),
        ({"Options": {authz.BINDING: "0.0.0.0"}}, "127.0.0.1 only, not 0.0.0.0"),
        ({"Options": {authz.BRIDGE_NAME: "doclab3-1"}}, "names its bridges itself"),
    ],
)
def test_networks_the_firewall_cannot_confine_are_refused(
    body: dict[str, Any], reason: str
) -> None:
    found = network(Name="rtnet", **body)
    assert found is not None and reason in found, found


def test_ports_publish_on_loopback_only() -> None:
    assert container({"HostIp": "", "HostPort": "18090"}) is None
    assert container({"HostIp": "127.0.0.1", "HostPort": "18090"}) is None
    refused = container({"HostIp": "0.0.0.0", "HostPort": "18090"})
    assert refused is not None
    assert refused.startswith("the lab publishes ports on 127.0.0.1 only: 0.0.0.0 would open")
    assert container({"HostIp": "::", "HostPort": "18090"}) is not None


def test_other_requests_pass() -> None:
    assert authz.refusal("GET", "/v1.51/containers/json", {}, POOL) is None
    for mode in ("bridge", "none", "default", "container:web", "appnet"):
        body = {"Image": "debian", "HostConfig": {"NetworkMode": mode}}
        assert authz.refusal("POST", "/v1.51/containers/create", body, POOL) is None, mode
    assert authz.refusal("POST", "/v1.51/build?t=app&networkmode=default", {}, POOL) is None


def test_the_host_network_is_refused() -> None:
    host = {"Image": "debian", "HostConfig": {"NetworkMode": "host"}}
    refused = authz.refusal("POST", "/v1.51/containers/create?name=web", host, POOL)
    assert refused is not None and refused.startswith("the lab refuses --network host"), refused
    built = authz.refusal("POST", "/v1.51/build?t=app&networkmode=host", {}, POOL)
    assert built == refused
    assert authz.refusal("POST", "/v1.51/swarm/init", {}, POOL) is not None


def test_a_burst_of_connections_waits_in_the_backlog(tmp_path: Path) -> None:
    """The daemon connects for every API call and does not retry a refused connect: a burst
    that arrives while the plugin is busy must queue, not fail with EAGAIN (CI saw
    `plugin doclab-authz failed … resource temporarily unavailable` under load)."""
    path = tmp_path / "authz.sock"
    burst = 100
    with authz.PluginServer(str(path), POOL):  # listening, but accepting nothing yet
        clients = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(burst)]
        try:
            refused = [c.connect_ex(str(path)) for c in _nonblocking(clients)]
        finally:
            for client in clients:
                client.close()
    assert [errno.errorcode[e] for e in refused if e] == []


def _nonblocking(clients: list[socket.socket]) -> list[socket.socket]:
    """As Go's dialer connects: a full backlog fails at once instead of blocking."""
    for client in clients:
        client.setblocking(False)
    return clients
