"""Evaluator pieces that need no daemon: skips, timeouts, display paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from docharness.daemon import Daemon
from docharness.model import BlockKind, CodeBlock, Directive, HarnessError
from docharness.page import block_timeout, display_path, skip_if_asked

LAB = Daemon("unix:///lab.sock", "lab")


def _block(*directives: Directive) -> CodeBlock:
    block = CodeBlock(Path("page.md"), 3, 6, "shell", "shell", "$ true\n", BlockKind.TRANSCRIPT)
    block.directives = list(directives)
    return block


def test_skip_directive_gives_its_reason() -> None:
    with pytest.raises(pytest.skip.Exception, match="외부 서비스가 필요합니다"):
        skip_if_asked(_block(Directive("skip", "외부 서비스가 필요합니다", 2)), LAB)


def test_requires_network_is_skipped_offline_only() -> None:
    block = _block(Directive("requires", "network", 2))
    with pytest.raises(pytest.skip.Exception, match="needs network"):
        skip_if_asked(block, LAB)
    skip_if_asked(block, Daemon("unix:///own.sock", "own", online=True))


def test_timeout_directive() -> None:
    assert block_timeout(_block()) == 60
    assert block_timeout(_block(Directive("timeout", "120", 2))) == 120


def test_a_timeout_not_made_by_the_parser_is_still_checked() -> None:
    with pytest.raises(HarnessError, match=r"page.md:2: bad timeout 'inf'"):
        block_timeout(_block(Directive("timeout", "inf", 2)))


def test_display_path_is_relative_to_the_working_directory() -> None:
    assert display_path(Path.cwd() / "docs" / "x.md") == "docs/x.md"
