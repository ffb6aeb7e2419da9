"""``pypi.org`` for pip inside the lab's containers: a PEP 503 simple index of pinned wheels.

The wheels listed in ``lab/pypi.txt`` are downloaded once (the host reaches PyPI; containers
do not), then served over plain http on the lab bridge address ``PYPI``; the python stand-in
image's ``/etc/pip.conf`` points pip there, so a page's ``pip install six`` stays offline.
"""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lab.paths import PYPI, PYPI_DIR, REPO

REQUIREMENTS = REPO / "lab" / "pypi.txt"
FILES = PYPI_DIR / "files"
SIMPLE = PYPI_DIR / "simple"


def pinned() -> list[str]:
    """The `name==version` lines of ``lab/pypi.txt``."""
    lines = (line.split("#")[0].strip() for line in REQUIREMENTS.read_text().splitlines())
    return [line for line in lines if line]


def ensure_index() -> None:
    """Download any missing pinned wheel and write the simple index."""
    missing = [pin for pin in pinned() if not _wheels(pin.split("==")[0], pin.split("==")[1])]
    if missing:
        FILES.mkdir(parents=True, exist_ok=True)
        download = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        subprocess.run(
            [*download, "--only-binary=:all:", "--dest", str(FILES), *missing], check=True
        )
    _write_simple()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _wheels(name: str, version: str = "") -> list[Path]:
    if not FILES.exists():
        return []
    stem = f"{_normal(name).replace('-', '_')}-{version}" if version else ""
    return sorted(
        wheel
        for wheel in FILES.glob("*.whl")
        if _normal(wheel.name.split("-")[0]) == _normal(name) and wheel.name.startswith(stem)
    )


def _write_simple() -> None:
    names = sorted({_normal(pin.split("==")[0]) for pin in pinned()})
    SIMPLE.mkdir(parents=True, exist_ok=True)
    (SIMPLE / "index.html").write_text(_page([(f"{name}/", name) for name in names]))
    for name in names:
        links = [
            (f"../../files/{wheel.name}#sha256={_sha256(wheel)}", wheel.name)
            for wheel in _wheels(name)
        ]
        (SIMPLE / name).mkdir(exist_ok=True)
        (SIMPLE / name / "index.html").write_text(_page(links))


def _page(links: list[tuple[str, str]]) -> str:
    anchors = "".join(
        f'<a href="{html.escape(href)}">{html.escape(text)}</a>\n' for href, text in links
    )
    return f"<!DOCTYPE html>\n<html><body>\n{anchors}</body></html>\n"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        """Requests are not worth a log line; errors still reach stderr."""


def serve() -> None:
    """Serve ``PYPI_DIR`` (``/simple/``, ``/files/``) until stopped."""
    handler = partial(_QuietHandler, directory=str(PYPI_DIR))
    ThreadingHTTPServer(PYPI, handler).serve_forever()


if __name__ == "__main__":
    serve()
