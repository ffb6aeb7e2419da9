"""MkDocs hook: serve the top-level `images/` folder, the one home of the notes' pictures.

Pages link `../images/img.png`, the path that works on GitHub (docs/ sits next to images/).
MkDocs only knows files under docs/, so this hook adds the pictures to the site as
`images/...` and rewrites those links to match; the Markdown on disk stays GitHub-correct.
A picture drawn from a source (`images/src/img.svg`, rendered to the PNG by images/render.sh)
is served as that SVG (`images/img.svg`): crisp at any size. The PNGs stay for GitHub.
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
    """Add each picture of images/ to the site at images/<name>, and each drawing's SVG."""
    folder = _images_dir(config)
    pictures = [p for pattern in _PICTURES for p in sorted(folder.glob(pattern))]
    for picture in pictures + sorted((folder / "src").glob("*.svg")):
        src_uri = f"images/{picture.name}"
        if files.get_file_from_path(src_uri) is None:
            files.append(File.generated(config, src_uri, abs_src_path=str(picture)))
    return files


def site_picture(in_repo: str, images: Path) -> str:
    """`images/img.png` -> `images/img.svg` when images/src/img.svg is its drawing."""
    name = posixpath.basename(in_repo)
    stem, extension = posixpath.splitext(name)
    if extension == ".png" and (images / "src" / f"{stem}.svg").is_file():
        return posixpath.join(posixpath.dirname(in_repo), f"{stem}.svg")
    return in_repo


def on_page_markdown(markdown: str, page: Any, config: Any, **kwargs: Any) -> str:
    """Point links into ../images/ at the copy the site serves."""
    page_dir = posixpath.dirname(page.file.src_uri)
    images = _images_dir(config)

    def rewrite(match: re.Match[str]) -> str:
        target = match.group(2)
        if "://" in target:
            return match.group(0)
        in_repo = posixpath.normpath(posixpath.join("docs", page_dir, target))
        if not in_repo.startswith("images/"):
            return match.group(0)
        return match.group(1) + posixpath.relpath(site_picture(in_repo, images), page_dir or ".")

    return _LINK.sub(rewrite, markdown)


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """`mkdocs serve` reloads when a picture is re-rendered."""
    server.watch(str(_images_dir(config)))
    return server
