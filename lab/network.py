"""The lab's bridges and NAT rules: its own subnets only, in chains of its own, removed on down.

The daemons run with ``"iptables": false`` (a second dockerd with iptables on would flush the
shared DOCKER chains and break a system daemon's published ports), so the lab adds just what its
containers need to reach the package registries: masquerading of its own subnets.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess

from lab.paths import NAT_SOURCES, DaemonSpec

CHAINS = {"nat": ("POSTROUTING", "DOCLAB-NAT"), "filter": ("FORWARD", "DOCLAB-FWD")}


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
                    raise SystemExit(
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


def ensure_nat() -> None:
    """Masquerade the lab subnets going elsewhere, and let them through FORWARD."""
    if _run("iptables", "-t", "nat", "-S", CHAINS["nat"][1], check=False).returncode == 0:
        return
    for table, (parent, chain) in CHAINS.items():
        _run("iptables", "-t", table, "-N", chain)
        _run("iptables", "-t", table, "-I", parent, "-j", chain)
    for source in NAT_SOURCES:
        _run(
            "iptables",
            "-t",
            "nat",
            "-A",
            "DOCLAB-NAT",
            "-s",
            source,
            "!",
            "-d",
            source,
            "-j",
            "MASQUERADE",
        )
        _run("iptables", "-A", "DOCLAB-FWD", "-s", source, "-j", "ACCEPT")
        _run("iptables", "-A", "DOCLAB-FWD", "-d", source, "-j", "ACCEPT")


def remove_nat() -> None:
    for table, (parent, chain) in CHAINS.items():
        if _run("iptables", "-t", table, "-S", chain, check=False).returncode != 0:
            continue
        while _run("iptables", "-t", table, "-D", parent, "-j", chain, check=False).returncode == 0:
            pass
        _run("iptables", "-t", table, "-F", chain)
        _run("iptables", "-t", table, "-X", chain)


def lab_rules() -> list[str]:
    """Every iptables rule that mentions the lab (for tests: empty after ``make lab-down``)."""
    rules = []
    for table in CHAINS:
        rules += [
            r for r in _run("iptables", "-t", table, "-S").stdout.splitlines() if "DOCLAB" in r
        ]
    return rules
