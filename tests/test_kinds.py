"""The block kinds' registry: one entry per kind, each complete, and the only place naming one.

A kind is its folder (or module) under docharness/kinds/ plus its line in ``KINDS``: the
tests below prove the second half by adding a kind from a temporary package, outside the
tree, and watching collection, images, ledger, report and badges take it with no other
change; and that nothing outside docharness/kinds/ imports a kind.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks"))
import test_badges  # noqa: E402
from test_test_badges import render  # noqa: E402

from contracts.layout import ROOT  # noqa: E402
from contracts.report import read_report, write_report  # noqa: E402
from docharness import kinds, ledger  # noqa: E402
from docharness.fences import parse_page  # noqa: E402
from docharness.images import page_images  # noqa: E402
from docharness.kinds import KINDS, classify  # noqa: E402
from docharness.kinds.kind import Kind  # noqa: E402
from docharness.plugin.collection import evaluator_for  # noqa: E402
from docharness.report import build_report, record, summarise  # noqa: E402

KINDS_FOLDER = ROOT / "docharness" / "kinds"
# Where the project's code lives (tests may import the kind they test).
CODE = ("contracts", "docharness", "hooks", "bench", "lab", "tools", ".ci")


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("console", "$ docker ps\n", "transcript"),
        ("shell-session", "/ # ls\n", "transcript"),
        ("shell", "docker image tag SOURCE TARGET\n", "synopsis"),
        ("py", "import docker\n", "python"),
        ("text", "$ docker ps\n", None),
    ],
)
def test_a_fence_is_of_one_kind_or_none(language: str, source: str, expected: str | None) -> None:
    found = classify(language, source)
    assert (found.name if found else None) == expected


def _kind_modules() -> set[str]:
    """The kinds' modules: each module or folder of docharness/kinds/ but the shared kind.py."""
    found = {p.stem for p in KINDS_FOLDER.glob("*.py")} | {
        p.parent.name for p in KINDS_FOLDER.glob("*/__init__.py")
    }
    return {f"docharness.kinds.{name}" for name in found - {"__init__", "kind"}}


def test_every_kind_is_complete_and_in_the_registry() -> None:
    """Every kind folder declares its KIND under its own name, and is in KINDS exactly once;
    its evaluator is its own folder's."""
    modules = {name: importlib.import_module(name) for name in _kind_modules()}
    declared = [module.KIND for module in modules.values()]
    assert sorted(k.name for k in KINDS) == sorted(k.name for k in declared)
    assert len({k.name for k in KINDS}) == len(KINDS)
    for name, module in modules.items():
        entry: Kind = module.KIND
        assert entry in KINDS, f"{name}: its KIND is not in docharness.kinds.KINDS"
        assert name == f"docharness.kinds.{entry.name}" and entry.name == module.NAME
        evaluate = entry.evaluator()
        assert callable(evaluate)
        assert evaluate.__module__.startswith(f"{name}."), evaluate.__module__
        assert entry.badge[0].startswith("✓") and entry.passed_as in kinds.outcomes()
    python = classify("py", "import docker\n")
    assert python is not None and python.languages["py"] == "python"  # the recorded name


def _imported(path: Path) -> set[str]:
    """The modules a file imports, named fully (``from a import b`` gives a and a.b)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def _offenders(paths: list[Path], kind_modules: set[str]) -> list[str]:
    """The imports of a kind's module (or a module inside it) in ``paths``."""
    return [
        f"{path.name}: {name}"
        for path in paths
        for name in sorted(_imported(path))
        if any(name == m or name.startswith(f"{m}.") for m in kind_modules)
    ]


def test_nothing_outside_the_kinds_package_imports_a_kind() -> None:
    """The registry is the only place listing kinds: no code outside docharness/kinds/ imports
    a kind's module (it asks the registry: ``kinds.kind(name)``, ``classify``)."""
    paths = [
        path
        for top in CODE
        for path in sorted((ROOT / top).rglob("*.py"))
        if KINDS_FOLDER not in path.parents
    ]
    assert len(paths) > 50
    assert _offenders(paths, _kind_modules()) == []


def test_the_scan_finds_an_import_of_a_kind(tmp_path: Path) -> None:
    """The test above can fail: a module importing a kind, or a module of its folder, is found;
    the registry and the shared declaration are no kind."""
    path = tmp_path / "leak.py"
    path.write_text(
        "import docharness.kinds\nfrom docharness.kinds.kind import Kind\n"
        "from docharness.kinds.note.run import evaluate\nfrom docharness.kinds import note\n"
    )
    assert _offenders([path], {"docharness.kinds.note"}) == [
        "leak.py: docharness.kinds.note",
        "leak.py: docharness.kinds.note.run",
        "leak.py: docharness.kinds.note.run.evaluate",
    ]


# A kind from a temporary package, as a new kind's folder would be: `ini` fences whose body
# has a `[note]` section, checked by an evaluator in its own run.py.
NOTE_KIND = """
from docharness.image_refs import BlockImages, ImageUse
from docharness.kinds.kind import Kind

NAME = "note"


def _evaluator():
    from notekind import run

    return run.evaluate


def _images(block):
    return BlockImages(uses=[ImageUse("busybox:1.37", block.line + 2)])


def _shown(block):
    yield block.line + 2, "0123456789ab"


KIND = Kind(
    NAME,
    {"ini": "ini"},
    lambda source: source.startswith("[note]"),
    _evaluator,
    ("✓ 노트 확인 · 도커 클라이언트 {client} · {date}", "노트를 확인했습니다"),
    passed_as=NAME,
    images=_images,
    shown=_shown,
)
"""
NOTE_RUN = """
def evaluate(example):
    pass
"""
PAGE = "docs/sample.md"
NOTE_PAGE = """\
# 노트

```ini
[note]
image = busybox:1.37
```

```ini
[other]
```
"""


def test_a_new_kind_is_its_folder_and_its_registry_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kind no file of the tree knows, added by its registry line alone, is collected,
    evaluated by its own evaluator (loaded only then), read for images and ledger values,
    recorded, counted and badged; an `ini` fence it does not accept gets no badge."""
    folder = tmp_path / "notekind"
    folder.mkdir()
    (folder / "__init__.py").write_text(textwrap.dedent(NOTE_KIND), encoding="utf-8")
    (folder / "run.py").write_text(textwrap.dedent(NOTE_RUN), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    note = importlib.import_module("notekind")
    monkeypatch.setattr(kinds, "KINDS", (*KINDS, note.KIND))  # the one registry line

    (block,) = parse_page(ROOT / PAGE, NOTE_PAGE)
    assert (block.line, block.kind, block.language) == (3, "note", "ini")
    assert "notekind.run" not in sys.modules  # declared, not loaded
    assert evaluator_for(block) is sys.modules["notekind.run"].evaluate
    assert [(u.reference, u.line) for u in page_images(Path(PAGE), NOTE_PAGE)] == [
        ("busybox:1.37", 5)
    ]
    assert [(s.line, s.value) for s in ledger.shown([block])] == [(5, "0123456789ab")]

    report = build_report([record(block, "passed", root=ROOT)], docker={}, mode="lab")
    path = tmp_path / "test-report.json"
    write_report(report, path)
    assert read_report(path) == report  # the report's contract takes it, typed
    assert summarise(report["blocks"])[PAGE]["note"] == 1
    results = test_badges.load_report(path)
    page_html = test_badges.badged(render(NOTE_PAGE), NOTE_PAGE, PAGE, results)
    assert page_html.count('class="test-badge ') == 1
    assert 'class="test-badge test-badge--note"' in page_html
    assert "✓ 노트 확인 · 도커 클라이언트 unknown" in page_html
    assert page_html.index("test-badge") < page_html.index("[note]") < page_html.index("[other]")


def test_an_unknown_kind_is_named() -> None:
    with pytest.raises(KeyError, match="no block kind 'note' \\(known: transcript, synopsis"):
        kinds.kind("note")


def test_the_declarations_load_no_runner() -> None:
    """The site's hooks read the kinds (badges, images, ledger): none of that may load pexpect,
    the docker SDK, pytest or a kind's evaluator, which only a block's run needs."""
    code = (
        "import sys, pathlib, importlib\n"
        "sys.path.insert(0, 'hooks')\n"
        "import docharness.kinds, docharness.images, docharness.ledger\n"
        "for p in sorted(pathlib.Path('hooks').glob('*.py')): importlib.import_module(p.stem)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m in ('pexpect', 'docker', 'pytest')"
        " or m.startswith('docharness.kinds.') and m.endswith(('.run', '.runner')))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert json.loads(done.stdout) == []
