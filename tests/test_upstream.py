"""docharness.upstream and own mode's settings: what `make test-upstream` keeps, and where it
runs. No daemon: the reports and lab states are written here (the site's fold of a kept
difference is tested in a browser, tests/site/test_badge_lines.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts import lab_state
from contracts.lab_state import Client, LabState, Login
from contracts.upstream import UpstreamError, block_fingerprint, read_upstream
from docharness import upstream
from docharness.daemon import DaemonError, select
from docharness.fences import find_fences, parse_page
from docharness.report import build_report, record

PAGE = """\
# 예제

```shell
$ docker ps
CONTAINER ID
```

```shell
$ echo hi
hi
```
"""


def page_root(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(PAGE, encoding="utf-8")
    return tmp_path


def test_only_failed_blocks_are_kept_with_their_texts_fingerprint(tmp_path: Path) -> None:
    root = page_root(tmp_path)
    path = root / "docs" / "a.md"
    first, second = parse_page(path, PAGE)
    records = [
        record(
            first,
            "failed",
            reason="docs/a.md:4: output differs from the page",
            details="diff",
            root=root,
        ),
        record(second, "passed", root=root),
    ]
    report = build_report(
        records,
        docker={"client": "29.1", "server": "29.1"},
        mode="own",
        created=datetime(2026, 12, 7, tzinfo=UTC),
    )
    kept = upstream.differences(report, root)
    fence = find_fences(path, PAGE)[0]
    assert kept == [
        {
            "page": "docs/a.md",
            "line": 3,
            "fingerprint": block_fingerprint(fence.info, fence.body),
            "reason": "docs/a.md:4: output differs from the page",
            "details": "diff",
        }
    ]


def test_a_fingerprint_changes_with_the_blocks_text() -> None:
    assert block_fingerprint("shell", ["$ docker ps"]) != block_fingerprint(
        "shell", ["$ docker ps -a"]
    )
    assert block_fingerprint("shell", ["$ docker ps"]) != block_fingerprint(
        "console", ["$ docker ps"]
    )
    assert block_fingerprint("shell", ["$ docker ps  "]) == block_fingerprint(
        "shell ", ["$ docker ps"]
    )


def test_a_file_that_is_not_an_upstream_report_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "upstream.json"
    path.write_text('{"created": "x", "blocks": []}', encoding="utf-8")
    with pytest.raises(UpstreamError, match=r"upstream\.json: not an upstream report: docker"):
        read_upstream(path)


def lab(tmp_path: Path) -> dict[str, str]:
    """A lab state with two daemons, its CLI and login; the environment that names it."""
    secret = tmp_path / "login.json"
    secret.write_text(json.dumps({"username": "doclab", "password": "s3cret"}), encoding="utf-8")
    cli = Client(tmp_path / "bin", tmp_path / "plugins")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "docker").write_text("#!/bin/sh\n", encoding="utf-8")
    state = LabState(
        daemons=("unix:///lab/run/lab0/docker.sock", "unix:///lab/run/lab1/docker.sock"),
        login=Login("doclab", secret),
        cli=cli,
    )
    lab_state.write(tmp_path / "lab.json", state)
    return {"LAB_DIR": str(tmp_path), "PATH": "/usr/bin", "DOCS_DOCKER_HOST": "unix:///x.sock"}


def test_without_own_mode_the_run_is_own_mode_on_the_labs_first_daemon(tmp_path: Path) -> None:
    env = upstream.own_environment(tmp_path, lab(tmp_path))
    assert env["DOCS_DOCKER"] == "own"
    assert env["DOCKER_HOST"] == "unix:///lab/run/lab0/docker.sock"
    assert env["DOCS_DOCKER_ONLINE"] == "0"  # the lab has no internet: nothing is asked
    assert env["DOCS_DOCKER_CLI"] == f"{tmp_path / 'bin'}:{tmp_path / 'plugins'}"
    assert (env["DOCS_DOCKER_USERNAME"], env["DOCS_DOCKER_PASSWORD"]) == ("doclab", "s3cret")
    assert "DOCS_DOCKER_HOST" not in env  # it would choose the lab mode outright
    daemon = select(tmp_path, env)
    assert (daemon.mode, daemon.host, daemon.online) == ("own", env["DOCKER_HOST"], False)
    assert daemon.client == Client(tmp_path / "bin", tmp_path / "plugins")


def test_in_own_mode_the_environment_is_kept_as_it_is(tmp_path: Path) -> None:
    env = {"DOCS_DOCKER": "own", "DOCKER_HOST": "unix:///var/run/docker.sock"}
    assert upstream.own_environment(tmp_path, env) == env


def test_no_lab_and_no_own_mode_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(upstream.UpstreamRunError, match="make lab"):
        upstream.own_environment(tmp_path, {"LAB_DIR": str(tmp_path / "none")})


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"DOCS_DOCKER_ONLINE": "yes"}, "DOCS_DOCKER_ONLINE='yes': expected 0 or 1"),
        ({"DOCS_DOCKER_CLI": "/nowhere", "DOCS_DOCKER_ONLINE": "0"}, "/nowhere/docker does not"),
    ],
)
def test_own_modes_settings_refuse_bad_values(
    tmp_path: Path, setting: dict[str, str], message: str
) -> None:
    with pytest.raises(DaemonError, match=message):
        select(tmp_path, {"DOCS_DOCKER": "own", **setting})
