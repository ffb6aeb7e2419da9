"""Build, serve and browse the site: shared by the site tests, `make screenshot` and the bench."""

from __future__ import annotations

import ctypes
import functools
import gzip
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

ROOT = Path(__file__).resolve().parents[2]
MKDOCS = [sys.executable, "-m", "mkdocs"]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".map", ".txt"}
T = TypeVar("T")
# setns(2)'s flag for a network namespace (Python 3.11's os module has no setns).
CLONE_NEWNET = 0x40000000
# Debian's chromium, nothing downloaded, nothing phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def build(
    site_dir: Path, *extra: str, site_url: str | None = None, report_dir: Path | None = None
) -> None:
    """`mkdocs build` of the repository's site into ``site_dir``; raises with MkDocs' output.

    ``site_url`` is where the site will be served: Material's instant navigation follows only
    links under the sitemap's host and port. ``report_dir`` holds the test report the badges
    show (the repository's report/ by default).
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if report_dir:
        env["DOCHARNESS_REPORT_DIR"] = str(report_dir)
    if site_url:
        env["DOCS_SITE_URL"] = site_url
    done = subprocess.run(
        [*MKDOCS, "build", "--quiet", "--site-dir", str(site_dir), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode:
        raise RuntimeError(f"mkdocs build failed:\n{done.stdout}{done.stderr}")


def pages(site_dir: Path) -> list[str]:
    """Every page of the built site as a path relative to its root ('', 'image-commands/', ...)."""
    found = []
    for index in sorted(site_dir.rglob("index.html")):
        relative = index.parent.relative_to(site_dir).as_posix()
        if not relative.startswith(("assets", "search")):
            found.append("" if relative == "." else relative + "/")
    return found


class _Handler(SimpleHTTPRequestHandler):
    """Static files, gzipped like GitHub Pages serves them, so transferred sizes are real."""

    not_found: Path | None = None  # the page for a missing address, as GitHub Pages has it

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if self.not_found is not None and not path.is_file():
            body = self.not_found.read_bytes()
            self.server.sent.append((self.path, len(body)))  # type: ignore[attr-defined]
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in COMPRESSED and path.is_file()):
            if path.is_file():
                self.server.sent.append((self.path, path.stat().st_size))  # type: ignore[attr-defined]
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes())
        self.server.sent.append((self.path, len(body)))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle(self) -> None:
        """A browser that closes a kept-alive connection it no longer needs is not an error."""
        with suppress(ConnectionResetError, BrokenPipeError):
            super().handle()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        """Keep test output clean."""


@dataclass
class Served:
    """A site being served: its folder, base URL (ending in /) and the bodies sent so far."""

    root: Path
    url: str
    sent: list[tuple[str, int]] = field(default_factory=list)  # (request path, bytes)


@dataclass(frozen=True)
class Network:
    """A private network namespace with only its loopback, held open by a process we started.

    Chromium drops every request in flight (net::ERR_NETWORK_CHANGED) when the interfaces it
    sees change, as they do whenever a page test on another worker starts or stops a container.
    In here the browser and the site's server see no interface but their own loopback.
    """

    holder: subprocess.Popen[bytes]

    @property
    def path(self) -> str:
        return f"/proc/{self.holder.pid}/ns/net"


@contextmanager
def private_network() -> Iterator[Network]:
    """A `Network` for as long as the block runs (needs root, as the lab does); its holder is
    stopped by PID at the end."""
    script = "ip link set lo up && echo up && exec sleep infinity"
    try:
        holder = subprocess.Popen(
            ["unshare", "--net", "--", "sh", "-c", script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError as error:
        raise RuntimeError("unshare is missing: apt-get install util-linux") from error
    try:
        assert holder.stdout is not None
        if holder.stdout.readline() != b"up\n":
            holder.wait()
            assert holder.stderr is not None
            reason = holder.stderr.read().decode(errors="replace").strip()
            raise RuntimeError(f"cannot make a private network namespace (root?): {reason}")
        yield Network(holder)
    finally:
        holder.kill()
        holder.wait()


def _in_network(network: Network, make: Callable[[], T]) -> T:
    """``make()`` called on a thread that joined ``network``: sockets it opens live there.

    A namespace is a property of the thread, so the calling thread keeps its own.
    """
    result: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with open(network.path) as handle:
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.setns(handle.fileno(), CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns {network.path}")
            result.append(make())
        except BaseException as error:  # handed to the caller's thread below
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


@contextmanager
def serve(
    site_dir: Path,
    network: Network | None = None,
    not_found: Path | None = None,
    *,
    keep_alive: bool = False,
) -> Iterator[Served]:
    """Serve ``site_dir`` on a free port of 127.0.0.1 (of ``network``'s loopback if given);
    a missing address gets ``not_found``'s page with status 404, as on GitHub Pages (without
    it, the standard library's English error page). ``keep_alive``: HTTP/1.1, one connection
    for many requests, as a browser has with GitHub Pages (HTTP/2); the standard library's
    default is HTTP/1.0, a new connection per request, which Lighthouse's simulation charges
    a round trip or more each."""
    attributes: dict[str, Any] = {}
    if not_found:
        attributes["not_found"] = not_found
    if keep_alive:
        attributes["protocol_version"] = "HTTP/1.1"
    kind = type("_SiteHandler", (_Handler,), attributes) if attributes else _Handler
    handler = functools.partial(kind, directory=str(site_dir))

    def make() -> ThreadingHTTPServer:
        return ThreadingHTTPServer(("127.0.0.1", 0), handler)

    server = _in_network(network, make) if network else make()
    served = Served(site_dir, f"http://127.0.0.1:{server.server_port}/")
    server.sent = served.sent  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser(network: Network | None = None) -> Iterator[Any]:
    """Debian's chromium driven by Playwright (inside ``network`` if given); yields the Browser."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="chromium-") as scratch:
        executable = CHROMIUM
        if network:
            # Playwright talks to chromium over pipes, which nsenter passes on.
            executable = os.path.join(scratch, "chromium")
            with open(executable, "w") as wrapper:
                wrapper.write(f'#!/bin/sh\nexec nsenter --net={network.path} -- {CHROMIUM} "$@"\n')
            os.chmod(executable, 0o755)
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()


@dataclass(frozen=True)
class View:
    """A window the site is read in: its width in CSS pixels and its colour scheme."""

    width: int
    scheme: Literal["light", "dark"] = "light"
    height: int = 900

    def __str__(self) -> str:
        return f"{self.width}-{self.scheme}"


PHONE, DESKTOP = View(390), View(1280)
# The four: a phone and a desktop, each light and dark.
VIEWS = [View(390, "light"), View(390, "dark"), View(1280, "light"), View(1280, "dark")]


@contextmanager
def tab(chromium: Browser, view: View) -> Iterator[Page]:
    """A fresh tab (its own context: no cache, no storage) in ``view``, allowed the clipboard."""
    context = chromium.new_context(
        viewport={"width": view.width, "height": view.height}, color_scheme=view.scheme
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        yield context.new_page()
    finally:
        context.close()


# Material's bundle publishes these at the end of its start, after it has attached its
# keyboard handlers and mounted the search; nothing a reader types is lost from then on.
BUNDLE_STARTED = "window.component$ !== undefined && window.keyboard$ !== undefined"


def ready(page: Page) -> None:
    """Wait until Material's bundle has started on ``page``.

    `networkidle` (500 ms without a request) is not that: on a starved renderer the network
    goes quiet before the bundle has parsed and run, and a key pressed then meets no handler.
    """
    page.wait_for_function(BUNDLE_STARTED)


def visit(page: Page, url: str) -> None:
    """Open ``url`` in ``page`` and wait until the site's scripts have started (`ready`)."""
    page.goto(url)
    ready(page)


def throttle(page: Page, rate: float) -> None:
    """Slow ``page``'s renderer ``rate`` times (CDP), as a busy phone or a loaded CI runner is."""
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": rate})


def screenshot(target: Page | Locator, folder: str, name: str, *, full_page: bool = False) -> bytes:
    """Save a PNG of a tab or an element as artifacts/screenshots/<folder>/<name>.png."""
    path = SCREENSHOTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if full_page:
        return target.screenshot(path=str(path), full_page=True)  # type: ignore[call-arg]
    return target.screenshot(path=str(path))


def shot_name(path: str) -> str:
    """A page's path as a file name: 'contributing/glossary/' -> 'contributing-glossary'."""
    return path.strip("/").replace("/", "-") or "index"


def search(page: Page, query: str) -> Locator:
    """Type ``query`` into the site's search as a reader does, and return the result items: on
    a phone the search box is folded behind the header's search button, on a desktop it shows."""
    button = page.locator("label.md-header__button[for=__search]")
    if button.is_visible():
        button.click()
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    box.fill(query)
    box.press("End")  # Material searches on keyup
    return page.locator(".md-search-result__item")


AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("critical", "serious")
RUN_AXE = """async (selector) => {
  const where = selector ? document.querySelector(selector) : document;
  const result = await axe.run(where, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def violations(page: Page, selector: str | None = None) -> list[dict[str, Any]]:
    """axe-core's critical and serious violations on the page open in ``page``, or in the
    element ``selector`` finds."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, selector)
    return [v for v in found if v["impact"] in FAILING]
