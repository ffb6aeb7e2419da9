"""lab.json: what `make lab` writes is what the harness reads back."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from contracts import lab_state
from contracts.lab_state import Client, Engine, LabState, Login


def test_the_state_reads_back_as_written(tmp_path: Path) -> None:
    secret = tmp_path / "login.json"
    secret.write_text('{"username": "yhkim951107", "password": "s3cr3t-pw"}')
    state = LabState(
        daemons=("unix:///run/lab0.sock", "unix:///run/lab1.sock"),
        login=Login("yhkim951107", secret),
        engine=Engine("sid", "sid", {"docker.io": "28.5.2+dfsg4-5"}),
        cli=Client(Path("/cache/sid/bin"), Path("/cache/sid/plugins")),
        logs={"unix:///run/lab0.sock": Path("/lab/logs/lab0.log")},
    )
    path = tmp_path / "lab.json"
    lab_state.write(path, state)
    assert lab_state.read(path) == state
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The harness gets the password from the secrets file; lab.json holds none.
    assert "s3cr3t-pw" not in path.read_text() and 'password"' not in path.read_text()
    read = lab_state.read(path)
    assert read is not None and read.login is not None and read.login.password == "s3cr3t-pw"


def test_a_state_that_holds_a_password_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lab.json"
    path.write_text('{"daemons": [], "login": {"username": "u", "password": "p"}}')
    with pytest.raises(lab_state.LabStateError, match="holds the lab login's password"):
        lab_state.read(path)
    missing = Login("u", tmp_path / "gone.json")
    with pytest.raises(lab_state.LabStateError, match="cannot read the lab login's password"):
        _ = missing.password


def test_no_file_is_no_lab_and_a_bad_file_says_so(tmp_path: Path) -> None:
    assert lab_state.read(tmp_path / "lab.json") is None
    (tmp_path / "lab.json").write_text("{not json")
    with pytest.raises(lab_state.LabStateError, match="cannot read"):
        lab_state.read(tmp_path / "lab.json")
    (tmp_path / "lab.json").write_text('{"daemons": [], "login": {"user": "x"}}')
    with pytest.raises(lab_state.LabStateError, match="is not a lab's state"):
        lab_state.read(tmp_path / "lab.json")


def test_lab_dir_follows_LAB_DIR(tmp_path: Path) -> None:
    assert lab_state.state_file(tmp_path, {}) == tmp_path / ".cache" / "lab" / "lab.json"
    assert lab_state.state_file(tmp_path, {"LAB_DIR": "/x"}) == Path("/x/lab.json")
