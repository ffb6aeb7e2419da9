"""Page pieces that need no daemon: skips, timeouts, display paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from docharness.daemon import Daemon
from docharness.kinds import BlockKind
from docharness.model import CodeBlock, Directives
from docharness.page import block_timeout, display_path, skip_if_asked

LAB = Daemon("unix:///lab.sock", "lab")


def _block(directives: Directives) -> CodeBlock:
    source = "$ true\n"
    return CodeBlock(
        Path("page.md"), 3, 6, "shell", "shell", source, BlockKind.TRANSCRIPT, directives
    )


def test_skip_directive_gives_its_reason() -> None:
    with pytest.raises(pytest.skip.Exception, match="외부 서비스가 필요합니다"):
        skip_if_asked(_block(Directives(skip="외부 서비스가 필요합니다", line=2)), LAB)


def test_requires_network_is_skipped_offline_only() -> None:
    block = _block(Directives(requires="network", line=2))
    with pytest.raises(pytest.skip.Exception, match="needs network"):
        skip_if_asked(block, LAB)
    skip_if_asked(block, Daemon("unix:///own.sock", "own", online=True))


def test_timeout_directive() -> None:
    assert block_timeout(_block(Directives())) == 60
    assert block_timeout(_block(Directives(timeout=120.0, line=2))) == 120


def test_display_path_is_relative_to_the_working_directory() -> None:
    assert display_path(Path.cwd() / "docs" / "x.md") == "docs/x.md"
