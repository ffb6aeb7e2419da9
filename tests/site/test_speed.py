"""Nothing of ours holds back a page's first paint: no script in the head that the browser
must fetch and run before it can draw (Lighthouse's render-blocking resources)."""

from __future__ import annotations

import re
from pathlib import Path

import sitekit

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def test_no_script_in_the_head_blocks_the_first_paint(site_dir: Path) -> None:
    blocking = []
    for path in [*sitekit.pages(site_dir), "404.html"]:
        file = site_dir / path / "index.html" if not path.endswith(".html") else site_dir / path
        head = file.read_text("utf-8").split("</head>", 1)[0]
        for attributes in SCRIPT.findall(head):
            external = re.search(r"\bsrc=", attributes)
            if external and not re.search(r"\b(defer|async)\b|type=\"module\"", attributes):
                blocking.append(f"/{path}: <script{attributes}>")
    assert not blocking, "render-blocking scripts:\n" + "\n".join(blocking)


def test_the_search_scripts_still_run_before_the_bundle(site_dir: Path) -> None:
    """They patch what the bundle sets up as it starts (overrides/main.html)."""
    page = (site_dir / "volumes" / "index.html").read_text("utf-8")
    on_demand = page.index("XMLHttpRequest.prototype.send")
    search_ko = page.index("assets/javascripts/search-ko.js")
    bundle = re.search(r"assets/javascripts/bundle\.\w+\.min\.js", page)
    assert bundle is not None
    assert on_demand < page.index("</head>") and search_ko < bundle.start()
