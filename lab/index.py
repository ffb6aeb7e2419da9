"""``index.docker.io`` and ``auth.docker.io``: the v1 search endpoint and the token endpoint.

The daemon's ``docker search`` calls ``GET https://index.docker.io/v1/search?q=..&n=..``; this
server answers it from ``catalogue.json`` (written by the image builder from the images' labels)
plus the repositories pushed into the lab registry since.
"""

from __future__ import annotations

import json
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from lab import ca, registry_token
from lab.paths import CATALOGUE, INDEX, LAYOUT, SECRETS

REPOSITORIES = LAYOUT.repositories


def catalogue() -> list[dict[str, object]]:
    """Every repository the lab serves, official images first, with a description."""
    described = json.loads(CATALOGUE.read_text()) if CATALOGUE.exists() else {}
    entries = []
    for repo in sorted(_repositories()):
        name = repo.removeprefix("library/")
        entries.append(
            {
                "name": name,
                "description": described.get(name, ""),
                "star_count": 0,
                "is_official": repo.startswith("library/"),
                "is_automated": False,
            }
        )
    return sorted(entries, key=lambda e: (not e["is_official"], str(e["name"])))


def _repositories() -> list[str]:
    if not REPOSITORIES.exists():
        return []
    return [
        str(path.parent.relative_to(REPOSITORIES)) for path in REPOSITORIES.glob("**/_manifests")
    ]


def search(query: str, limit: int) -> dict[str, object]:
    results = [e for e in catalogue() if query.lower() in str(e["name"]).lower()][:limit]
    return {
        "num_pages": 1,
        "num_results": len(results),
        "page_size": limit,
        "query": query,
        "results": results,
    }


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        url = urlparse(self.path)
        if url.path == "/v1/_ping":
            self._reply(200, {})
        elif url.path == "/token":
            self._token(parse_qs(url.query))
        elif url.path == "/v1/search":
            args = parse_qs(url.query)
            limit = int(args.get("n", ["25"])[0])
            self._reply(200, search(args.get("q", [""])[0], limit))
        else:
            self._reply(404, {"error": f"the lab's index does not serve {url.path}"})

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        # The OAuth2 form (grant_type=password) that containerd's resolver posts when it has
        # credentials: the containerd image store pushes so. Docker Hub answers it; a 501
        # here failed every push from that store ("failed to fetch oauth token").
        url = urlparse(self.path)
        if url.path != "/token":
            self._reply(404, {"error": f"the lab's index does not serve POST {url.path}"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        if form.get("grant_type") != ["password"]:
            self._reply(400, {"error": "unsupported_grant_type"})
            return
        user, password = form.get("username", [""])[0], form.get("password", [""])[0]
        try:
            account = registry_token.check_password(user, password, _htpasswd())
        except registry_token.Unauthorized:
            self._reply(401, {"details": "incorrect username or password"})
            return
        scopes = [s for joined in form.get("scope", []) for s in joined.split(" ") if s]
        self._reply(200, registry_token.issue(scopes, account))

    def _token(self, args: dict[str, list[str]]) -> None:
        try:
            account = registry_token.check_basic(self.headers.get("Authorization"), _htpasswd())
        except registry_token.Unauthorized:
            self._reply(401, {"details": "incorrect username or password"})
            return
        self._reply(200, registry_token.issue(args.get("scope", []), account))

    def _reply(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Docker-Registry-Version", "0.6.0")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the daemon's own log says what was searched or refused


def _htpasswd() -> dict[str, bytes]:
    lines = (SECRETS / "htpasswd").read_text().splitlines()
    return {user: hashed.encode() for user, _, hashed in (line.partition(":") for line in lines)}


def main() -> None:
    server = ThreadingHTTPServer(INDEX, Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ca.SERVER_CERT, ca.SERVER_KEY)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
