"""`make bench-site`'s reading of Lighthouse reports (bench/lighthouse.py): the scores, the
audits that lost points, requests that left the local server, and the verdict over a page's
runs. No Lighthouse or browser: reports shaped as Lighthouse 12 writes them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
URL = "http://127.0.0.1:8000/"


def _load() -> ModuleType:
    """bench/ is a folder of scripts, not a package: its module by path."""
    spec = importlib.util.spec_from_file_location("lighthouse", ROOT / "bench" / "lighthouse.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["lighthouse"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


lighthouse = _load()


def report(
    performance: float,
    *,
    lcp: float = 2000,
    requests: list[str] | None = None,
    benchmark: float = 1500,
) -> Any:
    """A report with ``performance`` (0-1), the other categories at 1 except SEO's one audit."""
    audits = {
        "largest-contentful-paint": {"numericValue": lcp},
        "total-blocking-time": {"numericValue": 120.0},
        "cumulative-layout-shift": {"numericValue": 0.0},
        "document-title": {"score": 1},
        "meta-description": {"score": 0},
        "network-requests": {"details": {"items": [{"url": u} for u in requests or [URL]]}},
    }
    categories: dict[str, Any] = {
        name: {"score": 1, "auditRefs": []} for name in ("accessibility", "best-practices", "seo")
    }
    categories["performance"] = {"score": performance, "auditRefs": []}
    categories["seo"]["auditRefs"] = [
        {"id": "document-title", "weight": 1},
        {"id": "meta-description", "weight": 1},
    ]
    return {
        "categories": categories,
        "audits": audits,
        "environment": {"benchmarkIndex": benchmark},
    }


def test_scores_and_what_lost_points() -> None:
    result = lighthouse.parse(URL, report(0.96, lcp=2100))
    assert result.scores["performance"] == 96
    assert result.lcp_ms == 2100
    assert result.failed == ["seo/meta-description"]
    assert result.foreign == []


def test_a_request_beyond_the_local_server_is_named() -> None:
    result = lighthouse.parse(URL, report(0.96, requests=[URL, "https://cdn.example/x.js"]))
    assert result.foreign == ["https://cdn.example/x.js"]


def test_a_run_that_went_wrong_raises() -> None:
    broken = {**report(0.9), "runtimeError": {"code": "NO_FCP"}}
    with pytest.raises(RuntimeError, match="NO_FCP"):
        lighthouse.parse(URL, broken)


def test_the_verdict_takes_each_category_at_its_lowest() -> None:
    good = lighthouse.parse(URL, report(0.97, lcp=1900))
    slow = lighthouse.parse(URL, report(0.88, lcp=3100))
    # The failing SEO audit of the fixture keeps SEO at 1 (its score is the category's).
    assert lighthouse.verdict([good, slow]) == (
        "goals missed (performance 88 < 95); LCP 1.9-3.1 s, TBT 120-120 ms"
    )
    assert lighthouse.verdict([good, good]).startswith("goals met in all 2 runs")


def test_the_verdict_names_runs_on_a_busy_machine() -> None:
    busy = lighthouse.parse(URL, report(0.97, benchmark=640))
    good = lighthouse.parse(URL, report(0.97))
    assert lighthouse.verdict([good, busy]).endswith(
        "; 1 of 2 runs on a CPU benchmark <= 1000 (a busy machine: Performance understated)"
    )
    assert "busy" not in lighthouse.verdict([good, good])
