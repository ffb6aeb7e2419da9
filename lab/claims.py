"""Which checkout holds which lab instance number on this machine.

Bridges, subnets, loopback addresses, the run folder and the firewall chain are named after the
instance number (``lab.paths``): two checkouts using the same number would take each other's.
``claim`` writes this checkout's ``LAB_DIR`` into ``/run/doclab/claims/<N>``; a number held by
another checkout whose lab still runs is refused with a message naming that checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from lab.errors import LabError
from lab.paths import INSTANCE, LAB_DIR, MACHINE_RUN, MAX_INSTANCE

CLAIMS = MACHINE_RUN / "claims"


class ClaimedElsewhere(LabError):
    """The instance number is held by another checkout's running lab."""

    def __init__(self, holder: Path) -> None:
        free = [str(n) for n in range(MAX_INSTANCE + 1) if n != INSTANCE and not _taken(n)]
        super().__init__(
            f"lab: instance {INSTANCE} (its bridges, subnets and ports) is held by the lab of "
            f"{holder}; stop that one (`make lab-down` there) or use another instance here, "
            f"e.g. LAB_INSTANCE={free[0] if free else '?'} make lab"
        )
        self.holder = holder


def _claim_file(instance: int) -> Path:
    return CLAIMS / str(instance)


def _holder(instance: int) -> Path | None:
    try:
        return Path(_claim_file(instance).read_text().strip())
    except FileNotFoundError:
        return None


def running(lab_dir: Path) -> bool:
    """Does any process that the lab in ``lab_dir`` started still run (by its pidfiles)?"""
    for pidfile in (lab_dir / "run").glob("*.pid"):
        try:
            pid = int(pidfile.read_text().split()[0])
        except (ValueError, IndexError, FileNotFoundError):
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass  # alive, somebody else's: still counts
        return True
    return False


def _taken(instance: int) -> bool:
    holder = _holder(instance)
    return holder is not None and running(holder)


def held_elsewhere() -> Path | None:
    """The other checkout whose running lab holds this instance number, if any."""
    holder = _holder(INSTANCE)
    if holder is None or holder == LAB_DIR or not running(holder):
        return None
    return holder


def others_running() -> list[tuple[int, Path]]:
    """The instance numbers and checkouts of the other labs running on this machine."""
    found = []
    for instance in range(MAX_INSTANCE + 1):
        holder = _holder(instance)
        if holder is not None and holder != LAB_DIR and running(holder):
            found.append((instance, holder))
    return found


def claim() -> None:
    """Take this instance number for this checkout, unless another running lab holds it."""
    holder = held_elsewhere()
    if holder is not None:
        raise ClaimedElsewhere(holder)
    CLAIMS.mkdir(parents=True, exist_ok=True)
    _claim_file(INSTANCE).write_text(f"{LAB_DIR}\n")


def release() -> None:
    """Give the number back if this checkout holds it."""
    if _holder(INSTANCE) == LAB_DIR:
        _claim_file(INSTANCE).unlink(missing_ok=True)
