"""contracts: the run records read back as written, and every contract has a JSON Schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contracts import schemas
from contracts.layout import ROOT
from contracts.matrix import MATRIX_NAME, MatrixError, read_matrix
from contracts.runs import Record, Snapshot, read_record, write_record


def test_a_run_record_reads_back_as_written(tmp_path: Path) -> None:
    before = Snapshot(
        containers=frozenset({"c1"}),
        images={"sha256:1": frozenset({"busybox:latest", "busybox:1"})},
        volumes=frozenset({"data"}),
        networks=frozenset(),
        build_cache=frozenset({"b1"}),
    )
    record = Record(4242, "123", "unix:///lab0", before, "docs/a.md:7", ["me/web"])
    path = tmp_path / "runs" / "4242.json"
    write_record(path, record)
    assert read_record(path) == record
    assert not path.with_suffix(".tmp").exists()
    path.write_text('{"pid": 1, "started": "0"}')  # not a record (an older harness's, say)
    assert read_record(path) is None
    assert read_record(tmp_path / "none.json") is None


def test_every_contract_has_a_json_schema(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contracts", "schema", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == sorted(f"{name}.schema.json" for name in schemas.ADAPTERS)
    assert done.stdout.split() == [str(tmp_path / f"{n}.schema.json") for n in schemas.ADAPTERS]
    report = json.loads((tmp_path / "test-report.schema.json").read_text(encoding="utf-8"))
    status = report["$defs"]["Status"]["enum"]
    assert status == ["passed", "failed", "skipped", "not-for-engine"]  # the same for every kind
    block = report["$defs"]["BlockRecord"]
    assert set(block["required"]) == {
        "page",
        "line",
        "language",
        "kind",
        "status",
        "reason",
        "duration",
    }
    matrix = json.loads((tmp_path / "test-engines.schema.json").read_text(encoding="utf-8"))
    assert {"passed_on", "failed_on"} <= set(matrix["$defs"]["MatrixBlock"]["required"])


def test_a_matrix_of_an_older_harness_says_what_to_do(tmp_path: Path) -> None:
    """Before the writer computed passed_on and failed_on, the hook did: such a file is
    refused by name, with the command that writes it again."""
    path = tmp_path / MATRIX_NAME
    block = {
        "page": "docs/a.md",
        "line": 3,
        "engines": {"sid": {"status": "passed", "reason": None}},
    }
    path.write_text(json.dumps({"engines": {}, "blocks": [block]}), encoding="utf-8")
    with pytest.raises(
        MatrixError, match=r"blocks\.0\.passed_on: Field required.*make test-engines"
    ):
        read_matrix(path)
    assert read_matrix(tmp_path / "none.json") is None
