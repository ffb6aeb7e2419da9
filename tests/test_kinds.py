"""The block kinds' registry: one entry per kind, each complete."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from contracts.report import STATUSES
from docharness import kinds
from docharness.fences import parse_page
from docharness.kinds import KINDS, BlockKind, classify
from docharness.kinds.compose import check as compose_check
from docharness.kinds.evaluators import EVALUATORS, evaluator_for


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("console", "$ docker ps\n", BlockKind.TRANSCRIPT),
        ("shell-session", "/ # ls\n", BlockKind.TRANSCRIPT),
        ("shell", "docker image tag SOURCE TARGET\n", BlockKind.SYNOPSIS),
        ("py", "import docker\n", BlockKind.PYTHON),
        ("text", "$ docker ps\n", None),
    ],
)
def test_a_fence_is_of_one_kind_or_none(
    language: str, source: str, expected: BlockKind | None
) -> None:
    found = classify(language, source)
    assert (found.name if found else None) is expected


@pytest.mark.parametrize(
    ("info", "source", "expected"),
    [
        ('yaml title="compose.yaml"', "services:\n  web:\n    image: nginx\n", BlockKind.COMPOSE),
        ("yml title='c.yml'", "# the blog\nservices:  # two\n", BlockKind.COMPOSE),
        ('yaml title="c.yaml"', "services: {web: {image: nginx}}\n", BlockKind.COMPOSE),
        ("yaml", "services:\n  web:\n    image: nginx\n", None),  # no file name: shown only
        ('yaml title="config.yml"', "version: 0.1\nstorage:\n  services:\n", None),
        ('yaml title="c.yaml"', "services_old:\n", None),
    ],
)
def test_a_compose_file_is_a_titled_yaml_fence_with_top_level_services(
    info: str, source: str, expected: BlockKind | None
) -> None:
    found = classify(info.split()[0], source, info)
    assert (found.name if found else None) is expected


def test_every_kind_is_complete() -> None:
    """Evaluator, report status and badge: what a new kind's one entry must give."""
    assert {kind.name for kind in KINDS} == set(BlockKind) == set(EVALUATORS)
    for kind in KINDS:
        evaluate = EVALUATORS[kind.name]
        assert callable(evaluate), kind.name
        # in the kind's own module, or a module of its own folder
        module = evaluate.__module__
        own = f"docharness.kinds.{kind.name.value}"
        assert module == own or module.startswith(f"{own}."), module
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


def test_a_block_gets_the_evaluator_of_its_kind() -> None:
    (block,) = parse_page(Path("page.md"), '```yaml title="c.yaml"\nservices: {}\n```\n')
    assert evaluator_for(block) is compose_check.evaluate


def test_the_declarations_load_no_runner() -> None:
    """The site's hooks read the kinds (badges, images, ledger): none of that may load pexpect,
    the docker SDK or pytest, which only the evaluators need."""
    code = (
        "import sys, docharness.kinds, docharness.images, docharness.ledger\n"
        "print(sorted(m for m in ('pexpect', 'docker', 'pytest') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
