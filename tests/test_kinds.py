"""The block kinds' registry: one entry per kind, each complete."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contracts.report import STATUSES
from docharness import kinds
from docharness.kinds import KINDS, BlockKind, classify


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("console", "$ docker ps\n", BlockKind.TRANSCRIPT),
        ("shell-session", "/ # ls\n", BlockKind.TRANSCRIPT),
        ("shell", "docker image tag SOURCE TARGET\n", BlockKind.SYNOPSIS),
        ("py", "import docker\n", BlockKind.PYTHON),
        ("text", "$ docker ps\n", None),
        ("yaml", "services:\n  web:\n    image: nginx\n", BlockKind.COMPOSE),
        ("yml", "# the blog\nservices:  # two\n", BlockKind.COMPOSE),
        ("yaml", "version: 0.1\nstorage:\n  services:\n", None),  # a registry's config.yml
        ("yaml", "x:\n  services:\n", None),
    ],
)
def test_a_fence_is_of_one_kind_or_none(
    language: str, source: str, expected: BlockKind | None
) -> None:
    found = classify(language, source)
    assert (found.name if found else None) is expected


def test_every_kind_is_complete() -> None:
    """Evaluator, report status and badge: what a new kind's one entry must give."""
    assert {kind.name for kind in KINDS} == set(BlockKind)
    for kind in KINDS:
        assert callable(kind.load_evaluator()), kind.evaluator
        # in the kind's own module, or a module of its own folder
        module = kind.evaluator.partition(":")[0]
        own = f"docharness.kinds.{kind.name.value}"
        assert module == own or module.startswith(f"{own}."), kind.evaluator
        assert kind.passed in STATUSES
        assert kinds.passed_badge(kind.passed) is not None
    python = classify("py", "import docker\n")
    assert python is not None and python.languages["py"] == "python"  # the recorded name


def test_a_kind_whose_status_the_report_does_not_list_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The report's contract lists every status; a kind cannot add one behind its back."""
    flaky = replace(KINDS[0], passed="flaky")  # type: ignore[arg-type]
    monkeypatch.setattr(kinds, "KINDS", (*KINDS, flaky))
    with pytest.raises(TypeError, match="status 'flaky' is not in contracts.report.Status"):
        kinds._check_statuses()
