"""Files two recipes share (lab/shared/): one copy in the repository, counted in each digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab import build


@pytest.fixture
def recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> build.Recipe:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "common.sh").write_text("echo one\n")
    monkeypatch.setattr(build, "SHARED", shared)
    folder = tmp_path / "recipes" / "demo"
    folder.mkdir(parents=True)
    (folder / "Dockerfile").write_text("FROM scratch\nCOPY _shared/common.sh /\n")
    (folder / "shared").write_text("# what it copies\ncommon.sh\n")
    return build.Recipe("demo", folder)


def test_a_change_to_a_shared_file_rebuilds_the_recipe(recipe: build.Recipe) -> None:
    before = recipe.digest()
    (build.SHARED / "common.sh").write_text("echo two\n")
    assert recipe.digest() != before


def test_the_copy_in_the_build_context_does_not_count(recipe: build.Recipe) -> None:
    before = recipe.digest()
    (recipe.folder / build.SHARED_DIR).mkdir()
    (recipe.folder / build.SHARED_DIR / "common.sh").write_text("stale copy\n")
    assert recipe.digest() == before


def test_a_missing_shared_file_names_the_listing(recipe: build.Recipe) -> None:
    (recipe.folder / "shared").write_text("gone.sh\n")
    with pytest.raises(FileNotFoundError, match=r"demo/shared: no shared file .*gone\.sh"):
        recipe.digest()


def test_both_mysql_stand_ins_share_one_entrypoint_library() -> None:
    """The parts of the entrypoint that are the same live once; each image sources them."""
    mysql = {r.slug: r for r in build.recipes()}
    common = build.SHARED / "mysql-entrypoint-common.sh"
    for slug in ("mysql", "mysql9"):
        assert mysql[slug].shared == [common]
        script = (mysql[slug].folder / "docker-entrypoint.sh").read_text()
        assert ". /usr/local/lib/mysql-entrypoint-common.sh" in script
        assert "mysql_log() {" not in script  # defined once, in the shared file
