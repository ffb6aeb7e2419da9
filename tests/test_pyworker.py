"""The worker's side of a Python block: page line numbers, tracebacks without the worker's
frames, and a bare assert's values read again only when that is cheap."""

from __future__ import annotations

from pathlib import Path

from docharness.pyworker import Request, describe, run

PAGE = Path("/docs/page.md")


def test_a_syntax_error_names_its_page_line() -> None:
    request: Request = {"path": str(PAGE), "line": 10, "source": "x = 1\nif x\n"}
    reply = run(request, {})
    assert not reply["ok"]
    assert reply.get("line") == 12
    assert reply.get("summary") == "SyntaxError: expected ':'"


def test_values_are_read_again_only_when_no_call_is_needed() -> None:
    namespace: dict[str, object] = {}
    request: Request = {"path": str(PAGE), "line": 0, "source": "calls = []\n"}
    run(request, namespace)
    source = "def f():\n    calls.append(1)\n    return 1\nassert f() == calls[0:1]\n"
    request = {"path": str(PAGE), "line": 0, "source": source}
    reply = run(request, namespace)
    assert namespace["calls"] == [1]  # the block's own call, and no second one
    assert "calls[0:1] = [1]" in reply.get("error", "")
    assert "f() =" not in reply.get("error", "")


def test_describe_without_a_page_frame_points_at_the_first_line() -> None:
    request: Request = {"path": str(PAGE), "line": 4, "source": "x"}
    assert describe(RuntimeError("boom"), request)["line"] == 5
