"""`make test-repeat`: run tests again and again under CI-like load, to find the flaky ones.

A test that fails only sometimes fails the CI of a change that did not touch it. This runs the
given tests ``--runs`` times as the CI does (pytest with 2 xdist workers) beside a CPU-bound
process (the CI's other work: the lab, a second job), prints each run's figures and stops at the
first failing run, whose output stays in ``artifacts/repeat/``. It never retries: one failure
is a bug to fix.

    python -m docharness.repeat --runs 5 tests/site
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOGS = Path("artifacts") / "repeat"
# pytest's last line: "== 3 failed, 120 passed, 2 skipped in 81.20s (0:01:21) ==".
_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)")
_BUSY = "while True: pass"


@dataclass(frozen=True)
class Run:
    """One pytest run: its number, exit status, wall time and the summary's counts."""

    number: int
    returncode: int
    seconds: float
    counts: dict[str, int]

    def line(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.counts.items()) or "no summary"
        state = "ok" if self.returncode == 0 else f"FAILED (exit {self.returncode})"
        return f"run {self.number}: {state} in {self.seconds:.1f} s: {counts}"


def counts(output: str) -> dict[str, int]:
    """The counts of pytest's summary line (the last line that has any)."""
    for text in reversed(output.splitlines()):
        found = _COUNT.findall(text)
        if found:
            return {what: int(n) for n, what in found}
    return {}


@contextmanager
def busy(processes: int) -> Iterator[None]:
    """``processes`` CPU-bound Python processes for as long as the block runs (stopped by PID)."""
    started = [subprocess.Popen([sys.executable, "-c", _BUSY]) for _ in range(processes)]
    try:
        yield
    finally:
        for process in started:
            process.kill()
            process.wait()


def run_once(number: int, workers: int, tests: Sequence[str]) -> Run:
    """One pytest run of ``tests`` with ``workers`` xdist workers; its output kept in LOGS."""
    command = [sys.executable, "-m", "pytest", "-q", *tests]
    if workers > 1:
        command[3:3] = ["-n", str(workers)]
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.monotonic() - start
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / f"run-{number}.log").write_text(done.stdout + done.stderr, "utf-8")
    return Run(number, done.returncode, seconds, counts(done.stdout))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="how many runs (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="xdist workers (default 2)")
    parser.add_argument("--load", type=int, default=1, help="CPU-bound processes beside them")
    parser.add_argument("tests", nargs="*", default=["tests", "--ignore=tests/lab_lifecycle"])
    options = parser.parse_args(argv)
    if options.runs < 1:
        parser.error(f"--runs must be at least 1, not {options.runs}")
    print(
        f"test-repeat: {options.runs} runs of pytest -n {options.workers} "
        f"{' '.join(options.tests)} beside {options.load} CPU-bound process(es)",
        flush=True,
    )
    runs: list[Run] = []
    with busy(options.load):
        for number in range(1, options.runs + 1):
            run = run_once(number, options.workers, options.tests)
            runs.append(run)
            print(run.line(), flush=True)
            if run.returncode:
                log = LOGS / f"run-{number}.log"
                failures = [
                    text
                    for text in log.read_text("utf-8").splitlines()
                    if text.startswith(("FAILED ", "ERROR "))
                ]
                print("\n".join(failures) or f"(no FAILED line: see {log})")
                print(f"test-repeat: stopped at run {number}; its output: {log}")
                return 1
    times = sorted(run.seconds for run in runs)
    print(
        f"test-repeat: {len(runs)} of {len(runs)} runs green; wall time "
        f"min {times[0]:.1f} s, median {times[len(times) // 2]:.1f} s, max {times[-1]:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
