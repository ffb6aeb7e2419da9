"""What the daemon logged while a block ran, shown under the block's failure.

A lab daemon logs warnings and errors only, to its own file (``lab.json`` names it). A rare
failure that comes from the engine (a restart that did not happen, output the daemon could
not copy in time) leaves a diff that looks like the page's fault; the daemon's own lines from
those seconds say what really happened. Your own Docker's log is not ours to read: there is
nothing to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 12  # the last lines: the ones nearest the failure
MAX_WIDTH = 400  # one line of a daemon log can hold a whole JSON error
_TAIL_BYTES = 64 * 1024  # read no more than this, however much the block made it log


@dataclass(frozen=True)
class LogMark:
    """Where a daemon's log ended when a block began."""

    path: Path
    offset: int

    def excerpt(self) -> list[str]:
        """Lines to put under a failure: a heading and what the daemon logged since this mark,
        or nothing."""
        shown, more = lines_since(self)
        if not shown:
            return []
        which = f"its last {len(shown)} lines" if more else "all of it"
        heading = f"the daemon logged while the block ran ({which}, {self.path}):"
        return [heading, *(f"  {line}" for line in shown)]


def mark(path: Path | None) -> LogMark | None:
    """The end of the log at ``path`` now; None when there is no log to read."""
    if path is None:
        return None
    try:
        return LogMark(path, path.stat().st_size)
    except OSError:
        return None


def lines_since(start: LogMark | None) -> tuple[list[str], bool]:
    """The last ``MAX_LINES`` lines written since ``start``, each cut to ``MAX_WIDTH``, and
    whether earlier lines were left out.

    ```python
    import tempfile
    from pathlib import Path
    from docharness.daemonlog import lines_since, mark

    log = Path(tempfile.mkdtemp()) / "lab0.log"
    log.write_text("level=warning msg=before\\n")
    start = mark(log)
    with log.open("a") as out:
        out.write("level=error msg=during\\n")
    assert lines_since(start) == (["level=error msg=during"], False)
    ```
    """
    if start is None:
        return [], False
    try:
        with start.path.open("rb") as log:
            end = log.seek(0, 2)
            begin = max(start.offset, end - _TAIL_BYTES)
            log.seek(begin)
            data = log.read(end - begin)
    except OSError:
        return [], False
    lines = data.decode("utf-8", "replace").splitlines()
    if begin > start.offset and lines:
        lines = lines[1:]  # the read began inside a line
    shown = [_cut(line) for line in lines[-MAX_LINES:]]
    return shown, begin > start.offset or len(lines) > len(shown)


def excerpt(start: LogMark | None) -> list[str]:
    """``start.excerpt()``; nothing when there was no log to mark."""
    return start.excerpt() if start is not None else []


def _cut(line: str) -> str:
    return line if len(line) <= MAX_WIDTH else line[: MAX_WIDTH - 1] + "…"
