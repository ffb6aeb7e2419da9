"""MkDocs hook: "last updated" on each page, the date of the last commit that changed it.

One `git log` for the whole docs folder at the start of a build; Material shows
`page.meta.revision_date` under the page. A page git does not know yet (not committed) or a
checkout without git history shows no date rather than a wrong one.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.git_dates")
_dates: dict[str, str] = {}


def last_changed(repository: Path, folder: str) -> dict[str, str]:
    """Path (relative to the repository) -> YYYY-MM-DD of the last commit that touched it."""
    done = subprocess.run(
        ["git", "log", "--format=%x00%cs", "--name-only", "--", folder],
        cwd=repository,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        log.info("no git dates: %s", done.stderr.strip())
        return {}
    dates: dict[str, str] = {}
    date = ""
    for line in done.stdout.split("\n"):
        if line.startswith("\0"):
            date = line[1:]
        elif line:
            dates.setdefault(line, date)  # newest first: the first date seen is the last change
    return dates


def on_config(config: Any) -> Any:
    global _dates
    repository = Path(config.config_file_path).resolve().parent
    _dates = last_changed(repository, Path(config.docs_dir).relative_to(repository).as_posix())
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, **_: Any) -> str:
    repository = Path(config.config_file_path).resolve().parent
    path = Path(page.file.abs_src_path).relative_to(repository).as_posix()
    if path in _dates:
        page.meta["revision_date"] = _dates[path]
    return markdown
