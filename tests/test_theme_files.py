"""hooks/theme_files.py: MkDocs finds the same static theme files without walking `.icons/`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.structure.files import Files

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))
theme_files = importlib.import_module("theme_files")


def _static(lean: bool) -> list[str]:
    config = load_config(str(ROOT / "mkdocs.yml"))
    env = config.theme.get_env()
    if lean:
        env = theme_files.lean_environment(env)
    files = Files([])
    files.add_files_from_theme(env, config)
    return sorted(file.src_uri for file in files)


def test_the_same_static_files_as_mkdocs_finds_itself() -> None:
    plain = _static(lean=False)
    assert any(uri.startswith("assets/javascripts/bundle.") for uri in plain)
    assert _static(lean=True) == plain


def test_the_listing_leaves_out_the_icons_only() -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))
    plain = config.theme.get_env().list_templates()
    lean = theme_files.lean_environment(config.theme.get_env()).list_templates()
    assert sum(name.startswith(".icons/") for name in plain) > 10_000
    assert lean == [name for name in plain if not name.startswith(".")]


def test_icons_still_load_through_the_loader() -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))
    env = theme_files.lean_environment(config.theme.get_env())
    assert "<svg" in env.get_template(".icons/material/weather-night.svg").render()
