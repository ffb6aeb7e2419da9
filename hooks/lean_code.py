"""MkDocs hook: code blocks without the elements that change nothing on screen.

Pygments wraps every name in a Python or Dockerfile block in `<span class="n">`; Material
colours `.highlight .n` with `--md-code-hl-name-color`, which is `var(--md-code-fg-color)` in
both schemes, the colour the block's text has anyway. They were 344 of the 2,566 elements of
`/container-lifecycle/` (issue 24, item 4: the page's size is what a phone pays for at load;
most of these sit in hidden Python tabs, so load-time style work barely changes). The text is
left as it was, so the copy buttons, the search index and the rendering are the same. Runs
before the hooks that read the blocks (code_blocks, badges, copy rows), which then parse less.
"""

from __future__ import annotations

import re
from typing import Any

from mkdocs.plugins import event_priority

# A name span holds text only (Pygments nests nothing in a token's span).
NAME = re.compile(r'<span class="n">([^<]*)</span>')


def lean(page_html: str) -> str:
    """``page_html`` with each `<span class="n">` replaced by its text."""
    return NAME.sub(r"\1", page_html)


@event_priority(50)  # before the other hooks' on_page_content (default priority 0)
def on_page_content(html_text: str, **_: Any) -> str:
    return lean(html_text)
