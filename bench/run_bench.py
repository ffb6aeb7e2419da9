"""`make bench`: the docs' commands as a plain bash script, then through the harness.

Per page: the wall time of a bash script running the page's commands (interactive ones fed
their typed lines on stdin with `-t` dropped), then the harness's time for the page (from its
JSON report). The daemon is restored after each raw page (not timed), so both runs start from
the same state. Last line: `ratio X` = harness wall time / raw wall time, whole runs.

Usage: .venv/bin/python bench/run_bench.py [pages...]   (default: docs/**/*.md)
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docharness import cleanup, daemon  # noqa: E402
from docharness.fences import parse_page  # noqa: E402
from docharness.interactive import Session, is_interactive  # noqa: E402
from docharness.model import BlockKind, Step  # noqa: E402
from docharness.shell import page_environment  # noqa: E402
from docharness.transcript import parse_steps  # noqa: E402


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


def raw_script(page: Path, login: daemon.Daemon) -> str:
    """A bash script with the page's commands, setup and teardown included."""
    out = ["set +e"]
    for block in parse_page(page, page.read_text(encoding="utf-8")):
        if block.kind is not BlockKind.TRANSCRIPT or block.directive("skip"):
            continue
        setup, teardown = block.directive("setup"), block.directive("teardown")
        steps = parse_steps(page, setup.value, setup.line + 1) if setup else []
        steps += block.steps
        steps += parse_steps(page, teardown.value, teardown.line + 1) if teardown else []
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


def run_raw(page: Path, found: daemon.Daemon) -> float:
    """Seconds the page's script takes in a fresh folder; the daemon is restored afterwards."""
    api = cleanup.client_for(found.host)
    before = cleanup.snapshot(api)
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        env = page_environment(Path(folder), found.host)
        started = time.monotonic()
        subprocess.run(
            ["bash", "-c", raw_script(page, found)],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=1800,
        )
        seconds = time.monotonic() - started
    cleanup.restore(api, before)
    api.close()
    return seconds


def run_harness(pages: list[Path]) -> tuple[float, dict[str, float], dict[str, int]]:
    """Wall seconds of one serial pytest run over the pages, seconds per page, outcomes."""
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        report = Path(folder) / "report.json"
        env = {**os.environ, "DOCHARNESS_REPORT": str(report)}
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "pytest", *map(str, pages), "-p", "no:xdist", "-q"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=3600,
        )
        wall = time.monotonic() - started
        blocks = json.loads(report.read_text(encoding="utf-8"))["blocks"] if report.exists() else []
    per_page: dict[str, float] = {}
    outcomes: dict[str, int] = {}
    for block in blocks:
        per_page[block["page"]] = per_page.get(block["page"], 0.0) + block["duration"]
        outcomes[block["status"]] = outcomes.get(block["status"], 0) + 1
    return wall, per_page, outcomes


def interactive_cost(found: daemon.Daemon, image: str) -> tuple[float, float]:
    """Seconds of `docker run --rm IMAGE true` and of a pty session of IMAGE typed `exit`."""
    env = page_environment(Path(tempfile.gettempdir()), found.host)
    # Pulled first, untimed: the figures compare starting a container, not fetching it.
    subprocess.run(["docker", "pull", "-q", image], env=env, check=True, stdout=subprocess.DEVNULL)
    started = time.monotonic()
    subprocess.run(
        ["docker", "run", "--rm", "--network", "none", image, "true"], env=env, check=True
    )
    plain = time.monotonic() - started
    started = time.monotonic()
    session = Session(
        f"docker run -it --rm --network none {image} bash",
        Path(tempfile.gettempdir()),
        env,
        page_prompt="root@0:/# ",
    )
    session.start()
    session.type("exit")
    session.close()
    return plain, time.monotonic() - started


def main() -> None:
    pages = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT / "docs").rglob("*.md"))
    found = daemon.select(ROOT)
    daemon.ping(found)
    raw: dict[str, float] = {}
    for page in pages:
        raw[page.relative_to(ROOT).as_posix()] = run_raw(page, found)
    harness_wall, harness, outcomes = run_harness(pages)
    raw_wall = sum(raw.values())
    print(f"{'page':40} {'raw s':>8} {'harness s':>10}")
    for name, seconds in raw.items():
        print(f"{name:40} {seconds:8.2f} {harness.get(name, 0.0):10.2f}")
    print(f"{'total (wall)':40} {raw_wall:8.2f} {harness_wall:10.2f}")
    print("harness blocks: " + ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())))
    image = os.environ.get("BENCH_IMAGE", "debian:latest")
    plain, session = interactive_cost(found, image)
    print(
        f"interactive session of {image}: {session:.2f} s vs docker run --rm {plain:.2f} s "
        f"(+{session - plain:.2f} s)"
    )
    print(f"ratio {harness_wall / raw_wall:.2f}")


if __name__ == "__main__":
    main()
