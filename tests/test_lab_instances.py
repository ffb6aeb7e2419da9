"""Lab instance numbers: every machine-wide name of the lab is derived from one, disjointly."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab import claims
from lab.paths import REPO

PROBE = (
    "import json; from lab import paths, network; "
    "print(json.dumps([[d.bridge, d.bridge_cidr, d.pool] for d in "
    "[*paths.page_daemons(), paths.BUILDER]] + [paths.MIRROR[0], paths.HUB[0], "
    "str(paths.EXEC_ROOT), network.CHAIN, paths.LAB_NETS]))"
)


def lab_names(instance: int) -> list[object]:
    env = {**os.environ, "LAB_INSTANCE": str(instance), "LAB_DAEMONS": "3"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, cwd=REPO, env=env
    ).stdout
    return list(json.loads(out))


def test_instances_have_disjoint_names_subnets_and_addresses() -> None:
    seen: dict[str, int] = {}
    nets: list[tuple[int, ipaddress.IPv4Network | ipaddress.IPv6Network]] = []
    for instance in range(8):
        *specs, mirror, hub, exec_root, chain, lab_nets = lab_names(instance)
        assert isinstance(lab_nets, list)
        for bridge, cidr, pool in specs:  # type: ignore[misc]
            assert len(bridge) <= 15, bridge  # Linux's limit for an interface name
            for net in (ipaddress.ip_network(cidr, strict=False), ipaddress.ip_network(pool)):
                assert any(net.subnet_of(ipaddress.ip_network(n)) for n in lab_nets), net
                nets.append((instance, net))
        names = [*(spec[0] for spec in specs), mirror, hub, exec_root, chain]  # type: ignore[index]
        for name in names:
            assert seen.setdefault(str(name), instance) == instance, f"{name} is shared"
    for i, (owner, net) in enumerate(nets):
        for other_owner, other in nets[i + 1 :]:
            assert not net.overlaps(other), f"{net} ({owner}) overlaps {other} ({other_owner})"


def test_instance_zero_keeps_the_names_of_a_single_lab() -> None:
    specs = lab_names(0)[:2]
    assert specs == [
        ["doclab0", "10.213.0.1/24", "10.220.0.0/18"],
        ["doclab1", "10.213.1.1/24", "10.220.64.0/18"],
    ]


def test_a_bad_instance_number_is_one_line_naming_the_range() -> None:
    for bad in ("9", "-1", "x"):
        result = subprocess.run(
            [sys.executable, "-m", "lab", "status"],
            capture_output=True,
            text=True,
            cwd=REPO,
            env={**os.environ, "LAB_INSTANCE": bad},
        )
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"lab: LAB_INSTANCE={bad!r}: expected a number from 0 to 7"
        ), result.stderr


def test_other_running_labs_are_found_by_their_claims_and_pidfiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `make lab-clean` refuses on: another checkout's lab that still runs (its pidfile
    names a live process); a claim whose processes are gone, and our own, do not count."""
    monkeypatch.setattr(claims, "CLAIMS", tmp_path / "claims")
    (tmp_path / "claims").mkdir()
    alive, dead, ours = tmp_path / "alive", tmp_path / "dead", tmp_path / "ours"
    monkeypatch.setattr(claims, "LAB_DIR", ours)
    for checkout, pid in ((alive, os.getpid()), (dead, 2**22 + 1), (ours, os.getpid())):
        (checkout / "run").mkdir(parents=True)
        (checkout / "run" / "mirror.pid").write_text(f"{pid}\n")
    (tmp_path / "claims" / "3").write_text(f"{alive}\n")
    (tmp_path / "claims" / "5").write_text(f"{dead}\n")
    (tmp_path / "claims" / "6").write_text(f"{ours}\n")
    assert claims.others_running() == [(3, alive)]
