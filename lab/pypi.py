"""``pypi.org`` for pip inside the lab's containers: a PEP 503 simple index of pinned wheels.

The wheels listed in ``lab/pypi.txt`` are downloaded once (the host reaches PyPI; containers
do not). The python stand-in image's ``/etc/pip.conf`` names this server as pip's proxy: pip
asks it to CONNECT to ``pypi.org`` or ``files.pythonhosted.org`` and it answers as those hosts
itself, with the lab CA's certificate (which that image trusts). pip thus sees its default index
and prints what it prints on PyPI, and a page's ``pip install six`` stays offline.
"""

from __future__ import annotations

import hashlib
import html
import re
import ssl
import subprocess
import sys
from functools import cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lab import ca
from lab.paths import PYPI, PYPI_DIR, PYPI_NAMES, REPO

REQUIREMENTS = REPO / "lab" / "pypi.txt"
FILES = PYPI_DIR / "packages"  # https://files.pythonhosted.org/packages/<wheel>
SIMPLE = PYPI_DIR / "simple"  # https://pypi.org/simple/<name>/
FILES_URL = "https://files.pythonhosted.org/packages/"


def pinned() -> list[str]:
    """The `name==version` lines of ``lab/pypi.txt``."""
    lines = (line.split("#")[0].strip() for line in REQUIREMENTS.read_text().splitlines())
    return [line for line in lines if line]


def ensure_index() -> None:
    """Download any missing pinned wheel; write the simple index when the pins changed."""
    missing = [pin for pin in pinned() if not _wheels(*pin.split("=="))]
    if missing:
        FILES.mkdir(parents=True, exist_ok=True)
        download = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        subprocess.run(
            [*download, "--only-binary=:all:", "--dest", str(FILES), *missing], check=True
        )
    index = SIMPLE / "index.html"
    if missing or not index.exists() or index.stat().st_mtime < REQUIREMENTS.stat().st_mtime:
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
            (f"{FILES_URL}{wheel.name}#sha256={_sha256(wheel)}", wheel.name)
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


class _Handler(SimpleHTTPRequestHandler):
    """Files of ``PYPI_DIR``, plain or, after a CONNECT to a PyPI name, over TLS as that name."""

    def do_CONNECT(self) -> None:  # noqa: N802 (the base class's naming)
        host = self.path.rsplit(":", 1)[0]
        if host not in PYPI_NAMES:
            self.send_error(403, f"the lab's containers are offline; it answers for {PYPI_NAMES}")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        tls = _tls().wrap_socket(self.connection, server_side=True)
        type(self)(tls, self.client_address, self.server, directory=self.directory)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        """Requests are not worth a log line; errors still reach stderr."""


@cache
def _tls() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ca.SERVER_CERT, ca.SERVER_KEY)
    return context


def serve() -> None:
    """Serve ``PYPI_DIR`` (``/simple/``, ``/packages/``) until stopped."""
    ThreadingHTTPServer(PYPI, partial(_Handler, directory=str(PYPI_DIR))).serve_forever()


if __name__ == "__main__":
    serve()
