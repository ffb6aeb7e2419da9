"""Korean search, proven with Material's own search worker (Node) on the built index."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("search_worker.cjs")

# query -> the page it must find: particles on the query, parts of compound words.
QUERIES = {
    "이미지를": "image-commands/",
    "이미지": "image-commands/",
    "컨테이너를": "container-commands/",
    "컨테이너는": "container-commands/",
    "볼륨": "volumes/",
    "볼륨을": "volumes/",
    "태그를": "image-commands/",
    "다이제스트": "image-commands/",
    "다이제스트를": "image-commands/",
    "제스트": "image-commands/",  # inside 다이제스트
    "삭제": "image-commands/",
    "유니언": "image-commands/",
    "레지스트리에서": "image-commands/",
    "프로세스다": "container-commands/",
    "스냅숏은": "container-commands/",
}


def search(site_dir: Path, folder: Path, *mode: str) -> dict[str, list[str]]:
    """Every query of QUERIES through the site's search worker: query -> pages found."""
    if shutil.which("node") is None:
        pytest.fail("node is needed to run Material's search worker")
    queries = folder / "queries.json"
    queries.write_text(json.dumps(list(QUERIES), ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        ["node", str(WORKER), str(site_dir), str(queries), *mode],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, list[str]] = json.loads(done.stdout)
    return found


@pytest.fixture(scope="module")
def results(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return search(site_dir, tmp_path_factory.mktemp("search"))


@pytest.mark.parametrize(("query", "page"), QUERIES.items())
def test_query_finds_page(results: dict[str, list[str]], query: str, page: str) -> None:
    assert page in results[query], f"{query!r} found {results[query]}"


def test_material_alone_misses_some(site_dir: Path, tmp_path: Path) -> None:
    """The table is not trivial: without our additions Material misses particles and parts."""
    plain = search(site_dir, tmp_path, "--plain")
    missed = {query for query, page in QUERIES.items() if page not in plain[query]}
    assert {"태그를", "제스트"} <= missed
