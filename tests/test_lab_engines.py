"""Lab engines and bases: choosing one, the cache key, a release that cannot be fetched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from lab import build, engines

# mmdebstrap makes its trees as root (it chroots into them).
needs_mmdebstrap = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mmdebstrap") is None, reason="mmdebstrap needs root"
)


def test_default_engine_is_sid_on_the_containerd_store_and_a_wrong_name_lists_the_choices() -> None:
    # What a reader installing Docker today gets: Engine 29 on the containerd image store.
    default = engines.selected({})
    assert (default.name, default.release, default.store) == ("sid-containerd", "sid", "containerd")
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


def test_the_containerd_store_is_an_engine_of_its_own_on_sids_tree() -> None:
    chosen = engines.selected({"LAB_ENGINE": "sid-containerd"})
    sid = engines.ENGINES["sid"]
    assert chosen.store == "containerd" and sid.store == "classic"
    assert chosen.folder == sid.folder  # one cached tree: only daemon.json differs
    assert chosen.ident != sid.ident  # a running sid daemon is not taken for this one


def test_an_engine_too_old_for_the_containerd_store_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bookworm = engines.ENGINES["bookworm"]
    old = engines.Engine(
        "bookworm-containerd", "bookworm", bookworm.packages, "20.10.", "containerd"
    )
    monkeypatch.setitem(engines.ENGINES, old.name, old)
    with pytest.raises(engines.EngineUnavailable) as raised:
        engines.selected({"LAB_ENGINE": old.name})
    assert str(raised.value) == (
        "lab: engine bookworm-containerd: Engine 20.10.x (bookworm) has no containerd image "
        "store (it came with Engine 24.0)"
    )
    trixie = engines.ENGINES["trixie"]
    newer = engines.Engine("trixie-containerd", "trixie", trixie.packages, "26.1.", "containerd")
    assert engines.store_refused(newer) is None


# `docker info`'s DriverStatus of sid's 28.5 on each store, as the lab's daemons report it.
CONTAINERD_INFO = [["driver-type", "io.containerd.snapshotter.v1"]]
CLASSIC_INFO = [
    ["Backing Filesystem", "tmpfs"],
    ["Supports d_type", "true"],
    ["Using metacopy", "false"],
    ["Native Overlay Diff", "true"],
    ["userxattr", "false"],
]


def test_a_daemon_not_running_its_engines_store_is_named() -> None:
    containerd = engines.ENGINES["sid-containerd"]
    classic = engines.ENGINES["sid"]
    assert engines.store_missing(containerd, CONTAINERD_INFO) is None
    assert engines.store_missing(classic, CLASSIC_INFO) is None
    assert engines.store_missing(containerd, CLASSIC_INFO) == (
        "lab: engine sid-containerd: its daemon does not run the containerd image store "
        "(docker info: no driver-type)"
    )
    assert engines.store_missing(classic, CONTAINERD_INFO) == (
        "lab: engine sid: its daemon does not run the classic image store "
        "(docker info: io.containerd.snapshotter.v1)"
    )
