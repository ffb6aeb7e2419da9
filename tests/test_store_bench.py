"""`make bench-stores`'s own arithmetic (bench/store_bench.py): the order the stores take
turns in, the blocks the two sides share, the medians, the table and its ratio. No daemon:
the lab switch and the runs are the bench's, measured when it runs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    """bench/ is a folder of scripts, not a package: its module by path."""
    spec = importlib.util.spec_from_file_location("store_bench", ROOT / "bench" / "store_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["store_bench"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


store_bench = _load()


def test_each_repetition_runs_every_store_once_the_first_alternating() -> None:
    order = store_bench.turns(4, ["containerd", "classic"])
    assert order == [
        *("containerd", "classic"),
        *("classic", "containerd"),
        *("containerd", "classic"),
        *("classic", "containerd"),
    ]
    # A repetition starts where the last ended: one lab switch per repetition, not two.
    switches = sum(a != b for a, b in zip(order, order[1:], strict=False))
    assert switches == 4


def test_the_default_store_runs_first_and_each_store_is_its_own_engine() -> None:
    from lab.engines import DEFAULT, ENGINES

    assert list(store_bench.ENGINES) == ["containerd", "classic"]
    assert store_bench.ENGINES["containerd"] == DEFAULT
    for store, name in store_bench.ENGINES.items():
        assert ENGINES[name].store == store
    # The same engine on both sides: only the store differs.
    assert len({ENGINES[name].release for name in store_bench.ENGINES.values()}) == 1


def test_store_twins_count_as_one_store_only_each_and_shared_blocks_as_both() -> None:
    # Lines 10 and 30 run on both; 20 is the containerd twin of 25 (classic).
    counts = store_bench.shared([10, 20, 30], [10, 25, 30])
    assert counts == store_bench.Shared(both=2, only_first=1, only_second=1)
    assert store_bench.shared([], [4]) == store_bench.Shared(0, 0, 1)


def test_medians_per_side_and_zero_for_a_side_that_ran_nothing() -> None:
    took = store_bench.medians({"containerd": [3.0, 1.0, 2.0], "classic": []})
    assert took == {"containerd": 2.0, "classic": 0.0}


def test_the_ratio_is_containerd_over_classic_and_a_dash_without_classic_time() -> None:
    assert store_bench.ratio(11.0, 10.0) == "1.10"
    assert store_bench.ratio(9.0, 10.0) == "0.90"
    assert store_bench.ratio(1.0, 0.0) == "-"


def test_the_table_sums_the_medians_and_ends_with_the_total_ratio() -> None:
    rows = [
        store_bench.Row("docs/a.md", store_bench.Shared(3, 1, 1), 12.0, 10.0),
        store_bench.Row("docs/b.md", store_bench.Shared(2, 0, 0), 9.0, 10.0),
    ]
    lines = store_bench.table(rows)
    assert lines[0].split() == [
        *("page", "both", "c-only", "k-only"),
        *("containerd", "s", "classic", "s", "ratio"),
    ]
    assert lines[1].split() == ["docs/a.md", "3", "1", "1", "12.00", "10.00", "1.20"]
    assert lines[2].split() == ["docs/b.md", "2", "0", "0", "9.00", "10.00", "0.90"]
    assert lines[3].split() == ["total", "of", "medians", "5", "1", "1", "21.00", "20.00", "1.05"]
    assert lines[-1] == "ratio 1.05 (containerd / classic)"
