"""hooks/lean_code.py drops only the spans that change nothing on screen: Pygments' name spans,
whose colour is the code's own in both of Material's schemes and in ours."""

from __future__ import annotations

import html
import importlib
import re
import sys
from pathlib import Path

import material
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))
lean_code = importlib.import_module("lean_code")

STYLESHEETS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
OURS = ROOT / "docs" / "assets" / "stylesheets"
SOURCE = (
    "import docker\n"
    "client = docker.from_env()\n"
    'box = client.containers.run("debian", detach=True)\n'
)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_name_spans_go_and_the_text_and_other_spans_stay() -> None:
    before = highlight(SOURCE, PythonLexer(), HtmlFormatter())
    after = lean_code.lean(before)
    assert before.count('<span class="n">') >= 5
    assert '<span class="n">' not in after
    assert _text(after) == _text(before)
    for kind in ("kn", "nn", "o", "p", "s2", "kc"):
        assert after.count(f'<span class="{kind}">') == before.count(f'<span class="{kind}">')


def test_a_name_colour_is_the_code_colour_in_every_stylesheet() -> None:
    """If Material or our CSS gave names a colour of their own, the spans would show."""
    sheets = [*STYLESHEETS.glob("*.css"), *OURS.glob("*.css")]
    values = set()
    for sheet in sheets:
        values.update(re.findall(r"--md-code-hl-name-color:\s*([^;}]+)", sheet.read_text()))
    assert values == {"var(--md-code-fg-color)"}
    for sheet in sheets:  # and no rule styles `.n` but the one that sets that colour
        for rule in re.findall(r"([^{}]*\.n\b[^{}]*)\{([^}]*)\}", sheet.read_text()):
            assert rule[1].strip() == "color:var(--md-code-hl-name-color)", (sheet.name, rule)
