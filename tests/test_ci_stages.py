"""CI's stage table (.ci/stages.py): rows recorded by run and record, printed by table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STAGES = Path(__file__).resolve().parents[1] / ".ci" / "stages.py"


def stages(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(STAGES), *args], env=env, capture_output=True, text=True
    )


def test_each_stage_gets_its_time_and_outcome_and_a_failure_keeps_its_status(
    tmp_path: Path,
) -> None:
    env = {"CI_STAGES": str(tmp_path / "stages.tsv"), "PATH": "/usr/bin:/bin"}
    assert stages("run", "lint", "--", "true", env=env).returncode == 0
    assert stages("run", "tests", "--", "sh", "-c", "exit 3", env=env).returncode == 3
    assert stages("record", "engine sid", "12.6", "passed", env=env).returncode == 0
    table = stages("table", env=env).stdout.splitlines()
    assert table[0].split() == ["stage", "seconds", "outcome"]
    assert table[1].split() == ["lint", "0", "ok"]
    assert table[2].split() == ["tests", "0", "exit", "3"]
    assert table[3].split() == ["engine", "sid", "13", "passed"]
    assert table[4].split() == ["total", "13"]


def test_without_ci_stages_a_stage_only_runs_its_command(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin"}
    done = stages("run", "lint", "--", "sh", "-c", "echo ran", env=env)
    assert (done.returncode, done.stdout) == (0, "ran\n")
    assert stages("table", env=env).stdout == "\n"
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_call_says_how_to_call_it() -> None:
    done = stages("run", "lint", env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert done.stderr.startswith("usage: stages.py run NAME")
