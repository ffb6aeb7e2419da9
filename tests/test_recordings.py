"""Unit tests of hooks/recordings.py: which blocks get the "▶ 터미널로 보기" control beside their
badge (hooks/test_badges.py), and what the site ships for it."""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

import markdown
import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks"))
import recordings  # noqa: E402
import test_badges  # noqa: E402

from contracts.report import recording_path  # noqa: E402

PAGE = "docs/sample.md"
SOURCE = """\
# 예제

```shell
$ docker ps
CONTAINER ID
```

```console
$ docker image ls
REPOSITORY
```

```shell
$ docker version
Client:
```
"""  # three tested blocks, their fences on lines 3, 8 and 13
# An asciicast v2 recording: its header, then [time, "o", data] events.
CAST = '{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "$ docker ps\\r\\n"]\n'
CONTROL = re.compile(r'<button type="button" class="test-badge__play"[^>]*>.*?</button>')


def report_with(folder: Path, blocks: list[dict[str, object]], *, write: bool = True) -> Path:
    """A report in ``folder`` whose blocks name recordings as their ``recording`` key says;
    the files are written unless ``write`` is False."""
    for entry in blocks:
        name = entry.get("recording")
        if write and isinstance(name, str):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(CAST, "utf-8")
    report = {
        "created": "2026-12-02T09:30:00+00:00",
        "complete": True,
        "docker": {"client": "28.2.2", "server": "28.5.2+dfsg4"},
        "mode": "lab",
        "blocks": blocks,
        "pages": {},
    }
    path = folder / "test-report.json"
    path.write_text(json.dumps(report), "utf-8")
    return path


def render(source: str) -> str:
    return markdown.markdown(source, extensions=["pymdownx.superfences", "pymdownx.highlight"])


def block(line: int, status: str, reason: str | None = None) -> dict[str, object]:
    return {"page": PAGE, "line": line, "language": "shell", "kind": "transcript",
            "status": status, "reason": reason, "details": None, "duration": 0.1}  # fmt: skip


def recorded(line: int, status: str = "passed", reason: str | None = None) -> dict[str, object]:
    return {**block(line, status, reason), "recording": recording_path(PAGE, line)}


def badge_lines(page_html: str) -> list[str]:
    return re.findall(r'<div class="test-badge .*?</div>(?=<div class="highlight)', page_html, re.S)


def test_a_recorded_block_gets_one_control_beside_its_badge(tmp_path: Path) -> None:
    report = report_with(tmp_path, [recorded(3), block(8, "passed"), recorded(13, "failed")])
    page_html = test_badges.badged(render(SOURCE), SOURCE, PAGE, test_badges.load_report(report))
    lines = badge_lines(page_html)
    assert [len(CONTROL.findall(line)) for line in lines] == [1, 0, 1]
    first = CONTROL.search(lines[0])
    assert first is not None
    button = first.group(0)
    assert 'data-recording="recordings/sample/3.cast"' in button
    assert 'data-engine="도커 엔진 28.5" data-date="2026-12-02"' in button
    assert (
        'aria-label="터미널로 보기: 도커 엔진 28.5에서 2026-12-02에 테스트한 실행 화면"' in button
    )
    assert button.endswith('<span aria-hidden="true">▶</span> 터미널로 보기</button>')
    # beside the badge's text, in the same line (kept out of the search index with it)
    assert re.search(
        r'data-search-exclude><span class="test-badge__text">[^<]*</span><button', lines[0]
    )
    # a failed block keeps its diff folded after the control
    assert re.search(r"</button><details class=\"test-badge__diff\">", lines[2])


def test_no_control_without_a_recording_file(tmp_path: Path) -> None:
    """A record without the key, with None (the run could not write it), or naming a file that
    is not there (a report copied without its recordings): no control, never a broken one."""
    blocks = [block(3, "passed"), {**block(8, "passed"), "recording": None}, recorded(13)]
    report = report_with(tmp_path, blocks, write=False)
    page_html = test_badges.badged(render(SOURCE), SOURCE, PAGE, test_badges.load_report(report))
    assert "test-badge__play" not in page_html
    assert recordings.recordings(tmp_path) == []


def test_a_recording_elsewhere_than_the_schema_puts_it_is_an_error(tmp_path: Path) -> None:
    report = report_with(tmp_path, [{**block(3, "passed"), "recording": "../../etc/passwd"}])
    with pytest.raises(recordings.RecordingError) as error:
        test_badges.load_report(report)
    assert str(error.value) == (
        "docs/sample.md:3: the report names the recording '../../etc/passwd'; "
        "contracts.report.recording_path puts it at 'recordings/sample/3.cast'"
    )


def shipped_files(folder: Path) -> Files:
    """The files the hook adds, run as MkDocs runs it, for a site whose mkdocs.yml is in
    ``folder`` (where the hook looks for the npm cache)."""
    (folder / "docs").mkdir()
    config = MkDocsConfig(config_file_path=str(folder / "mkdocs.yml"))
    hook = Path(recordings.__file__)
    config.load_dict({"site_name": "시험", "docs_dir": str(folder / "docs"), "hooks": [str(hook)]})
    errors, _ = config.validate()
    assert errors == []
    files: Files = config.plugins.on_files(Files([]), config=config)
    return files


def test_the_site_ships_the_player_and_each_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout, report = tmp_path / "checkout", tmp_path / "report"
    checkout.mkdir(), report.mkdir()
    bundle = checkout / recordings.NPM_PATH
    bundle.mkdir(parents=True)
    for name in recordings.SHIPPED:
        (bundle / name).write_text("/* player */", "utf-8")
    report_with(report, [recorded(3), recorded(8), block(13, "skipped", "인터넷이 필요합니다.")])
    (report / recording_path(PAGE, 8)).unlink()  # listed, but not written
    monkeypatch.setenv("DOCHARNESS_REPORT_DIR", str(report))
    files = shipped_files(checkout)
    shipped = {file.src_uri: file.abs_src_path for file in files}
    assert shipped == {
        "assets/javascripts/asciinema-player.min.js": str(bundle / "asciinema-player.min.js"),
        "assets/stylesheets/asciinema-player.css": str(bundle / "asciinema-player.css"),
        "recordings/sample/3.cast": str(report / "recordings/sample/3.cast"),
    }
    assert files.get_file_from_path("recordings/sample/3.cast").dest_uri == (  # type: ignore[union-attr]
        "recordings/sample/3.cast"
    )


def test_a_missing_player_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A warning fails `mkdocs build --strict`: the site never offers a control it cannot play."""
    monkeypatch.setenv("DOCHARNESS_REPORT_DIR", str(tmp_path / "no-report"))
    with caplog.at_level(logging.WARNING, "mkdocs.hooks.recordings"):
        files = shipped_files(tmp_path)
    assert len(files) == 0
    assert "asciinema-player is not installed" in caplog.text
    assert "make site-assets" in caplog.text
