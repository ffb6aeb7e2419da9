"""Fixtures of the site tests: the site built once per session, served on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import sitekit  # noqa: E402


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sitekit.Served]:
    """The repository's site, built as `make site` builds it, for the URL it is served at."""
    target = tmp_path_factory.mktemp("site")
    with sitekit.serve(target) as served:
        sitekit.build(target, site_url=served.url)
        yield served


@pytest.fixture(scope="session")
def site_dir(served_site: sitekit.Served) -> Path:
    return served_site.root


@pytest.fixture(scope="session")
def base_url(served_site: sitekit.Served) -> str:
    return served_site.url
