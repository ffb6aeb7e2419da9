"""Fixtures of the site tests: the site built once per session, served on 127.0.0.1, and
Debian's chromium with a fresh tab per test, both in a private network namespace.

A module picks the windows its tests run in by parametrizing ``view`` directly, e.g.
``pytestmark = pytest.mark.parametrize("view", sitekit.VIEWS, ids=str)``; the default is
the desktop in light mode.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import sitekit  # noqa: E402


@pytest.fixture(scope="session")
def network() -> Iterator[sitekit.Network]:
    """The private network the server and the browser share, away from the lab's interfaces."""
    with sitekit.private_network() as private:
        yield private


@pytest.fixture(scope="session")
def served_site(
    tmp_path_factory: pytest.TempPathFactory, network: sitekit.Network
) -> Iterator[sitekit.Served]:
    """The repository's site, built as `make site` builds it, for the URL it is served at."""
    target = tmp_path_factory.mktemp("site")
    with sitekit.serve(target, network) as served:
        sitekit.build(target, site_url=served.url)
        yield served


@pytest.fixture(scope="session")
def site_dir(served_site: sitekit.Served) -> Path:
    return served_site.root


@pytest.fixture(scope="session")
def base_url(served_site: sitekit.Served) -> str:
    return served_site.url


@pytest.fixture(scope="session")
def chromium(network: sitekit.Network) -> Iterator[Any]:
    """Debian's chromium, once per session; a missing one fails (never a silent skip)."""
    if not Path(sitekit.CHROMIUM).exists():
        pytest.fail(f"{sitekit.CHROMIUM} is missing: apt-get install chromium")
    with sitekit.browser(network) as browser:
        yield browser


@pytest.fixture
def view() -> sitekit.View:
    """The window of ``page``; modules parametrize it."""
    return sitekit.DESKTOP


@pytest.fixture
def page(chromium: Any, view: sitekit.View) -> Iterator[Any]:
    """A fresh tab in ``view``, allowed to use the clipboard."""
    with sitekit.tab(chromium, view) as tab:
        yield tab
