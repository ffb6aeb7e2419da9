"""`make bench-lab`: how long `make lab` takes, cold, warm and as a fresh clone (figures, not a
test).

* cold, default engine (a fresh machine): the lab down, its checkout folder (``LAB_DIR``) and
  the machine cache (engines, Debian bases, kept images, the lab CA) removed, then
  `python -m lab up`;
* cold, all three engines: that, plus making the other two engines' trees from nothing;
* fresh clone on a used machine: a second, empty ``LAB_DIR`` (what a new clone has) while the
  machine cache is warm; this lab is taken down for it and brought back after;
* warm: `python -m lab up` again on the running lab.

Goals: cold default <= 120 s, cold all three <= 240 s, fresh clone <= 10 s, warm < 2 s.
``--keep-cache`` keeps every cache (only the fresh-clone and warm figures mean anything then).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lab import engines
from lab.paths import CACHE, LAB_DIR

STEPS = ("lab: base ", "lab: engine ", "lab: image ")
steps: list[str] = []  # what the cold run made and how long each took, for the summary


def timed(*command: str, env: dict[str, str] | None = None) -> float:
    """Run ``python -m lab COMMAND``, its output shown as it comes; the seconds it took."""
    started = time.monotonic()
    with subprocess.Popen(
        [sys.executable, "-m", "lab", *command], env=env, stdout=subprocess.PIPE, text=True
    ) as run:
        assert run.stdout is not None
        for line in run.stdout:
            print(line, end="", flush=True)
            if line.startswith(STEPS):
                steps.append(line.rstrip())
    if run.returncode != 0:
        raise SystemExit(f"bench: python -m lab {' '.join(command)} exited {run.returncode}")
    return time.monotonic() - started


def build_engine(name: str) -> float:
    started = time.monotonic()
    engines.ensure(engines.ENGINES[name])
    return time.monotonic() - started


def main() -> None:
    keep = "--keep-cache" in sys.argv
    timed("down")
    if not keep:
        shutil.rmtree(LAB_DIR)
        shutil.rmtree(CACHE, ignore_errors=True)
    cold = timed("up")
    made = list(steps)
    others = [name for name in engines.ENGINES if name != engines.DEFAULT]
    extra = sum(build_engine(name) for name in others) if not keep else 0.0
    warm = timed("up")
    timed("down")
    with tempfile.TemporaryDirectory(prefix="doclab-clone-") as clone:
        env = {**os.environ, "LAB_DIR": str(Path(clone) / "lab")}
        fresh = timed("up", env=env)
        timed("down", env=env)
    timed("up")
    note = " [caches kept]" if keep else ""
    print("each step of the cold make lab (an image's seconds count from its own start):")
    for line in made:
        print(f"  {line}")
    print(f"cold make lab, default engine ({engines.DEFAULT}): {cold:6.1f} s (goal <= 120 s){note}")
    if not keep:
        print(f"cold make lab, all three engines:      {cold + extra:6.1f} s (goal <= 240 s)")
    print(f"fresh clone on a used machine:         {fresh:6.1f} s (goal <= 10 s)")
    print(f"warm make lab:                         {warm:6.1f} s (goal < 2 s)")


if __name__ == "__main__":
    main()
