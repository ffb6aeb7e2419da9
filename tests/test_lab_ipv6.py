"""lab.ipv6: Docker's IPv6 chains go with `make lab-down` only when no running dockerd may own
them (a fake ip6tables: the real one belongs to every lab and system daemon on the machine)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lab import ipv6

LEFT = {  # what a lab of before "ip6tables": false left (the red team's C7)
    "filter": [
        "-P FORWARD ACCEPT",
        "-N DOCKER",
        "-N DOCKER-FORWARD",
        "-N DOCKER-USER",
        "-A FORWARD -j DOCKER-USER",
        "-A FORWARD -j DOCKER-FORWARD",
        "-A DOCKER-FORWARD -j DOCKER",
        "-A DOCKER-USER -j RETURN",
    ],
    "nat": ["-P PREROUTING ACCEPT", "-N DOCKER", "-A PREROUTING -j DOCKER"],
}


class FakeIp6tables:
    def __init__(self, tables: dict[str, list[str]]) -> None:
        self.tables = {name: list(lines) for name, lines in tables.items()}

    def __call__(self, *argv: str) -> subprocess.CompletedProcess[str]:
        _, table, action, *rest = argv
        lines = self.tables[table]
        if action == "-S" and rest:
            (chain,) = rest
            found = [line for line in lines if line.split()[1] == chain and line[:2] != "-P"]
            return subprocess.CompletedProcess(argv, 0 if found else 1, "\n".join(found), "")
        if action == "-S":
            return subprocess.CompletedProcess(argv, 0, "\n".join(lines), "")
        if action == "-D":
            lines.remove("-A " + " ".join(rest))
        elif action == "-F":
            lines[:] = [line for line in lines if not line.startswith(f"-A {rest[0]} ")]
        elif action == "-X":
            lines.remove(f"-N {rest[0]}")
        return subprocess.CompletedProcess(argv, 0, "", "")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeIp6tables:
    table = FakeIp6tables(LEFT)
    monkeypatch.setattr(ipv6, "_ip6", table)
    return table


def test_chains_nobody_owns_are_removed(
    fake: FakeIp6tables, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "daemon.json"
    config.write_text('{"ip6tables": false}')  # a lab daemon of today's
    monkeypatch.setattr(ipv6, "dockerd_configs", lambda: {4242: config})
    assert ipv6.remove() == "removed Docker's ip6tables chains, which no running dockerd owns"
    assert fake.tables == {"filter": ["-P FORWARD ACCEPT"], "nat": ["-P PREROUTING ACCEPT"]}
    assert ipv6.leftovers() == []


def test_chains_a_running_dockerd_may_own_are_kept(
    fake: FakeIp6tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ipv6, "dockerd_configs", lambda: {77: None})  # a system dockerd
    assert ipv6.remove() == (
        "Docker's ip6tables chains kept: dockerd 77 (its default config) may own them"
    )
    assert fake.tables == LEFT


def test_a_docker_user_chain_with_rules_of_its_own_is_kept(
    fake: FakeIp6tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.tables["filter"].insert(-1, "-A DOCKER-USER -s 2001:db8::/32 -j DROP")
    monkeypatch.setattr(ipv6, "dockerd_configs", dict)
    ipv6.remove()
    assert fake.tables["filter"] == [
        "-P FORWARD ACCEPT",
        "-N DOCKER-USER",
        "-A FORWARD -j DOCKER-USER",
        "-A DOCKER-USER -s 2001:db8::/32 -j DROP",
        "-A DOCKER-USER -j RETURN",
    ]


def test_the_empty_docker_user_chain_a_lab_of_today_leaves_is_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Engine 28.5 makes DOCKER-USER and its FORWARD jump in ip6tables even with
    "ip6tables": false, and no RETURN in it (seen after make lab-down in CI)."""
    fake = FakeIp6tables(
        {
            "filter": ["-P FORWARD ACCEPT", "-N DOCKER-USER", "-A FORWARD -j DOCKER-USER"],
            "nat": ["-P PREROUTING ACCEPT"],
        }
    )
    monkeypatch.setattr(ipv6, "_ip6", fake)
    monkeypatch.setattr(ipv6, "dockerd_configs", dict)
    assert ipv6.remove() == "removed Docker's ip6tables chains, which no running dockerd owns"
    assert fake.tables["filter"] == ["-P FORWARD ACCEPT"]
