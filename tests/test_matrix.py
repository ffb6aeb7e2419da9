"""The engine matrix (``make test-engines``): the engines' order and the report it writes."""

from __future__ import annotations

from docharness import matrix
from lab import engines


def test_matrix_keeps_each_blocks_result_per_engine() -> None:
    def run(status: str, server: str) -> dict[str, object]:
        block = {"page": "docs/a.md", "line": 3, "status": status, "reason": None}
        return {"docker": {"client": server, "server": server}, "blocks": [block]}

    merged = matrix.merge({"bookworm": run("failed", "20.10.24"), "sid": run("passed", "28.5.2")})
    assert merged["engines"]["sid"] == {
        "client": "28.5.2",
        "server": "28.5.2",
        "store": "classic",
        "label": "28.5.2",
    }
    on_containerd = matrix.merge({"sid-containerd": run("passed", "28.5.2")})
    assert on_containerd["engines"]["sid-containerd"]["store"] == "containerd"
    assert on_containerd["engines"]["sid-containerd"]["label"] == "28.5.2 (containerd 저장소)"
    assert merged["blocks"] == [
        {
            "page": "docs/a.md",
            "line": 3,
            "engines": {
                "bookworm": {"status": "failed", "reason": None},
                "sid": {"status": "passed", "reason": None},
            },
            # Computed by the writer: the site's badges only read them.
            "passed_on": ["28.5.2"],
            "failed_on": ["20.10.24"],
        }
    ]


def test_the_matrix_runs_the_engines_oldest_first_and_the_default_last() -> None:
    # Four rows: 20.10, 26.1, 28.5 on the classic image store, then the default (28.5 on the
    # containerd store, as Engine 29 installs it) last, so the lab is left on it.
    assert matrix.ORDER == ["bookworm", "trixie", "sid", "sid-containerd"]
    assert matrix.ORDER[-1] == engines.DEFAULT
    assert set(matrix.ORDER) <= set(engines.ENGINES)
    assert engines.ENGINES["sid-containerd"].store == "containerd"


def test_a_rows_store_is_what_its_run_reported() -> None:
    # The report's store is what the daemon's docker info said; a report written before the
    # store was recorded (none, or "unknown") falls back to what the engine is for.
    def run(store: str | None) -> dict[str, object]:
        docker = {"client": "28.5.2", "server": "28.5.2"}
        if store is not None:
            docker["store"] = store
        return {"docker": docker, "blocks": []}

    rows = matrix.merge({"sid": run("containerd"), "sid-containerd": run("unknown")})["engines"]
    assert (rows["sid"]["store"], rows["sid"]["label"]) == (
        "containerd",
        "28.5.2 (containerd 저장소)",
    )
    assert rows["sid-containerd"]["store"] == "containerd"
    assert matrix.merge({"sid": run(None)})["engines"]["sid"]["label"] == "28.5.2"
