"""The lab's bridges and forwarding rules: its own subnets only, in a chain of its own.

The daemons run with ``"iptables": false`` (a second dockerd with iptables on would flush the
shared DOCKER chains and break a system daemon's published ports). Containers need no NAT: the
registries and the lab's PyPI are host addresses, and ``-p`` goes through docker-proxy. The lab
turns IPv4 forwarding on, as dockerd does (else every ``docker run`` warns "IPv4 forwarding is
disabled"), and its chain rejects forwarded traffic between its subnets and anywhere else, so
containers stay offline, and between two daemons' subnets, so a page's containers never reach
another worker's. A second chain on INPUT lets containers reach the host only at the lab's PyPI
(and answer what the host opened, e.g. docker-proxy's connections for ``-p``): not the other
services the host runs. ``down`` restores the forwarding setting it found.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess

from lab.errors import LabError
from lab.paths import (
    BUILDER,
    INSTANCE,
    LAB_NETS,
    MACHINE_RUN,
    NAMES,
    PYPI,
    DaemonSpec,
    page_daemons,
)

CHAIN = f"{NAMES.chain_prefix}-FWD"
# What containers may send to the host itself: the lab's PyPI, and answers; nothing else.
INPUT_CHAIN = f"{NAMES.chain_prefix}-IN"
# An older lab's masquerade rules (instance 0 only existed then): removed on down too.
OLD_NAT_CHAIN = "DOCLAB-NAT"
OUR_CHAINS = (CHAIN, INPUT_CHAIN) + ((OLD_NAT_CHAIN,) if INSTANCE == 0 else ())
TABLES = ("filter", "nat")
IP_FORWARD = "/proc/sys/net/ipv4/ip_forward"
# Machine-wide: the first lab up notes the setting it found, the last one down puts it back.
FORWARD_BEFORE = MACHINE_RUN / "ip_forward.before"


def _run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=check)


def check_subnets_free(daemons: list[DaemonSpec]) -> None:
    """Fail, naming it, if a lab subnet overlaps a route that is not the lab's own."""
    ours = {d.bridge for d in daemons}
    routes = json.loads(_run("ip", "-j", "route", "show").stdout or "[]")
    for daemon in daemons:
        for wanted in (
            ipaddress.ip_network(daemon.bridge_cidr, strict=False),
            ipaddress.ip_network(daemon.pool),
        ):
            for route in routes:
                if route.get("dst", "default") == "default" or route.get("dev") in ours:
                    continue
                taken = ipaddress.ip_network(route["dst"], strict=False)
                if wanted.overlaps(taken):
                    raise LabError(
                        f"lab: subnet {wanted} of {daemon.name} is already taken by "
                        f"{taken} on {route.get('dev')}; set LAB_DAEMONS or free it"
                    )


def ensure_bridge(daemon: DaemonSpec) -> None:
    if _run("ip", "link", "show", daemon.bridge, check=False).returncode != 0:
        _run("ip", "link", "add", daemon.bridge, "type", "bridge")
        _run("ip", "addr", "add", daemon.bridge_cidr, "dev", daemon.bridge)
    _run("ip", "link", "set", daemon.bridge, "up")


def remove_bridge(daemon: DaemonSpec) -> None:
    if _run("ip", "link", "show", daemon.bridge, check=False).returncode == 0:
        _run("ip", "link", "del", daemon.bridge)


def ensure_forwarding() -> None:
    """Turn forwarding on (noting what it was) and confine the lab subnets to each other."""
    with open(IP_FORWARD) as current:
        before = current.read().strip()
    if before != "1":
        MACHINE_RUN.mkdir(parents=True, exist_ok=True)
        FORWARD_BEFORE.write_text(before)
        with open(IP_FORWARD, "w") as setting:
            setting.write("1")
    # Filled afresh each time, so a lab started by an older checkout gets today's rules.
    _fresh_chain(CHAIN, "FORWARD")
    for daemon in [*page_daemons(), BUILDER]:  # a daemon's containers reach only each other
        for source in own_nets(daemon):
            for destination in own_nets(daemon):
                _run("iptables", "-A", CHAIN, "-s", source, "-d", destination, "-j", "ACCEPT")
    for net in LAB_NETS:
        for way in ("-s", "-d"):
            _run("iptables", "-A", CHAIN, way, net, "-j", "REJECT")
    _fresh_chain(INPUT_CHAIN, "INPUT")
    for net in LAB_NETS:
        accept = ("iptables", "-A", INPUT_CHAIN, "-s", net)
        _run(*accept, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT")
        _run(*accept, "-d", PYPI[0], "-p", "tcp", "--dport", str(PYPI[1]), "-j", "ACCEPT")
        _run("iptables", "-A", INPUT_CHAIN, "-s", net, "-j", "REJECT")


def own_nets(daemon: DaemonSpec) -> list[str]:
    """The daemon's bridge subnet and the pool of its user-defined networks."""
    bridge = ipaddress.ip_network(daemon.bridge_cidr, strict=False)
    return [str(bridge), daemon.pool]


def _fresh_chain(chain: str, hook: str) -> None:
    """``chain`` empty and jumped to from the top of ``hook``."""
    if _run("iptables", "-S", chain, check=False).returncode == 0:
        _run("iptables", "-F", chain)
    else:
        _run("iptables", "-N", chain)
    if _run("iptables", "-C", hook, "-j", chain, check=False).returncode != 0:
        _run("iptables", "-I", hook, "-j", chain)


def remove_forwarding() -> None:
    """Remove this lab's chains; the last lab on the machine puts forwarding back as found."""
    for table in TABLES:
        for line in _run("iptables", "-t", table, "-S", check=False).stdout.splitlines():
            words = line.split()
            if words[:1] == ["-A"] and words[-2:-1] == ["-j"] and words[-1] in OUR_CHAINS:
                _run("iptables", "-t", table, "-D", *words[1:], check=False)
        for chain in OUR_CHAINS:
            if _run("iptables", "-t", table, "-S", chain, check=False).returncode == 0:
                _run("iptables", "-t", table, "-F", chain)
                _run("iptables", "-t", table, "-X", chain)
    if FORWARD_BEFORE.exists() and not other_lab_chains():
        with open(IP_FORWARD, "w") as setting:
            setting.write(FORWARD_BEFORE.read_text())
        FORWARD_BEFORE.unlink()


def other_lab_chains() -> list[str]:
    """Forwarding chains of other lab instances on this machine (they still need forwarding)."""
    lines = _run("iptables", "-S", check=False).stdout.splitlines()
    return [
        line.split()[1]
        for line in lines
        if line.startswith("-N DOCLAB") and line.split()[1] not in OUR_CHAINS
    ]


def lab_rules() -> list[str]:
    """Every iptables rule of this lab (for tests: empty after ``make lab-down``)."""
    rules = []
    for table in TABLES:
        for rule in _run("iptables", "-t", table, "-S").stdout.splitlines():
            if set(rule.split()) & set(OUR_CHAINS):
                rules.append(rule)
    return rules
