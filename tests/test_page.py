"""Page pieces that need no daemon: skip marks, timeouts, display paths."""

from __future__ import annotations

from pathlib import Path

from docharness.daemon import Daemon
from docharness.model import CodeBlock, Directives
from docharness.page import block_timeout, display_path, skip_mark

LAB = Daemon("unix:///lab.sock", "lab")


def _block(directives: Directives) -> CodeBlock:
    source = "$ true\n"
    return CodeBlock(Path("page.md"), 3, 6, "shell", "shell", source, "transcript", directives)


def _reason(block: CodeBlock, daemon: Daemon) -> str | None:
    """The reason of the skip mark the plugin puts on the block's item, or None."""
    mark = skip_mark(block, daemon)
    if mark is None:
        return None
    assert mark.name == "skip"
    return str(mark.kwargs["reason"])


def test_skip_directive_gives_its_reason() -> None:
    reason = _reason(_block(Directives(skip="외부 서비스가 필요합니다", line=2)), LAB)
    assert reason == "외부 서비스가 필요합니다"


def test_requires_network_is_skipped_offline_only() -> None:
    block = _block(Directives(requires="network", line=2))
    reason = _reason(block, LAB)
    assert reason is not None and reason.startswith("needs network")
    assert _reason(block, Daemon("unix:///own.sock", "own", online=True)) is None


def test_timeout_directive() -> None:
    assert block_timeout(_block(Directives())) == 60
    assert block_timeout(_block(Directives(timeout=120.0, line=2))) == 120


def test_display_path_is_relative_to_the_working_directory() -> None:
    assert display_path(Path.cwd() / "docs" / "x.md") == "docs/x.md"
