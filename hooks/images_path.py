"""MkDocs hook: serve the top-level `images/` folder, the one home of the notes' pictures.

Pages link `../images/img.png`, the path that works on GitHub (docs/ sits next to images/).
MkDocs only knows files under docs/, so this hook adds the pictures to the site as
`images/...` and rewrites those links to match; the Markdown on disk stays GitHub-correct.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

# The editable sources (images/src/*.svg) stay out of the site: only rendered pictures ship.
_PICTURES = ("*.png", "*.svg", "*.jpg", "*.gif", "*.webp")
# Target of a Markdown link or image: `](target` up to a space, `)` or `#`.
_LINK = re.compile(r"(\]\()([^)\s#]+)")


def _images_dir(config: Any) -> Path:
    return Path(config.config_file_path).parent / "images"


def on_files(files: Files, config: Any) -> Files:
    """Add each picture of images/ to the site at images/<name>."""
    folder = _images_dir(config)
    for pattern in _PICTURES:
        for picture in sorted(folder.glob(pattern)):
            src_uri = f"images/{picture.name}"
            if files.get_file_from_path(src_uri) is None:
                files.append(File.generated(config, src_uri, abs_src_path=str(picture)))
    return files


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Point links into ../images/ at the copy the site serves."""
    page_dir = posixpath.dirname(page.file.src_uri)

    def rewrite(match: re.Match[str]) -> str:
        target = match.group(2)
        if "://" in target:
            return match.group(0)
        in_repo = posixpath.normpath(posixpath.join("docs", page_dir, target))
        if not in_repo.startswith("images/"):
            return match.group(0)
        return match.group(1) + posixpath.relpath(in_repo, page_dir or ".")

    return _LINK.sub(rewrite, markdown)


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """`mkdocs serve` reloads when a picture is re-rendered."""
    server.watch(str(_images_dir(config)))
    return server
