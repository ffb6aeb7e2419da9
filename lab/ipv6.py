"""Docker's IPv6 chains that a lab of before ``"ip6tables": false`` left behind.

Such a lab's dockerds made ``DOCKER``, ``DOCKER-FORWARD``, ... in ``ip6tables`` and nothing
removed them. They are named as a system Docker's are, so they go only when no dockerd on the
machine could own them: every running dockerd is a lab daemon whose ``daemon.json`` turns
``ip6tables`` off. A system dockerd (or another checkout's older lab) keeps them; a
``DOCKER-USER`` chain that holds somebody's own rules is kept too.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

CHAINS = {
    "filter": (
        "DOCKER",
        "DOCKER-BRIDGE",
        "DOCKER-CT",
        "DOCKER-FORWARD",
        "DOCKER-ISOLATION-STAGE-1",
        "DOCKER-ISOLATION-STAGE-2",
        "DOCKER-USER",
    ),
    "nat": ("DOCKER",),
}
# What dockerd puts in DOCKER-USER itself: anything more is an administrator's. Older engines
# end the chain with a RETURN; 28.5 makes it empty, even with "ip6tables": false (it still
# creates DOCKER-USER and the FORWARD jump to it), so a lab of today leaves that much.
EMPTY_USER_CHAINS = (("-N DOCKER-USER",), ("-N DOCKER-USER", "-A DOCKER-USER -j RETURN"))


def _ip6(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip6tables", *argv], capture_output=True, text=True, check=False)


def dockerd_configs() -> dict[int, Path | None]:
    """Each running dockerd and its config file, as it sees it (None: the default one)."""
    found: dict[int, Path | None] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() != "dockerd":
                continue
            argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        config = None
        for flag, value in zip(argv, argv[1:], strict=False):
            if flag == "--config-file":
                config = proc / "root" / value.lstrip("/")
        found[int(proc.name)] = config
    return found


def owners() -> list[str]:
    """The running dockerds that may own Docker's IPv6 chains, named for a message."""
    found = []
    for pid, config in dockerd_configs().items():
        try:
            settings = json.loads(config.read_text()) if config is not None else {}
        except (OSError, ValueError):
            settings = {}
        if settings.get("ip6tables") is not False:
            found.append(f"dockerd {pid} ({config or 'its default config'})")
    return found


def leftovers() -> list[str]:
    """Docker's IPv6 rules and chains now present (``ip6tables -S`` lines, per table)."""
    lines = []
    for table, chains in CHAINS.items():
        for line in _ip6("-t", table, "-S").stdout.splitlines():
            if set(line.split()) & set(chains):
                lines.append(f"{table}: {line}")
    return lines


def remove() -> str | None:
    """Remove Docker's IPv6 chains if nothing may own them; else say why they stay."""
    if not leftovers():
        return None
    holders = owners()
    if holders:
        more = f" and {len(holders) - 1} more" if len(holders) > 1 else ""
        return f"Docker's ip6tables chains kept: {holders[0]}{more} may own them"
    for table, chains in CHAINS.items():
        ours = [chain for chain in chains if _removable(table, chain)]
        for line in _ip6("-t", table, "-S").stdout.splitlines():
            words = line.split()
            if words[:1] == ["-A"] and words[1] not in chains and words[-1] in ours:
                _ip6("-t", table, "-D", *words[1:])  # the jumps from built-in chains
        for chain in ours:
            _ip6("-t", table, "-F", chain)
        for chain in ours:
            _ip6("-t", table, "-X", chain)
    return "removed Docker's ip6tables chains, which no running dockerd owns"


def _removable(table: str, chain: str) -> bool:
    rules = _ip6("-t", table, "-S", chain)
    if rules.returncode != 0:
        return False
    if chain == "DOCKER-USER":
        return tuple(rules.stdout.splitlines()) in EMPTY_USER_CHAINS
    return True
