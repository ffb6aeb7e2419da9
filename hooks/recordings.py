"""MkDocs hook: a tested block's terminal recording, played back on the site when asked.

A run records what a reader's terminal showed for each block (asciicast v2 under the report
folder, where `contracts.report.recording_path` puts it) and names the file in the block's
record. For a record whose recording exists, the badge line (hooks/test_badges.py) gets one
quiet control, `control()`; this hook ships those recordings at the same path in the site
(``recordings/<page>/<line>.cast``) and the pinned asciinema-player (`make site-assets` puts it
in .cache/npm). assets/javascripts/terminal-player.js fetches the player and the recording on
the first click, never with the page. No recording, no control: a skipped block, a page not run
since, a file that could not be written.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine_names import engine_name
from mkdocs.structure.files import File, Files

from contracts.layout import ROOT  # the repository: report paths are relative to it
from contracts.matrix import engine_label
from contracts.report import (
    REPORT_NAME,
    BlockRecord,
    Report,
    read_report,
    recording_path,
    report_folder,
)

log = logging.getLogger("mkdocs.hooks.recordings")

NPM_PATH = Path(".cache/npm/node_modules/asciinema-player/dist/bundle")
# The player's monolithic bundle (its terminal emulator's wasm inlined) and its styles.
SHIPPED = {
    "asciinema-player.min.js": "assets/javascripts/asciinema-player.min.js",
    "asciinema-player.css": "assets/stylesheets/asciinema-player.css",
}


class RecordingError(ValueError):
    """A report's recording field the site does not know how to publish."""


@dataclass(frozen=True)
class Recording:
    """One block's recording as the site offers it."""

    path: str  # relative to the report folder and to the site's root
    engine: str  # the engine of the run, as the site names it (도커 엔진 28.5)
    date: str  # YYYY-MM-DD of the run


def published(folder: Path, report: Report, block: BlockRecord) -> Recording | None:
    """The recording of ``block`` (a record of ``report``, read from ``folder``) when its
    record names one and the file is there; None otherwise. Raises RecordingError for a name
    that is not where `recording_path` puts this block's recording."""
    name = block.get("recording")
    if name is None:
        return None
    page, line = block["page"], block["line"]
    expected = recording_path(page, line)
    if name != expected:
        raise RecordingError(
            f"{page}:{line}: the report names the recording {name!r}; "
            f"contracts.report.recording_path puts it at {expected!r}"
        )
    if not (folder / name).is_file():
        return None  # the run could not write it: the block simply has no control
    # The engine with its image store, as the badge beside it names it.
    engine = engine_name(engine_label(report["docker"]))
    return Recording(name, engine, report["created"][:10])


def control(recording: Recording) -> str:
    """The control beside a badge: a button the player script (terminal-player.js) finds by
    its class, with what the player needs, the recording's path from the site's root, the
    engine and date it shows."""
    label = f"터미널로 보기: {recording.engine}에서 {recording.date}에 테스트한 실행 화면"
    return (
        f'<button type="button" class="test-badge__play" aria-expanded="false"'
        f' aria-label="{html.escape(label)}"'
        f' data-recording="{html.escape(recording.path)}"'
        f' data-engine="{html.escape(recording.engine)}" data-date="{html.escape(recording.date)}">'
        '<span aria-hidden="true">▶</span> 터미널로 보기</button>'
    )


def recordings(folder: Path) -> list[Recording]:
    """Every published recording of the report in ``folder`` (none without a report)."""
    report = read_report(folder / REPORT_NAME)
    if report is None:
        return []
    found = (published(folder, report, block) for block in report["blocks"])
    return [recording for recording in found if recording is not None]


def on_files(files: Files, config: Any) -> Files:
    """Ship the player (a warning, a failure under strict, when it is not installed) and every
    published recording."""
    vendored = Path(config.config_file_path).parent / NPM_PATH
    if all((vendored / name).is_file() for name in SHIPPED):
        for name, site_path in SHIPPED.items():
            files.append(File.generated(config, site_path, abs_src_path=str(vendored / name)))
    else:
        log.warning("asciinema-player is not installed at %s: run `make site-assets`", NPM_PATH)
    folder = report_folder(ROOT)
    for recording in recordings(folder):
        files.append(
            File.generated(config, recording.path, abs_src_path=str(folder / recording.path))
        )
    return files
