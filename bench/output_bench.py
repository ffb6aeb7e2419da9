"""`make bench-output`: how long a command's output takes to read and check, by size.

Each size runs `head -c N /dev/zero | tr '\\0' x | fold -w 99` in a page shell and matches
it against a page showing its first line, `...` and its last line, then against a wrong last
line (the capped diff). Twice the size should take about twice the time; the goal is a 50 MB
output checked in under 5 s.

Usage: .venv/bin/python bench/output_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docharness.model import ExpectedLine  # noqa: E402
from docharness.normalise import Bindings, match  # noqa: E402
from docharness.shell import PageShell  # noqa: E402

SIZES_MB = (6.25, 12.5, 25.0, 50.0)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        shell = PageShell(Path(folder), "unix:///nonexistent.sock")
        try:
            shell.run("true")
            for size in SIZES_MB:
                started = time.monotonic()
                command = f"head -c {int(size * 1e6)} /dev/zero | tr '\\0' x | fold -w 99"
                lines = shell.run(command, timeout=300).lines
                shown = [ExpectedLine(lines[0], 1), ExpectedLine("...", 2)]
                right = match([*shown, ExpectedLine(lines[-1], 3)], lines, Bindings())
                wrong = match([*shown, ExpectedLine("y", 3)], lines, Bindings())
                seconds = time.monotonic() - started
                assert right is None and wrong is not None
                print(f"{size:6.2f} MB  {len(lines):>7} lines  {seconds:5.2f} s", flush=True)
        finally:
            shell.close()


if __name__ == "__main__":
    main()
