"""Unit tests of hooks/term_list.py, hooks/git_dates.py and hooks/template_cache.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import Environment, FileSystemLoader

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "hooks"))
import git_dates  # noqa: E402
import template_cache  # noqa: E402
import term_list  # noqa: E402

GLOSSARY = """# 용어집

| 한국어 표기 | 영어 | 뜻 | 쓰지 않는 표기 |
|---|---|---|---|
| 이미지 | image | 읽기 전용 레이어의 묶음 | 이메지 |
| 태그 | tag | 버전 이름 (`5.7`) | 테그 |

## 문체
"""


def test_the_term_list_takes_three_columns_of_the_glossary(tmp_path: Path) -> None:
    (tmp_path / "glossary.md").write_text(GLOSSARY, encoding="utf-8")
    page = "# 용어\n\n<!-- terms: glossary.md -->\n\n끝\n"
    out = term_list.with_terms(page, tmp_path)
    assert "| 이미지 | image | 읽기 전용 레이어의 묶음 |" in out
    assert "| 태그 | tag | 버전 이름 (`5.7`) |" in out
    assert "이메지" not in out and "<!--" not in out


def test_a_glossary_without_a_table_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "glossary.md").write_text("# 용어집\n\n없음\n", encoding="utf-8")
    with pytest.raises(ValueError, match="glossary.md: no glossary table"):
        term_list.with_terms("<!-- terms: glossary.md -->\n", tmp_path)


def test_git_dates_are_the_last_commit_of_each_file(tmp_path: Path) -> None:
    def git(*args: str, date: str = "2026-01-01T12:00:00") -> None:
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin"}
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("config", "user.email", "a@example.org")
    git("config", "user.name", "a")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("a")
    (tmp_path / "docs" / "b.md").write_text("b")
    git("add", ".")
    git("commit", "-qm", "first", date="2026-01-01T12:00:00")
    (tmp_path / "docs" / "b.md").write_text("b2")
    git("commit", "-qam", "second", date="2026-03-05T12:00:00")
    assert git_dates.last_changed(tmp_path, "docs") == {
        "docs/a.md": "2026-01-01",
        "docs/b.md": "2026-03-05",
    }


def test_no_git_means_no_dates(tmp_path: Path) -> None:
    assert git_dates.last_changed(tmp_path, "docs") == {}


def test_compiled_templates_are_kept_and_a_changed_one_is_compiled_again(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("one {{ 1 + 1 }}")
    config = SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"))

    def render() -> str:
        env = template_cache.on_env(Environment(loader=FileSystemLoader(templates)), config)
        return env.get_template("page.html").render()

    assert render() == "one 2"
    assert len(list((tmp_path / ".cache" / "jinja").iterdir())) == 1
    (templates / "page.html").write_text("two {{ 2 + 2 }}")
    assert render() == "two 4"


def test_git_dates_with_a_relative_config_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mkdocs build -f mkdocs.yml` gives the hooks a relative config path."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path)
    config = SimpleNamespace(config_file_path="mkdocs.yml", docs_dir=str(tmp_path / "docs"))
    assert git_dates.on_config(config) is config
