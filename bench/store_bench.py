"""`make bench-stores`: the harness on the pages on the containerd image store and on the classic
one, sid's Engine 28.5 on both (lab engines ``sid-containerd`` and ``sid``), and their ratio.

The lab is switched as ``make test-engines`` switches it (``docharness.matrix.lab_up``: the
page daemons restarted on the other engine entry). Each side runs the blocks the harness runs
on its store (``run_bench.runnable``): the blocks without a store directive run on both, a
`store containerd` or `store classic` block only on its own (its twin, the same commands with
the other store's output, runs on the other). So each side's time is the suite a run on that
store takes; the table shows per page how many blocks run on both and how many on one store
only, so a row whose sides differ by more than twins is seen. Each repetition runs every store
once, which goes first alternating (a warm cache must not favour one side), at least three
repetitions. Printed: per page the median wall time of each side and their ratio, the total of
the medians, and last `ratio X` = containerd total / classic total. The lab is left on the
engine it runs for this checkout (``LAB_ENGINE``, else the default).

Usage: .venv/bin/python bench/store_bench.py [--repeat N] [pages...]   (default: docs/**/*.md)
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run_bench, beside this script

import run_bench  # noqa: E402
from run_bench import ROOT  # noqa: E402

from contracts.stores import image_store  # noqa: E402
from docharness import daemon  # noqa: E402
from docharness.matrix import lab_up  # noqa: E402
from docharness.model import CodeBlock  # noqa: E402
from docharness.page import forget_daemons  # noqa: E402
from lab import engines  # noqa: E402

# Store -> the lab engine running sid's 28.5 on it; the default store (Engine 29's) first.
ENGINES = {"containerd": "sid-containerd", "classic": "sid"}


def turns(repeat: int, stores: Sequence[str]) -> list[str]:
    """The order the sides run in: every store once per repetition, the first alternating;
    a repetition starts with the store the last one ended on, so the lab switches once per
    repetition."""
    order: list[str] = []
    for repetition in range(repeat):
        order += stores if repetition % 2 == 0 else list(reversed(stores))
    return order


@dataclass(frozen=True)
class Shared:
    """How a page's blocks fall on two stores (their lines): on both, or on one only."""

    both: int
    only_first: int
    only_second: int


def shared(first: Sequence[int], second: Sequence[int]) -> Shared:
    """The counts of block lines on both sides and on each side only."""
    a, b = set(first), set(second)
    return Shared(len(a & b), len(a - b), len(b - a))


@dataclass(frozen=True)
class Row:
    """A page's medians on the two stores (seconds; 0 for a side that runs nothing)."""

    page: str
    blocks: Shared
    containerd: float
    classic: float


def medians(seconds: Mapping[str, Sequence[float]]) -> dict[str, float]:
    """The median of each side's runs; a side without runs (no block there) is 0."""
    return {side: statistics.median(runs) if runs else 0.0 for side, runs in seconds.items()}


def ratio(containerd: float, classic: float) -> str:
    """containerd / classic with two decimals; ``-`` when the classic side took nothing."""
    return f"{containerd / classic:.2f}" if classic > 0 else "-"


# Blocks: run on both stores, on the containerd store only, on the classic store only.
HEADER = (
    f"{'page':34} {'both':>5} {'c-only':>6} {'k-only':>6} "
    f"{'containerd s':>12} {'classic s':>10} {'ratio':>6}"
)


def table(rows: Sequence[Row]) -> list[str]:
    """The printed rows: the header, a line per page, the total of the medians."""
    lines = [HEADER]
    for row in rows:
        b = row.blocks
        lines.append(
            f"{row.page:34} {b.both:5} {b.only_first:6} {b.only_second:6} "
            f"{row.containerd:12.2f} {row.classic:10.2f} {ratio(row.containerd, row.classic):>6}"
        )
    containerd = sum(row.containerd for row in rows)
    classic = sum(row.classic for row in rows)
    lines.append(
        f"{'total of medians':34} {sum(r.blocks.both for r in rows):5} "
        f"{sum(r.blocks.only_first for r in rows):6} {sum(r.blocks.only_second for r in rows):6} "
        f"{containerd:12.2f} {classic:10.2f} {ratio(containerd, classic):>6}"
    )
    lines.append(f"ratio {ratio(containerd, classic)} (containerd / classic)")
    return lines


class StoreNotRunning(Exception):
    """The lab came up on an engine whose daemon does not run the store it is for."""


def switch(store: str) -> daemon.Daemon:
    """The lab's daemons restarted on ``store``'s engine; the daemon this process uses."""
    refused = lab_up(ENGINES[store])
    if refused is not None:
        raise StoreNotRunning(refused)
    forget_daemons()  # the same sockets now answer for another store
    found = daemon.select(ROOT)
    running = image_store(daemon.driver_status(found))
    if running != store:
        raise StoreNotRunning(f"lab engine {ENGINES[store]} runs the {running} store, not {store}")
    return found


def main() -> int:
    repeat, pages = run_bench.arguments(__doc__, "store")
    stores = list(ENGINES)
    blocks: dict[str, dict[Path, list[CodeBlock]]] = {}
    seconds: dict[Path, dict[str, list[float]]] = {p: {s: [] for s in stores} for p in pages}
    failures: list[str] = []
    running: str | None = None
    try:
        for turn, store in enumerate(turns(repeat, stores)):
            if store != running:
                found = switch(store)
                running = store
                blocks.setdefault(store, {p: run_bench.runnable(p, found) for p in pages})
            repetition = turn // len(stores)
            print(f"bench-stores: {store} (repetition {repetition + 1})", flush=True)
            for page in pages:
                chosen = blocks[store][page]
                if not chosen:
                    continue
                wall, records = run_bench.run_harness(page, chosen, {"LAB_ENGINE": ENGINES[store]})
                seconds[page][store].append(wall)
                name = page.relative_to(ROOT).as_posix()
                for record in records:
                    if record["status"] == "failed":
                        failures.append(f"{name} ({store}):{run_bench.failure(repetition, record)}")
    except StoreNotRunning as error:
        print(f"bench-stores: {error}", file=sys.stderr)
        return 1
    finally:
        home = engines.selected().name  # the engine this checkout's lab runs otherwise
        if (running is None or ENGINES[running] != home) and (refused := lab_up(home)):
            print(f"bench-stores: the lab did not come back on {home}: {refused}")
    rows = []
    for page in pages:
        lines = {s: [b.line for b in blocks[s][page]] for s in stores}
        if not lines["containerd"] and not lines["classic"]:
            continue
        took = medians(seconds[page])
        name = page.relative_to(ROOT).as_posix()
        counts = shared(lines["containerd"], lines["classic"])
        rows.append(Row(name, counts, took["containerd"], took["classic"]))
    print("\n".join(table(rows)))
    # A failed block did not do its work: the side it failed on compares an unequal run.
    for failure in failures:
        print(failure)
    if failures:
        print(f"{len(failures)} block runs failed (their page's row compares unequal runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
