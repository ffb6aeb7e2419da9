"""Two checkouts on one machine: a lab instance number is held by one checkout at a time.

The second checkout is a bare ``LAB_DIR`` of its own (what a second clone would have): asking for
the number this checkout's running lab holds is refused with a message naming this checkout, and
its ``lab down`` touches nothing of ours.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab import engines, network, procs
from lab.paths import INSTANCE, LAB_DIR, REPO, page_daemons

pytestmark = pytest.mark.lab


def other_checkout(command: str, lab_dir: Path, instance: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAB_DIR": str(lab_dir), "LAB_INSTANCE": str(instance)}
    return subprocess.run(
        [sys.executable, "-m", "lab", command],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )


def our_lab_intact() -> None:
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    for daemon in page_daemons():
        assert procs.running_pid(daemon.name) is not None, f"{daemon.name} was stopped"
        assert f" {daemon.bridge}:" in links, f"bridge {daemon.bridge} was removed"
        ping = subprocess.run(
            [
                str(engines.selected().docker),
                "-H",
                f"unix://{daemon.socket}",
                "info",
                "-f",
                "{{.ID}}",
            ],
            capture_output=True,
            text=True,
        )
        assert ping.returncode == 0, ping.stderr
    assert f"-A FORWARD -j {network.CHAIN}" in network.lab_rules()


def test_second_checkout_is_refused_our_number_and_its_down_leaves_us_alone(
    tmp_path: Path,
) -> None:
    if os.environ.get("DOCS_DOCKER", "lab") != "lab":
        pytest.skip("DOCS_DOCKER=own: there is no lab")
    up = other_checkout("up", tmp_path, INSTANCE)
    assert up.returncode == 1, up.stdout + up.stderr
    message = up.stderr.strip().splitlines()[-1]
    assert f"instance {INSTANCE}" in message and str(LAB_DIR) in message, message
    assert "LAB_INSTANCE=" in message
    down = other_checkout("down", tmp_path, INSTANCE)
    assert down.returncode == 0, down.stderr
    assert str(LAB_DIR) in down.stdout
    our_lab_intact()
