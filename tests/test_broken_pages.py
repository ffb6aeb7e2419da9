"""A page that cannot be parsed fails alone, naming file:line; the other pages still run."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

GOOD = "# 좋은 페이지\n\n```shell\n$ echo hi\nhi\n```\n"
BROKEN = {
    "fence.md": (
        "# 닫히지 않은 블록\n\n```shell\n$ echo hi\n",
        3,
        "unclosed ``` fence opened here",
    ),
    "directive.md": ("<!-- test: skipp 오타 -->\n```shell\n$ true\n```\n", 1, "unknown directive"),
    "timeout.md": (
        "\n<!-- test: timeout inf -->\n```shell\n$ true\n```\n",
        2,
        "timeout must be a positive number of seconds, at most 3600: 'inf'",
    ),
}


def test_broken_pages_fail_alone_and_the_others_run(
    pytester: pytest.Pytester, docker_host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = pytester.path / "report.json"
    monkeypatch.setenv("DOCS_DOCKER_HOST", docker_host)
    monkeypatch.setenv("DOCHARNESS_REPORT", str(report))
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makeconftest('pytest_plugins = ["docharness.plugin"]')
    pages = [pytester.path / "a_good.md", *(pytester.path / name for name in BROKEN)]
    pages[0].write_text(GOOD, encoding="utf-8")
    for name, (text, _, _) in BROKEN.items():
        (pytester.path / name).write_text(text, encoding="utf-8")
    # R23/U5 of the 2026-12-07 red team: a CRLF page was an "unclosed fence" collection
    # error, which interrupted the whole session. It runs now, like its LF twin.
    crlf = pytester.path / "crlf.md"
    crlf.write_bytes(GOOD.replace("\n", "\r\n").encode())
    pages.append(crlf)
    latin = pytester.path / "latin.md"
    latin.write_bytes("# 첫 줄\n\n".encode() + "caf\xe9\n".encode("latin-1"))
    pages.append(latin)

    result = pytester.runpytest_subprocess(*map(str, pages), "-p", "no:xdist")

    result.assert_outcomes(passed=2, failed=4)
    output = result.stdout.str()
    for name, (_, line, message) in BROKEN.items():
        assert f"{pytester.path / name}:{line}: {message}" in output, output
    assert f"{latin}:3: not UTF-8 text (invalid continuation byte at byte" in output, output
    assert "Traceback" not in output and "error during collection" not in output
    blocks = json.loads(report.read_text(encoding="utf-8"))["blocks"]
    failed = {
        (b["page"].rsplit("/", 1)[-1], b["line"], b["kind"])
        for b in blocks
        if b["status"] == "failed"
    }
    assert failed == {
        ("fence.md", 3, "page"),
        ("directive.md", 1, "page"),
        ("timeout.md", 2, "page"),
        ("latin.md", 3, "page"),
    }
    assert [b["status"] for b in blocks if b["page"].endswith("a_good.md")] == ["passed"]
    assert [b["status"] for b in blocks if b["page"].endswith("crlf.md")] == ["passed"]
