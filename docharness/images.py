"""Which images a page pulls or runs, each kind saying what its blocks use (``Kind.images``).

An image the page itself made (named by its `docker tag`, `push`, `import`, `commit` or
`build -t`) is not counted, nor a pull by digest of a repository the page made: a page that
pushes `localhost:5000/x:1` and pulls `localhost:5000/x@sha256:…` pulls back its own image.
"""

from __future__ import annotations

from pathlib import Path

from docharness.fences import parse_page
from docharness.image_refs import BlockImages, ImageUse, normalise, repository
from docharness.kinds import kind

__all__ = ["ImageUse", "normalise", "page_images"]


def page_images(path: Path, text: str) -> list[ImageUse]:
    """Every image the page pulls or runs, in page order (a page-made image left out).

    Raises HarnessError naming the line of a command whose image cannot be told.
    """
    found = BlockImages()
    for block in parse_page(path, text):
        read = kind(block.kind).images
        if read is not None:
            block_images = read(block)
            found.uses += block_images.uses
            found.made |= block_images.made
            found.pushed |= block_images.pushed
    return [
        use
        for use in found.uses
        if use.reference not in found.made
        and not ("@" in use.reference and repository(use.reference) in found.pushed)
    ]
