"""`make bench-site`: strict build time of the whole site and first-load weight of a chapter page.

Goals (issue 4): median of 5 `mkdocs build --strict` runs <= 1.0 s; the first load of a chapter
page, images left out, <= 400 KB transferred (every response's encoded size, in chromium).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "site"))
import sitekit  # noqa: E402

RUNS = 5
BUILD_GOAL_S = 1.0
WEIGHT_GOAL_KB = 400
CHAPTER = "image-commands/"


def build_times(site_dir: Path) -> list[float]:
    """Wall time of each strict build."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        sitekit.build(site_dir, "--strict")
        times.append(time.perf_counter() - start)
    return times


def first_load_bytes(site_dir: Path) -> tuple[int, int]:
    """(bytes, responses) the server sends for a chapter page's first load, images left out.

    Counted at the server, which gzips text like GitHub Pages: the browser does not report the
    search worker's own download.
    """
    with sitekit.serve(site_dir) as served, sitekit.browser() as browser:
        page = browser.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.abort() if route.request.resource_type == "image" else route.continue_()
            ),
        )
        page.goto(served.url + CHAPTER, wait_until="networkidle")
        sent = list(served.sent)
    return sum(size for _, size in sent), len(sent)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site_dir = Path(folder)
        times = build_times(site_dir)
        weight, requests = first_load_bytes(site_dir)
    median = statistics.median(times)
    runs = " ".join(f"{t:.2f}" for t in times)
    print(f"strict build: median {median:.2f} s of {RUNS} ({runs}); goal <= {BUILD_GOAL_S:.1f} s")
    print(
        f"first load of /{CHAPTER} without images: {weight / 1000:.0f} KB in {requests} requests;"
        f" goal <= {WEIGHT_GOAL_KB} KB"
    )


if __name__ == "__main__":
    main()
