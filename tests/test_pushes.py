"""What a run pushed: the hub repository a pushed reference names, and removal from the
registry's storage of those named, never more."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.layout import Layout
from docharness import pushes

ROOT = Path(__file__).resolve().parent.parent


def test_a_reference_names_its_hub_repository() -> None:
    assert pushes.repository("yhkim951107/web") == "yhkim951107/web"
    assert pushes.repository("registry-1.docker.io/yhkim951107/web:1") == "yhkim951107/web"
    assert pushes.repository("debian:latest") == "library/debian"
    assert pushes.repository("gcr.io/google-samples/hello-app:1.0") is None
    assert pushes.repository("127.0.0.1:5000/web") is None


def test_remove_deletes_only_repositories_and_keeps_what_it_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAB_DIR", str(tmp_path))
    folder = Layout.from_env({"LAB_DIR": str(tmp_path)}).repositories
    for name in ("me/a", "me/b", "library/debian"):
        (folder / name / "_manifests").mkdir(parents=True)
    (folder / "me" / "not-a-repository").mkdir()
    assert pushes.remove(
        ROOT, ["me/a", "me/b", "me/not-a-repository", "me/../library/debian"], {"me/b"}
    ) == ["me/a"]
    assert sorted(p.name for p in (folder / "me").iterdir()) == ["b", "not-a-repository"]
    assert (folder / "library" / "debian").is_dir()
