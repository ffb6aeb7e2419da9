"""Fixtures of the site tests: the site built once per session into a temporary folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import sitekit  # noqa: E402


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's site, built as `make site` builds it (strict)."""
    target = tmp_path_factory.mktemp("site")
    sitekit.build(target)
    return target


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1."""
    with sitekit.serve(site_dir) as served:
        yield served.url
