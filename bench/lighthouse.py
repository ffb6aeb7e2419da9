"""Lighthouse (npm, pinned in the Makefile) on pages of a served site, against Debian's chromium.

Mobile form factor with simulated throttling (Lighthouse's defaults, named anyway so a change
of default does not move the figures). Lighthouse and its chromium run inside the private
network namespace the site is served in (sitekit.private_network): nothing but loopback is
reachable, and every request the page made is still checked to be the local server's.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / ".cache" / "npm" / "node_modules" / "lighthouse"
CLI = PACKAGE / "cli" / "index.js"
VERSION = json.loads((PACKAGE / "package.json").read_text())["version"] if PACKAGE.is_dir() else "?"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Headless, no sandbox (we run as root), nothing phoning home (as sitekit.CHROMIUM_ARGS).
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run"
    " --disable-background-networking --disable-component-update --disable-sync"
)
# The goals of issue 24: Performance >= 95, the other three 100.
GOALS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
# At or below this CPU benchmark Lighthouse warns that the host is slower than its throttling
# assumes (core/gather/driver/environment.js): such a run's Performance is understated.
SLOW_CPU_BENCHMARK = 1000


@dataclass(frozen=True)
class Result:
    """One page's scores (0-100) and its LCP (ms), TBT (ms) and CLS, and what missed."""

    url: str
    scores: dict[str, int]
    lcp_ms: float
    tbt_ms: float
    cls: float
    failed: list[str]  # ids of the audits that lost points outside Performance
    foreign: list[str]  # requests to anything but the served site (must stay empty)
    benchmark: float  # Lighthouse's measure of this machine's CPU speed during the run

    def line(self) -> str:
        parts = []
        for category in CATEGORIES:
            score = self.scores[category]
            mark = "" if score >= GOALS[category] else " (goal " + str(GOALS[category]) + ")"
            parts.append(f"{category} {score}{mark}")
        return (
            ", ".join(parts)
            + f"; LCP {self.lcp_ms / 1000:.1f} s, TBT {self.tbt_ms:.0f} ms, CLS {self.cls:.3f}"
            + f" (CPU benchmark {self.benchmark:.0f})"
        )


def verdict(runs: list[Result]) -> str:
    """One line on a page's runs: each category's lowest score against its goal, the range of
    LCP and TBT, and how many runs Lighthouse would flag as on a CPU too slow for its figures."""
    if not runs:
        raise ValueError("no Lighthouse runs to judge")
    missed = []
    for category in CATEGORIES:
        lowest = min(result.scores[category] for result in runs)
        if lowest < GOALS[category]:
            missed.append(f"{category} {lowest} < {GOALS[category]}")
    lcp = sorted(result.lcp_ms / 1000 for result in runs)
    tbt = sorted(result.tbt_ms for result in runs)
    spread = f"LCP {lcp[0]:.1f}-{lcp[-1]:.1f} s, TBT {tbt[0]:.0f}-{tbt[-1]:.0f} ms"
    slow = sum(result.benchmark <= SLOW_CPU_BENCHMARK for result in runs)
    if slow:
        spread += (
            f"; {slow} of {len(runs)} runs on a CPU benchmark <= {SLOW_CPU_BENCHMARK}"
            " (a busy machine: Performance understated)"
        )
    if missed:
        return f"goals missed ({', '.join(missed)}); {spread}"
    return f"goals met in all {len(runs)} runs; {spread}"


def run(url: str, network_path: str | None = None) -> Result:
    """Lighthouse on ``url``; inside the network namespace at ``network_path`` if given.

    Raises with Lighthouse's output when it fails or its chromium is missing.
    """
    if not CLI.is_file():
        raise RuntimeError(f"{CLI} is missing: make bench-site installs it (npm)")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium")
    command = [
        "node",
        str(CLI),
        url,
        "--quiet",
        "--output=json",
        "--output-path=stdout",
        "--form-factor=mobile",
        "--throttling-method=simulate",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if network_path:
        command = ["nsenter", f"--net={network_path}", "--", *command]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"lighthouse {url} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return parse(url, json.loads(done.stdout))


def parse(url: str, report: dict[str, object]) -> Result:
    """A `Result` from Lighthouse's JSON report; raises if the run itself went wrong."""
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse {url}: {report['runtimeError']}")
    categories: dict[str, dict[str, object]] = report["categories"]  # type: ignore[assignment]
    audits: dict[str, dict[str, object]] = report["audits"]  # type: ignore[assignment]
    scores = {}
    for name in CATEGORIES:
        score = categories[name]["score"]
        if score is None:  # an error in one of its audits, not a zero
            raise RuntimeError(f"lighthouse {url}: no {name} score")
        scores[name] = round(float(score) * 100)  # type: ignore[arg-type]
    failed = []
    for name in CATEGORIES[1:]:
        for ref in categories[name]["auditRefs"]:  # type: ignore[attr-defined]
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] != 1:
                failed.append(f"{name}/{ref['id']}")
    requests = audits["network-requests"]["details"]["items"]  # type: ignore[index]
    origin = url.split("/", 3)[:3]
    foreign = [
        item["url"]
        for item in requests
        if item["url"].split("/", 3)[:3] != origin and not item["url"].startswith("data:")
    ]

    def value(audit: str) -> float:
        return float(audits[audit]["numericValue"])  # type: ignore[arg-type]

    return Result(
        url,
        scores,
        value("largest-contentful-paint"),
        value("total-blocking-time"),
        value("cumulative-layout-shift"),
        failed,
        foreign,
        float(report["environment"]["benchmarkIndex"]),  # type: ignore[index]
    )
