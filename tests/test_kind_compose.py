"""The Compose-file kind: which fences it takes, the file name it needs, its images, its badge.

Running it (the file written where the page's shell stands, `docker compose config -q`) is
tests/integration/pages/right_compose.md and wrong_compose.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_test_badges import render

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks"))
import test_badges  # noqa: E402

from docharness.fences import parse_page  # noqa: E402
from docharness.images import page_images  # noqa: E402
from docharness.kinds import classify  # noqa: E402
from docharness.kinds.compose import NAME, run, target  # noqa: E402
from docharness.model import HarnessError  # noqa: E402
from docharness.plugin.collection import evaluator_for  # noqa: E402

PAGE = "docs/sample.md"
SOURCE = """\
# 블로그

```yaml title="blog/compose.yaml"
services:
  db:
    image: "mysql:9.7"
  web:
    image: docker.io/library/wordpress  # the blog
```

레지스트리 설정은 Compose 파일이 아닙니다.

```yaml title="config.yml"
version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/registry
```
"""


@pytest.mark.parametrize(
    ("info", "source", "expected"),
    [
        ('yaml title="compose.yaml"', "services:\n  web:\n    image: nginx\n", NAME),
        ("yml title='c.yml'", "# the blog\nservices:  # two\n", NAME),
        ('yaml title="c.yaml"', "services: {web: {image: nginx}}\n", NAME),
        ("yaml", "services:\n  web:\n    image: nginx\n", None),  # no file name: shown only
        ('yaml title="config.yml"', "version: 0.1\nstorage:\n  services:\n", None),
        ('yaml title="c.yaml"', "services_old:\n", None),
    ],
)
def test_a_compose_file_is_a_titled_yaml_fence_with_top_level_services(
    info: str, source: str, expected: str | None
) -> None:
    found = classify(info.split()[0], source, info)
    assert (found.name if found else None) == expected


def test_a_compose_block_gets_its_own_evaluator() -> None:
    (block,) = parse_page(Path("page.md"), '```yaml title="c.yaml"\nservices: {}\n```\n')
    assert evaluator_for(block) is run.evaluate


def test_a_yaml_fence_with_top_level_services_is_a_compose_block() -> None:
    blocks = parse_page(Path(PAGE), SOURCE)
    assert [(b.line, b.kind, b.language) for b in blocks] == [(3, NAME, "yaml")]
    assert str(target(blocks[0])) == "blog/compose.yaml"


def test_an_untitled_compose_file_is_shown_not_run() -> None:
    """Without a file name to save it under, a Compose file is an illustration: no block."""
    assert parse_page(Path("page.md"), "```yaml\nservices:\n  web:\n    image: nginx\n```\n") == []


@pytest.mark.parametrize(
    ("info", "message"),
    [
        ('yaml title="/etc/compose.yaml"', r"page.md:1: /etc/compose.yaml: name a file inside"),
        ("yaml title='../compose.yaml'", r"page.md:1: ../compose.yaml: name a file inside"),
    ],
)
def test_a_compose_block_named_outside_the_page_folder_fails_at_its_fence(
    info: str, message: str
) -> None:
    with pytest.raises(HarnessError, match=message):
        parse_page(Path("page.md"), f"```{info}\nservices:\n  web:\n    image: nginx\n```\n")


def test_the_images_of_a_compose_file_are_the_pages() -> None:
    uses = page_images(Path(PAGE), SOURCE)
    assert [(u.reference, u.line) for u in uses] == [("mysql:9.7", 6), ("wordpress:latest", 8)]
    with pytest.raises(HarnessError, match=r"page.md:4: cannot tell which image '\$\{TAG\}'"):
        page_images(
            Path("page.md"), '```yaml title="c.yaml"\nservices:\n  w:\n    image: ${TAG}\n```\n'
        )


def _report(tmp_path: Path, status: str) -> Path:
    path = tmp_path / "report.json"
    block = {"page": PAGE, "line": 3, "language": "yaml", "kind": "compose", "status": status,
             "reason": None, "details": None, "duration": 0.1}  # fmt: skip
    docker = {"client": "28.2.2", "server": "28.2.2"}
    report = {"created": "2025-11-27T10:00:00", "complete": True, "mode": "lab",
              "docker": docker, "blocks": [block], "pages": {}}  # fmt: skip
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def test_the_compose_block_gets_its_own_badge_and_other_yaml_none(tmp_path: Path) -> None:
    results = test_badges.load_report(_report(tmp_path, "passed"))
    page_html = test_badges.badged(render(SOURCE), SOURCE, PAGE, results)
    assert page_html.count('class="test-badge ') == 1
    assert 'class="test-badge test-badge--compose"' in page_html
    assert "✓ Compose 파일 확인 · 도커 클라이언트 28.2 · 2025-11-27" in page_html
    assert page_html.index("test-badge") < page_html.index("mysql") < page_html.index("config.yml")
