"""Where the lab keeps things, and the fixed addresses it answers on.

Everything lives under one cache folder (``LAB_DIR``, default ``<repo>/.cache/lab``) so a second
``make lab`` reuses the base rootfs, the built images and the registry storage.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAB_DIR = Path(os.environ.get("LAB_DIR", REPO / ".cache" / "lab")).resolve()
RECIPES = REPO / "lab" / "recipes"
RUN = LAB_DIR / "run"
LOGS = LAB_DIR / "logs"
STATE_FILE = LAB_DIR / "lab.json"
SECRETS = LAB_DIR / "secrets"
REGISTRY_STORAGE = LAB_DIR / "registry"
CATALOGUE = LAB_DIR / "catalogue.json"

# Docker's unix sockets must stay under 108 bytes: exec-roots live in a short folder of their own.
EXEC_ROOT = Path("/run/doclab")

MIRROR = (
    "127.0.0.1",
    15000,
)  # anonymous http registry: pull mirror of the lab daemons, and seeding
HUB = ("127.0.0.2", 443)  # registry-1.docker.io: TLS + htpasswd (docker login / docker push)
GCR = ("127.0.0.3", 443)  # gcr.io: TLS, anonymous, read-only
INDEX = ("127.0.0.4", 443)  # index.docker.io / auth.docker.io: the v1 search endpoint
# pypi.org for pip inside containers: on the first lab bridge's address, which the containers
# of every lab daemon reach (it is the host's); the python recipe's /etc/pip.conf names it.
PYPI = ("10.213.0.1", 3141)
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
DAEMON_COUNT = int(os.environ.get("LAB_DAEMONS", "2"))


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


def page_daemons() -> list[DaemonSpec]:
    """The daemons the tests use, one per pytest-xdist worker."""
    return [
        DaemonSpec(f"lab{n}", f"doclab{n}", f"10.213.{n}.1/24", f"10.{220 + n}.0.0/16")
        for n in range(DAEMON_COUNT)
    ]


# The builder gets a bridge of its own although builds run with --network host: a dockerd with
# "bridge": "none" deletes the host's docker0, which may be a system daemon's.
BUILDER = DaemonSpec("labbuild", "doclabb", "10.213.250.1/24", "10.219.0.0/16")
# The bridges (10.213.N.0/24) and the pools of user-defined networks (10.22N.0.0/16).
LAB_NETS = ["10.213.0.0/16", "10.220.0.0/14"]
