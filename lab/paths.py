"""Where the lab keeps things, and the addresses it answers on.

A checkout's lab lives under one folder (``LAB_DIR``, default ``<repo>/.cache/lab``): its
registry storage, daemons' data, secrets and logs. What any checkout on the machine can reuse (the
engines' trees, the Debian bases, the built images, the lab CA) lives in a machine-wide cache
(``LAB_CACHE``; for root ``/var/cache/doclab``), so a fresh clone on a used machine starts warm;
``make lab-down`` keeps it, ``make lab-clean`` removes it.

Machine-wide names (bridges, subnets, loopback addresses, the run folder, the firewall chain) are
derived from the lab's instance number ``LAB_INSTANCE`` (0-7, default 0;
``contracts.layout.for_instance``), so two checkouts on one
machine can each run a lab of their own; ``lab.claims`` refuses a number another checkout holds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Re-exported: the lab reads every name of the lab here.
from contracts.layout import MACHINE_RUN as MACHINE_RUN
from contracts.layout import MAX_INSTANCE as MAX_INSTANCE
from contracts.layout import Layout, for_instance, instance_number


def _default_cache() -> Path:
    if os.geteuid() == 0:
        return Path("/var/cache/doclab")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "doclab"


CACHE = Path(os.environ.get("LAB_CACHE") or _default_cache())
INSTANCE = instance_number(os.environ.get("LAB_INSTANCE", "0"))
NAMES = for_instance(INSTANCE)
LAYOUT = Layout.from_env(os.environ)
REPO = LAYOUT.root
LAB_DIR = LAYOUT.lab_dir
RECIPES = REPO / "lab" / "recipes"
RUN = LAB_DIR / "run"
LOGS = LAB_DIR / "logs"
STATE_FILE = LAYOUT.lab_file
SECRETS = LAB_DIR / "secrets"
REGISTRY_STORAGE = LAYOUT.registry_storage
CATALOGUE = LAB_DIR / "catalogue.json"

EXEC_ROOT = NAMES.exec_root

MIRROR = (NAMES.address(1), 15000)  # anonymous http: the daemons' pull mirror, and seeding
HUB = (NAMES.address(2), 443)  # registry-1.docker.io: TLS + htpasswd (login / push)
GCR = (NAMES.address(3), 443)  # gcr.io: TLS, anonymous, read-only
INDEX = (NAMES.address(4), 443)  # index.docker.io / auth.docker.io: the v1 search endpoint
BRIDGE_BLOCK = NAMES.bridge_block
POOL_OCTET = NAMES.pool_octet
# pypi.org for pip inside containers: on the first lab bridge's address, which the containers
# of every lab daemon reach (it is the host's); the python recipe's /etc/pip.conf names it.
PYPI = (f"10.213.{BRIDGE_BLOCK}.1", 3141)
PYPI_NAMES = ("pypi.org", "files.pythonhosted.org")
PYPI_DIR = LAB_DIR / "pypi"

HOSTS = {
    HUB[0]: ["registry-1.docker.io"],
    GCR[0]: ["gcr.io"],
    INDEX[0]: ["index.docker.io", "auth.docker.io"],
}
CERT_NAMES = [
    "registry-1.docker.io",
    "index.docker.io",
    "auth.docker.io",
    "gcr.io",
    *PYPI_NAMES,
]

LOGIN_USER = "yhkim951107"
MAX_DAEMONS = 3  # each takes a /18 of the instance's /16 pool; the builder takes the last one


def _daemon_count(value: str) -> int:
    """``LAB_DAEMONS`` as a number; a bad value names itself and the range."""
    if not value.isdigit() or not 1 <= int(value) <= MAX_DAEMONS:
        raise ValueError(f"LAB_DAEMONS={value!r}: expected a number from 1 to {MAX_DAEMONS}")
    return int(value)


DAEMON_COUNT = _daemon_count(os.environ.get("LAB_DAEMONS", "2"))


@dataclass(frozen=True)
class DaemonSpec:
    """One lab dockerd: its names, its bridge and the pool its user-defined networks come from."""

    name: str
    bridge: str
    bridge_cidr: str  # gateway address with prefix, e.g. 10.213.0.1/24
    pool: str  # default-address-pools base

    @property
    def run_dir(self) -> Path:
        return RUN / self.name

    @property
    def socket(self) -> Path:
        return self.run_dir / "docker.sock"

    @property
    def data_root(self) -> Path:
        return LAB_DIR / "daemons" / self.name

    @property
    def exec_root(self) -> Path:
        return EXEC_ROOT / self.name


# Bridges: doclab0, doclab1, doclabb for instance 0; doclab3-0, doclab3-1, doclab3-b for 3.
BRIDGE_PREFIX = NAMES.bridge_prefix


def page_daemons() -> list[DaemonSpec]:
    """The daemons the tests use, one per pytest-xdist worker."""
    return [
        DaemonSpec(
            f"lab{n}",
            f"{BRIDGE_PREFIX}{n}",
            f"10.213.{BRIDGE_BLOCK + n}.1/24",
            f"10.{POOL_OCTET}.{64 * n}.0/18",
        )
        for n in range(DAEMON_COUNT)
    ]


# The builder gets a bridge of its own although builds run with --network host: a dockerd with
# "bridge": "none" deletes the host's docker0, which may be a system daemon's.
BUILDER = DaemonSpec(
    "labbuild", f"{BRIDGE_PREFIX}b", f"10.213.{BRIDGE_BLOCK + 15}.1/24", f"10.{POOL_OCTET}.192.0/18"
)
# This instance's bridges and the pool of its user-defined networks: nothing else is reachable.
LAB_NETS = [f"10.213.{BRIDGE_BLOCK}.0/20", f"10.{POOL_OCTET}.0.0/16"]
