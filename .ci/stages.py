"""CI's time, told: each stage's wall time in one table at the end of ``.ci/run``.

``stages.py run NAME -- COMMAND…`` runs COMMAND and appends a row (name, seconds, exit status)
to the file ``CI_STAGES`` names; without ``CI_STAGES`` it only runs the command (a developer's
``make test``). ``stages.py record NAME SECONDS OUTCOME`` appends a row measured elsewhere (an
engine of ``make test-engines``). ``stages.py table`` prints the rows. Standard library only:
the set-up stage runs before the virtualenv exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

USAGE = "usage: stages.py run NAME -- COMMAND… | record NAME SECONDS OUTCOME | table"


def _file() -> Path | None:
    name = os.environ.get("CI_STAGES")
    return Path(name) if name else None


def record(name: str, seconds: float, outcome: str) -> None:
    """Append one stage's row; nothing when ``CI_STAGES`` is not set."""
    path = _file()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as rows:
        rows.write(f"{name}\t{seconds:.0f}\t{outcome}\n")


def run(name: str, command: list[str]) -> int:
    """Run ``command``, record its wall time and outcome, return its exit status."""
    started = time.monotonic()
    status = subprocess.run(command).returncode
    record(name, time.monotonic() - started, "ok" if status == 0 else f"exit {status}")
    return status


def table() -> str:
    """The rows as an aligned table with a total; empty when nothing was recorded."""
    path = _file()
    if path is None or not path.exists():
        return ""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
    width = max([len(name) for name, _, _ in rows] + [len("stage")])
    lines = [f"{'stage':<{width}}  {'seconds':>7}  outcome"]
    lines += [f"{name:<{width}}  {seconds:>7}  {outcome}" for name, seconds, outcome in rows]
    total = sum(int(seconds) for _, seconds, _ in rows)
    lines.append(f"{'total':<{width}}  {total:>7}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"] and len(argv) > 3 and argv[2] == "--":
        return run(argv[1], argv[3:])
    if argv[:1] == ["record"] and len(argv) == 4:
        record(argv[1], float(argv[2]), argv[3])
        return 0
    if argv == ["table"]:
        print(table())
        return 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
