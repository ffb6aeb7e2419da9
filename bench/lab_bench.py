"""`make bench-lab`: cold and warm `make lab` times (figures, not a test).

Cold means: the lab down, its cache (base rootfs, built images, registry storage) removed, then
`python -m lab up`. Warm means `python -m lab up` again on the running lab.
Goals: cold at most 120 s on a fresh machine, warm under 5 s.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

from lab.paths import LAB_DIR


def timed(*command: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "lab", *command], check=True)
    return time.monotonic() - started


def main() -> None:
    timed("down")
    keep = "--keep-cache" in sys.argv
    if not keep:
        for folder in ("base", "registry", "stamps", "daemons", "catalogue.json"):
            path = LAB_DIR / folder
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
    cold = timed("up")
    warm = timed("up")
    print(f"cold make lab: {cold:6.1f} s (goal <= 120 s){' [cache kept]' if keep else ''}")
    print(f"warm make lab: {warm:6.1f} s (goal < 5 s)")


if __name__ == "__main__":
    main()
