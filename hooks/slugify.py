"""MkDocs hook: heading anchors exactly as GitHub writes them (see ``github_slug``).

The notes link to `#도커-이미지-내려받기-docker-pull`; MkDocs' default slugify drops Hangul,
so the toc extension gets GitHub's slugger instead. Setting it here rather than with
`!!python/name:` in mkdocs.yml works because MkDocs puts this folder on sys.path while it
loads a hook, whereas the repository root is not importable from the `mkdocs` script.
"""

from __future__ import annotations

from typing import Any

from github_slug import Slugger

_slugger = Slugger()


def github_slugify(value: str, separator: str) -> str:
    """The toc extension's `slugify` signature; GitHub always joins words with `-`."""
    del separator
    return _slugger.slug(value)


def on_config(config: Any) -> Any:
    """Hand our slugify to the toc extension."""
    config.mdx_configs.setdefault("toc", {})["slugify"] = github_slugify
    return config


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Each page numbers its repeated headings from scratch, as GitHub does per file."""
    _slugger.reset()
    return markdown
