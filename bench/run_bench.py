"""`make bench`: the docs' commands as a plain bash script against the same commands through
the harness, the same blocks on both sides.

Both sides run exactly the blocks the harness runs as transcripts: blocks it skips (a `skip`
directive, an `engine` range this engine is outside of, `requires network` offline), Python
blocks and synopses are left out of both. Per
page and repetition the two sides take turns (which goes first alternates), at least three
repetitions; the daemon is restored after each raw run, timed apart (the harness does the same
work inside its time). Printed: the median of each side per page, the raw side's cleanup, what
the harness's own parts cost (pytest start and collection, the page shell, the daemon
snapshot, a pty session, the host-port lock), and last `ratio X` = the sum of the harness's
medians / the sum of the raw medians.

Usage: .venv/bin/python bench/run_bench.py [--repeat N] [pages...]   (default: docs/**/*.md)
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contracts.report import BlockRecord, read_report  # noqa: E402
from docharness import cleanup, daemon  # noqa: E402
from docharness.fences import parse_page, read_page  # noqa: E402
from docharness.interactive import Session, is_interactive  # noqa: E402
from docharness.model import CodeBlock, Step  # noqa: E402
from docharness.page import skip_reason  # noqa: E402
from docharness.plugin.run import host_ports_turn  # noqa: E402
from docharness.shell import PageShell, configure_plugins, page_environment  # noqa: E402


def runnable(page: Path, found: daemon.Daemon) -> list[CodeBlock]:
    """The page's blocks both sides run: those made of shell steps (transcripts) that the
    harness runs here (``skip_reason`` is the harness's own rule: skip directives, engine
    ranges, `requires network` offline)."""
    blocks = parse_page(page, read_page(page))
    return [b for b in blocks if b.steps and skip_reason(b, found) is None]


def _raw_command(step: Step, typed: list[str], login: daemon.Daemon) -> str:
    """The step as a plain script line; an interactive one gets its typed lines on stdin."""
    if not is_interactive(step.command):
        return step.command
    words = shlex.split(step.command)
    if "login" in words[1:3]:
        return (
            f"printf '%s' {shlex.quote(login.password or '')} | "
            f"docker login -u {shlex.quote(login.username or '')} --password-stdin"
        )
    command = step.command.replace(" -it ", " -i ").replace(" -ti ", " -i ")
    lines = "".join(f"{line}\n" for line in typed) or "exit\n"
    return f"printf %s {shlex.quote(lines)} | {command}"


def raw_script(page: Path, blocks: list[CodeBlock], login: daemon.Daemon) -> str:
    """A bash script with the blocks' commands, setup and teardown included."""
    out = ["set +e"]
    for block in blocks:
        setup, teardown = block.directives.setup, block.directives.teardown
        steps = [
            *(setup.steps if setup else ()),
            *block.steps,
            *(teardown.steps if teardown else ()),
        ]
        for index, step in enumerate(steps):
            if step.in_container:
                continue
            typed = []
            for later in steps[index + 1 :]:
                if not later.in_container:
                    break
                typed.append(later.command)
            out.append(_raw_command(step, typed, login))
    return "\n".join(out) + "\n"


def run_raw(page: Path, blocks: list[CodeBlock], found: daemon.Daemon) -> tuple[float, float]:
    """Seconds the blocks' script takes in a fresh folder, and seconds restoring the daemon.

    The harness restores the daemon too (inside its time); here it is timed apart, so it can
    be shown as one of the harness's parts rather than hidden in the raw side's gap.
    """
    api = cleanup.client_for(found.host)
    before = cleanup.snapshot(api)
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        # The page shell's docker: the engine's own CLI and plugins, in a config of the folder.
        env = page_environment(Path(folder), found.host, found.client)
        configure_plugins(Path(env["DOCKER_CONFIG"]), found.client)
        started = time.monotonic()
        subprocess.run(
            ["bash", "-c", raw_script(page, blocks, found)],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=1800,
        )
        seconds = time.monotonic() - started
    restoring = _timed(lambda: cleanup.restore(api, before))
    api.close()
    return seconds, restoring


def run_harness(
    page: Path, blocks: list[CodeBlock], extra_env: Mapping[str, str] | None = None
) -> tuple[float, list[BlockRecord]]:
    """Wall seconds of a serial pytest run over exactly these blocks, and their records;
    ``extra_env`` is added to the run's environment (``LAB_ENGINE`` for bench/store_bench.py)."""
    relative = page.relative_to(ROOT).as_posix()
    ids = [f"{relative}::line:{block.line},column:1" for block in blocks]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        report = Path(folder) / "report.json"
        env = {**os.environ, **(extra_env or {}), "DOCHARNESS_REPORT": str(report)}
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "pytest", *ids, "-p", "no:xdist", "-q"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=3600,
        )
        wall = time.monotonic() - started
        data = read_report(report)
    return wall, data["blocks"] if data else []


def failure(repetition: int, record: BlockRecord) -> str:
    """One failed block run, for the lines under its page's row."""
    story = "\n".join((record.get("details") or "").splitlines()[:12])
    text = f"  run {repetition + 1}: line {record['line']} failed: {record['reason']}"
    return f"{text}\n{textwrap.indent(story, '    ')}" if story else text


def _timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def parts(found: daemon.Daemon, page: Path, image: str) -> dict[str, float]:
    """Seconds of the harness's own parts, each measured alone (once; median taken by caller)."""
    costs: dict[str, float] = {}
    costs["pytest start + collection"] = _timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "pytest", str(page), "--collect-only", "-q", "-p", "no:xdist"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            check=True,
        )
    )
    with tempfile.TemporaryDirectory(prefix="bench-shell-") as folder:

        def shell() -> None:
            started = PageShell(Path(folder), found.host, client=found.client)
            started.run("true", 60)
            started.close()

        costs["page shell start, one command, close"] = _timed(shell)
    api = cleanup.client_for(found.host)
    costs["daemon snapshot, nothing to clean"] = _timed(
        lambda: cleanup.restore(api, cleanup.snapshot(api))
    )
    api.close()

    def port_turn() -> None:
        with host_ports_turn(page):
            pass

    costs["host-port lock (no other worker)"] = _timed(port_turn)
    env = page_environment(Path(tempfile.gettempdir()), found.host, found.client)
    plain = _timed(
        lambda: subprocess.run(
            ["docker", "run", "--rm", "--network", "none", image, "true"], env=env, check=True
        )
    )

    def session() -> None:
        opened = Session(
            f"docker run -it --rm --network none {image} bash",
            Path(tempfile.gettempdir()),
            env,
            page_prompt="root@0:/# ",
        )
        opened.start()
        opened.type("exit")
        opened.close()

    costs[f"pty session of {image} beyond docker run --rm"] = _timed(session) - plain
    return costs


def measure_parts(found: daemon.Daemon, page: Path, repeat: int) -> list[dict[str, float]]:
    """``parts`` ``repeat`` times, with the image its pty session runs pulled first (untimed:
    the figures compare running containers, not fetching images) and removed after. Only after
    the pages: a page must find the daemon as a reader's run does, without that image."""
    image = os.environ.get("BENCH_IMAGE", "debian:latest")
    env = page_environment(Path(tempfile.gettempdir()), found.host, found.client)
    api = cleanup.client_for(found.host)
    before = cleanup.snapshot(api)
    try:
        subprocess.run(
            ["docker", "pull", "-q", image], env=env, check=True, stdout=subprocess.DEVNULL
        )
        return [parts(found, page, image) for _ in range(repeat)]
    finally:
        cleanup.restore(api, before)
        api.close()


def arguments(description: str, per: str) -> tuple[int, list[Path]]:
    """The repetitions (``--repeat`` per ``per``, at least 3) and the pages (default: every
    page) of a bench script's command line."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help=f"repetitions per {per} (>= 3)")
    parser.add_argument("pages", nargs="*", type=Path)
    args = parser.parse_args()
    if args.repeat < 3:
        parser.error("--repeat must be at least 3: one run per side is noise")
    return args.repeat, [p.resolve() for p in args.pages] or sorted((ROOT / "docs").rglob("*.md"))


def main() -> None:
    repeat, pages = arguments(__doc__, "page")
    found = daemon.select(ROOT)
    daemon.ping(found)
    print(
        f"{'page':34} {'blocks':>6} {'raw s':>8} {'harness s':>10} {'extra s':>8} "
        f"{'cleanup s':>9}  outcomes"
    )
    raw_total = harness_total = cleanup_total = 0.0
    failed_total = 0
    for page in pages:
        blocks = runnable(page, found)
        name = page.relative_to(ROOT).as_posix()
        if not blocks:
            print(f"{name:34} {0:6}  (nothing both sides run)")
            continue
        raw: list[float] = []
        restores: list[float] = []
        harness: list[float] = []
        outcomes: set[str] = set()
        failures: list[str] = []
        for repetition in range(repeat):
            # Alternate which side goes first: a warm cache must not favour one side.
            sides = ["raw", "harness"] if repetition % 2 == 0 else ["harness", "raw"]
            for side in sides:
                if side == "raw":
                    seconds, restoring = run_raw(page, blocks, found)
                    raw.append(seconds)
                    restores.append(restoring)
                else:
                    seconds, records = run_harness(page, blocks)
                    harness.append(seconds)
                    outcomes.update(record["status"] for record in records)
                    failed = [r for r in records if r["status"] == "failed"]
                    failures += [failure(repetition, record) for record in failed]
        raw_median, harness_median = statistics.median(raw), statistics.median(harness)
        cleanup_median = statistics.median(restores)
        raw_total += raw_median
        harness_total += harness_median
        cleanup_total += cleanup_median
        print(
            f"{name:34} {len(blocks):6} {raw_median:8.2f} {harness_median:10.2f} "
            f"{harness_median - raw_median:8.2f} {cleanup_median:9.2f}  "
            f"{', '.join(sorted(outcomes))}"
        )
        # A failed block did not do the work the raw side did: the row compares unequal runs.
        for failure in failures:
            print(failure)
        failed_total += len(failures)
    print(
        f"{'total of medians':34} {'':6} {raw_total:8.2f} {harness_total:10.2f} "
        f"{harness_total - raw_total:8.2f} {cleanup_total:9.2f}"
    )

    measured = measure_parts(found, pages[0], repeat)
    print("where the harness's extra time goes (medians, each part measured alone):")
    print(f"  {'removing what the pages made (cleanup s, sum)':53} {cleanup_total:6.2f} s")
    for part in measured[0]:
        print(f"  {part + ' (per page)':53} {statistics.median(m[part] for m in measured):6.2f} s")
    if failed_total:
        print(f"{failed_total} block runs failed through the harness (listed under their pages)")
    print(f"ratio {harness_total / raw_total:.2f}")


if __name__ == "__main__":
    main()
