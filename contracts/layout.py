"""Where things live: the checkout's folders and the environment variables that move them.

One value, ``Layout.from_env(env)``, read by the harness, the lab, the hooks and the bench alike,
so that a folder has one default and an environment variable one meaning. An empty variable
means its default (``LAB_DIR=`` is the checkout's ``.cache/lab``, never the current folder).

The lab's machine-wide names for an instance number (bridges, subnets, loopback addresses, the
exec-root folder) are ``for_instance(n)``: a pure function, so a test can compare instances in
one process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout: pages' paths are relative to it

LAB_FILE = "lab.json"  # the lab's state (contracts.lab_state), in LAB_DIR
# Inside the registry's storage folder: one folder per repository (lab.pushed deletes them,
# docharness.pushes too).
REPOSITORIES = Path("docker") / "registry" / "v2" / "repositories"
# Shared by every lab instance on the machine: the claims of instance numbers, the exec-roots.
MACHINE_RUN = Path("/run/doclab")
MAX_INSTANCE = 7

# The variables that move a folder (the harness's own tests move them all).
LAB_DIR = "LAB_DIR"
REPORT_DIR = "DOCHARNESS_REPORT_DIR"
ARTIFACTS_DIR = "DOCHARNESS_ARTIFACTS"
RUNS_DIR = "DOCHARNESS_RUNS"
LEDGER_DIR = "DOCHARNESS_LEDGER_DIR"


def _folder(env: Mapping[str, str], name: str, default: Path) -> Path:
    """``env[name]`` as an absolute path, or ``default`` when it is unset or empty."""
    value = env.get(name)
    return Path(value).resolve() if value else default


@dataclass(frozen=True)
class Layout:
    """The checkout's folders as the environment has them."""

    root: Path
    lab_dir: Path  # the lab's folder: lab.json, registry storage, daemons, secrets, logs
    report: Path  # the reports the site reads, and their recordings
    artifacts: Path  # files a failure points at (CI uploads them)
    runs: Path  # records and locks of the runs that hold a daemon (docharness.runs)
    ledger: Path  # IDs and digests pages show, per page

    @classmethod
    def from_env(cls, env: Mapping[str, str], root: Path = ROOT) -> Layout:
        return cls(
            root=root,
            lab_dir=lab_dir(root, env),
            report=_folder(env, REPORT_DIR, root / "report"),
            artifacts=_folder(env, ARTIFACTS_DIR, root / "artifacts"),
            runs=_folder(env, RUNS_DIR, root / ".cache" / "docharness" / "runs"),
            ledger=_folder(env, LEDGER_DIR, root / "ledger"),
        )

    @property
    def lab_file(self) -> Path:
        return self.lab_dir / LAB_FILE

    @property
    def registry_storage(self) -> Path:
        return self.lab_dir / "registry"

    @property
    def repositories(self) -> Path:
        """The hub registry's repository folders (what pages push lands there)."""
        return self.registry_storage / REPOSITORIES


def lab_dir(root: Path, env: Mapping[str, str]) -> Path:
    """``LAB_DIR``, else the checkout's ``.cache/lab``: the one rule the lab and harness share."""
    return _folder(env, LAB_DIR, root / ".cache" / "lab")


def instance_number(value: str) -> int:
    """``LAB_INSTANCE`` as a number; a bad value names itself and the range."""
    if not value.isdigit() or int(value) > MAX_INSTANCE:
        raise ValueError(f"LAB_INSTANCE={value!r}: expected a number from 0 to {MAX_INSTANCE}")
    return int(value)


@dataclass(frozen=True)
class Instance:
    """The machine-wide names of lab instance ``number`` (0-7); no two instances share one."""

    number: int

    @property
    def exec_root(self) -> Path:
        # Docker's unix sockets must stay under 108 bytes: exec-roots live in a short folder.
        return MACHINE_RUN / f"i{self.number}"

    def address(self, host: int) -> str:
        """Instance N answers on 127.0.N.1-4: loopback, so daemons treat the mirror as insecure."""
        return f"127.0.{self.number}.{host}"

    @property
    def bridge_block(self) -> int:
        """Instance N's bridges are 10.213.16N.0/20."""
        return 16 * self.number

    @property
    def pool_octet(self) -> int:
        """Instance N's user-defined networks come from 10.(220+N).0.0/16."""
        return 220 + self.number

    @property
    def bridge_prefix(self) -> str:
        """Within Linux's 15 characters: doclab0 for instance 0, doclab3-0 for instance 3."""
        return "doclab" if self.number == 0 else f"doclab{self.number}-"

    @property
    def chain_prefix(self) -> str:
        """The firewall chains' prefix: DOCLAB for instance 0, DOCLAB3 for instance 3."""
        return "DOCLAB" if self.number == 0 else f"DOCLAB{self.number}"


def for_instance(number: int) -> Instance:
    """The names of lab instance ``number``; a number out of range is a ValueError."""
    return Instance(instance_number(str(number)))
