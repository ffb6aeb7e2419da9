"""Which blocks run: one rule (`page.skip_reason`) for the harness and the bench's raw side."""

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from docharness import page
from docharness.daemon import Daemon
from docharness.fences import parse_page

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = """\
```shell
$ echo always
always
```

<!-- test: engine <26 -->
```shell
$ echo old engines
old engines
```

<!-- test: requires network -->
```shell
$ echo online
online
```

<!-- test: skip 예시로만 보여 줍니다 -->
```shell
$ echo never
never
```
"""


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The engine is the daemon's answer; here a fixed one, as the rule is what is tested.
    monkeypatch.setattr(page, "_engine", lambda host: "28.5.2+dfsg4")
    monkeypatch.setattr(page, "_store", lambda host: "classic")
    path = tmp_path / "sample.md"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_each_directive_gives_its_reason(sample: Path) -> None:
    offline = Daemon("unix:///nowhere", "lab")
    reasons = [page.skip_reason(b, offline) for b in parse_page(sample, SAMPLE)]
    assert reasons == [
        None,
        "not for this engine: engine <26 (this engine: 28.5.2+dfsg4)",
        "needs network: the lab has no internet",
        "예시로만 보여 줍니다",
    ]
    online = Daemon("unix:///nowhere", "own", online=True)
    assert page.skip_reason(parse_page(sample, SAMPLE)[2], online) is None


def test_the_bench_runs_the_blocks_the_harness_runs(sample: Path) -> None:
    # Review of 2026-12-07: the bench ignored engine ranges, so its raw side ran more blocks.
    spec = importlib.util.spec_from_file_location("run_bench", ROOT / "bench" / "run_bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    blocks = bench.runnable(sample, Daemon("unix:///nowhere", "lab"))
    assert [block.line for block in blocks] == [1]


SKIPPED_ONLY = """\
<!-- test: engine <26 -->
```shell
$ echo old engines
old engines
```

<!-- test: store containerd -->
```shell
$ echo containerd
containerd
```

<!-- test: requires network -->
```shell
$ echo online
online
```

<!-- test: skip 예시로만 보여 줍니다 -->
```shell
$ echo never
never
```
"""


def test_skips_are_marks_at_collection_and_the_report_keeps_their_reasons(
    pytester: pytest.Pytester, run_without_daemon: Any, sample: Path
) -> None:
    """Every block here is skipped by its mark before the page fixture is set up: the page
    never needs its daemon, which here answers nothing."""
    page = pytester.path / "skipped.md"
    page.write_text(SKIPPED_ONLY, encoding="utf-8")

    done = run_without_daemon("-rs", str(page))

    done.assert_outcomes(skipped=4)
    report = pytester.path / "report.json"
    blocks = json.loads(report.read_text(encoding="utf-8"))["blocks"]
    assert [(b["line"], b["status"], b["reason"]) for b in blocks] == [
        (2, "not-for-engine", "not for this engine: engine <26 (this engine: 28.5.2+dfsg4)"),
        (8, "not-for-engine", "not for this store: store containerd (this daemon: classic)"),
        (14, "skipped", "needs network: the lab has no internet"),
        (20, "skipped", "예시로만 보여 줍니다"),
    ]
    out = done.stdout.str()
    assert f"not-for-engine {page}:2: not for this engine: engine <26" in out
    assert f"skipped {page}:20: 예시로만 보여 줍니다" in out
