"""Lab engines and bases: choosing one, the cache key, a release that cannot be fetched, the matrix
report."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from lab import build, engines, matrix

# mmdebstrap makes its trees as root (it chroots into them).
needs_mmdebstrap = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mmdebstrap") is None, reason="mmdebstrap needs root"
)


def test_default_engine_is_sid_and_a_wrong_name_lists_the_choices() -> None:
    assert engines.selected({}).name == "sid"
    assert engines.selected({"LAB_ENGINE": "trixie"}).release == "trixie"
    with pytest.raises(engines.EngineUnavailable, match="LAB_ENGINE=buster: choose one of sid"):
        engines.selected({"LAB_ENGINE": "buster"})


def test_the_cache_folder_is_named_by_release_and_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "CACHE", Path("/somewhere"))
    sid = engines.ENGINES["sid"]
    more = engines.Engine("sid", "sid", (*sid.packages, "git"), sid.version_prefix)
    assert sid.folder.parent == Path("/somewhere/engines")
    assert sid.folder.name.startswith("sid-")
    assert more.folder != sid.folder  # another package set is another tree
    assert engines.Engine("x", "sid", sid.packages, "1.").folder == sid.folder


@needs_mmdebstrap
def test_a_package_that_cannot_be_fetched_is_one_line_naming_it_and_the_engine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(engines, "CACHE", tmp_path)
    broken = engines.Engine("broken", "sid", ("docker-commands-ko-no-such-package",), "0.")
    with pytest.raises(engines.EngineUnavailable) as raised:
        engines.ensure(broken)
    message = str(raised.value)
    assert message.startswith("lab: engine broken: cannot fetch Debian sid ")
    assert "docker-commands-ko-no-such-package" in message and "\n" not in message
    assert not broken.folder.exists()  # nothing half-made is left to look warm next time


@needs_mmdebstrap
def test_a_base_that_cannot_be_fetched_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(build, "CACHE", tmp_path)
    broken = build.Base("BASE_NONE", "docker-commands-ko-no-such-suite")
    with pytest.raises(build.BaseUnavailable) as raised:
        build.ensure_base_tar(broken)
    message = str(raised.value)
    assert message.startswith("lab: base docker-commands-ko-no-such-suite: cannot fetch Debian")
    assert "docker-commands-ko-no-such-suite Release" in message  # apt's reason, not its wrap-up
    assert "\n" not in message
    assert not broken.tar.exists() and not broken.content_file.exists()


def test_matrix_keeps_each_blocks_result_per_engine() -> None:
    def run(status: str, server: str) -> dict[str, object]:
        block = {"page": "docs/a.md", "line": 3, "status": status, "reason": None}
        return {"docker": {"client": server, "server": server}, "blocks": [block]}

    merged = matrix.merge({"bookworm": run("failed", "20.10.24"), "sid": run("passed", "28.5.2")})
    assert merged["engines"]["sid"] == {"client": "28.5.2", "server": "28.5.2"}
    assert merged["blocks"] == [
        {
            "page": "docs/a.md",
            "line": 3,
            "engines": {
                "bookworm": {"status": "failed", "reason": None},
                "sid": {"status": "passed", "reason": None},
            },
        }
    ]
