"""The lab daemons' authorization plugin: what the lab's firewall cannot confine is refused.

The lab's firewall chains (``lab.network``) know a daemon's containers by their source subnets:
the daemon's bridge and its pool. A network a page makes with ``--subnet`` outside the pool, or
with IPv6, or with another driver (macvlan reaches the host's LAN), would put containers where
no rule matches; ``-p 0.0.0.0:…`` would open a port to every computer that reaches the host.
A container or a build step on the host's network (``--network host``) shares the network
namespace of the lab's dockerd, which is the host's: it reaches every service listening on the
host's loopback, and no rule keyed on source subnets sees it. The daemon asks this plugin about
every request (``authorization-plugins`` in its ``daemon.json``) and the request is refused,
with the reason, before anything is made:
``Error response from daemon: authorization denied by plugin …: <reason>``.

One plugin process per lab daemon, listening on a socket in the daemon's run folder, which the
engine's namespace shares (``/etc/docker/plugins/<name>.spec`` points at it).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import socketserver
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler
from typing import Any

LOOPBACK_HOSTS = ("", "127.0.0.1", "::1", "localhost")
DRIVERS = ("", "bridge")
BINDING = "com.docker.network.bridge.host_binding_ipv4"
BRIDGE_NAME = "com.docker.network.bridge.name"
IPV6_OPTION = "com.docker.network.enable_ipv6"


def refusal(method: str, uri: str, body: dict[str, Any], pool: str) -> str | None:
    """Why the lab refuses this request (None: allowed)."""
    path = uri.split("?", 1)[0]
    if method != "POST":
        return None
    if path.endswith("/networks/create"):
        return _network_refusal(body, ipaddress.IPv4Network(pool))
    if path.endswith("/containers/create"):
        host_config = body.get("HostConfig") or {}
        return _host_network_refusal(host_config.get("NetworkMode")) or _ports_refusal(host_config)
    if path.endswith("/build"):
        return _host_network_refusal(_query(uri).get("networkmode"))
    if path.endswith(("/swarm/init", "/swarm/join")):
        return (
            "the lab runs no swarm: a service's tasks may use the host's network (--network host)"
        )
    return None


HOST_NETWORK = (
    "the lab refuses --network host: the container would share the host's network namespace "
    "and reach every service listening on the host's 127.0.0.1; publish a port with -p instead"
)


def _host_network_refusal(mode: object) -> str | None:
    # Only the exact name is host mode (moby's NetworkMode.IsHost); the host network named by
    # its ID the daemon itself refuses ("container must be created in host network mode").
    return HOST_NETWORK if mode == "host" else None


def _query(uri: str) -> dict[str, str]:
    query = uri.split("?", 1)[1] if "?" in uri else ""
    return {key: values[-1] for key, values in urllib.parse.parse_qs(query).items()}


def _network_refusal(body: dict[str, Any], pool: ipaddress.IPv4Network) -> str | None:
    options = body.get("Options") or {}
    driver = body.get("Driver") or ""
    if driver not in DRIVERS:
        return (
            f"the lab makes bridge networks only, not {driver}: its firewall confines "
            "bridge networks of its own subnets"
        )
    if body.get("EnableIPv6") or str(options.get(IPV6_OPTION, "")).lower() == "true":
        return "the lab has no IPv6 networks: its firewall confines IPv4 only"
    if BRIDGE_NAME in options:
        return f"the lab names its bridges itself: leave out -o {BRIDGE_NAME}"
    if BINDING in options and options[BINDING] not in LOOPBACK_HOSTS:
        return f"the lab publishes ports on 127.0.0.1 only, not {options[BINDING]}"
    for config in (body.get("IPAM") or {}).get("Config") or ():
        for field in ("Subnet", "IPRange", "Gateway"):
            value = config.get(field)
            if value and not _inside(value, pool):
                return (
                    f"the lab's networks come from its pool {pool}: {value} is outside it "
                    "(its firewall confines only that pool); leave out --subnet, or pick one "
                    "inside the pool"
                )
    return None


def _inside(value: str, pool: ipaddress.IPv4Network) -> bool:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return network.version == 4 and network.subnet_of(pool)


def _ports_refusal(host_config: dict[str, Any]) -> str | None:
    for bindings in (host_config.get("PortBindings") or {}).values():
        for binding in bindings or ():
            address = (binding or {}).get("HostIp") or ""
            if address not in LOOPBACK_HOSTS:
                return (
                    f"the lab publishes ports on 127.0.0.1 only: {address} would open the port "
                    "to every computer that reaches this host; leave the address out or write "
                    "127.0.0.1"
                )
    return None


def _body(request: dict[str, Any]) -> dict[str, Any]:
    encoded = request.get("RequestBody")
    if not encoded:
        return {}
    try:
        found = json.loads(base64.b64decode(encoded))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class _Handler(BaseHTTPRequestHandler):
    server: PluginServer

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if not isinstance(request, dict):  # Plugin.Activate sends `null`
            request = {}
        if self.path == "/Plugin.Activate":
            answer: dict[str, Any] = {"Implements": ["authz"]}
        elif self.path == "/AuthZPlugin.AuthZReq":
            reason = refusal(
                request.get("RequestMethod", ""),
                request.get("RequestUri", ""),
                _body(request),
                self.server.pool,
            )
            answer = {"Allow": reason is None, "Msg": reason or ""}
        else:  # AuthZRes: answers pass as they are
            answer = {"Allow": True}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.docker.plugins.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        return  # one line per API call would fill the log


class PluginServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """The plugin's HTTP server on a unix socket, a thread per request."""

    daemon_threads = True
    # The daemon asks twice per API call (AuthZReq, AuthZRes), from many goroutines at once,
    # and its plugin client does not retry a refused connect. socketserver's backlog of 5 fills
    # whenever this process is slow to accept (a loaded CI machine): the connect then fails with
    # EAGAIN and the page's command with `plugin doclab-authz failed … resource temporarily
    # unavailable`. The kernel caps the value at net.core.somaxconn.
    request_queue_size = 4096

    def __init__(self, path: str, pool: str) -> None:
        self.pool = pool
        super().__init__(path, _Handler)


def main(argv: list[str]) -> None:
    """``python -m lab.authz SOCKET POOL``: serve until killed."""
    path, pool = argv
    with PluginServer(path, pool) as server:
        server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
