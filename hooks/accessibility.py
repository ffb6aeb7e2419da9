"""MkDocs hook: what axe-core asks of Material's markup that Material does not give.

The search dialog (`role="dialog"`) gets a name, "검색". (The home page's contents were once
59 ticked task-list checkboxes hidden here from screen readers; they are a numbered reading
path now, and the site has no task list.)

A Material update that changes this markup makes the build fail here, rather than the fix
silently stop applying.
"""

from __future__ import annotations

from typing import Any

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMED_DIALOG = SEARCH_DIALOG.replace('role="dialog"', 'role="dialog" aria-label="검색"')


def named_search(page_html: str, where: str) -> str:
    """``page_html`` with its search dialog named; raises if Material's markup changed."""
    if page_html.count(SEARCH_DIALOG) != 1:
        raise ValueError(f"{where}: Material's search dialog not found as {SEARCH_DIALOG!r}")
    return page_html.replace(SEARCH_DIALOG, NAMED_DIALOG)


def on_post_page(output: str, page: Any, **_: Any) -> str:
    return named_search(output, page.file.src_uri)


def on_post_template(output_content: str, template_name: str, **_: Any) -> str:
    """The 404 page, built from a template rather than a page, has the same search."""
    if template_name != "404.html":
        return output_content
    return named_search(output_content, template_name)
