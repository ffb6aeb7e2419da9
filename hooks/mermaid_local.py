"""MkDocs hook: ship Mermaid from npm with the site instead of loading it from a CDN.

`make site-assets` installs the pinned `mermaid` package into .cache/npm (gitignored); this
hook adds its `mermaid.min.js` next to docs/assets/javascripts/mermaid-loader.js, which loads
it on demand. Nothing generated lands in docs/.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.mermaid_local")

SITE_PATH = "assets/javascripts/mermaid.min.js"
NPM_PATH = Path(".cache/npm/node_modules/mermaid/dist/mermaid.min.js")


def on_files(files: Files, config: Any) -> Files:
    """Add the vendored Mermaid, or warn (a failure under strict) when it is not installed."""
    vendored = Path(config.config_file_path).parent / NPM_PATH
    if vendored.is_file():
        files.append(File.generated(config, SITE_PATH, abs_src_path=str(vendored)))
    else:
        log.warning("Mermaid is not installed at %s: run `make site-assets`", NPM_PATH)
    return files
