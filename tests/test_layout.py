"""contracts.layout: one default per folder, and the lab's names per instance without the env."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.layout import ROOT, Layout, for_instance, lab_dir


def test_every_folder_has_one_default_and_an_empty_variable_means_it(tmp_path: Path) -> None:
    empty = {
        "LAB_DIR": "",
        "DOCHARNESS_REPORT_DIR": "",
        "DOCHARNESS_ARTIFACTS": "",
        "DOCHARNESS_RUNS": "",
        "DOCHARNESS_LEDGER_DIR": "",
    }
    expected = Layout(
        root=tmp_path,
        lab_dir=tmp_path / ".cache" / "lab",
        report=tmp_path / "report",
        artifacts=tmp_path / "artifacts",
        runs=tmp_path / ".cache" / "docharness" / "runs",
        ledger=tmp_path / "ledger",
    )
    assert Layout.from_env({}, tmp_path) == expected
    assert Layout.from_env(empty, tmp_path) == expected
    assert Layout.from_env({}).root == ROOT == Path(__file__).resolve().parents[1]


def test_a_variable_moves_its_folder_and_the_lab_files_follow(tmp_path: Path) -> None:
    layout = Layout.from_env({"LAB_DIR": str(tmp_path / "lab"), "DOCHARNESS_RUNS": "/r"})
    assert layout.lab_dir == lab_dir(ROOT, {"LAB_DIR": str(tmp_path / "lab")}) == tmp_path / "lab"
    assert layout.lab_file == tmp_path / "lab" / "lab.json"
    assert layout.repositories == tmp_path / "lab/registry/docker/registry/v2/repositories"
    assert layout.runs == Path("/r")


def test_instances_are_named_apart_in_one_process() -> None:
    zero, three = for_instance(0), for_instance(3)
    assert (zero.bridge_prefix, zero.address(1), zero.chain_prefix) == (
        "doclab",
        "127.0.0.1",
        "DOCLAB",
    )
    assert (three.bridge_prefix, three.address(2), three.exec_root) == (
        "doclab3-",
        "127.0.3.2",
        Path("/run/doclab/i3"),
    )
    assert (three.bridge_block, three.pool_octet) == (48, 223)
    with pytest.raises(ValueError, match="LAB_INSTANCE='8': expected a number from 0 to 7"):
        for_instance(8)
