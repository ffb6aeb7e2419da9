"""One huge output line: cut in the failure and the report, saved whole (X7, 2026-12-07)."""

from __future__ import annotations

import json

import pytest

PAGE = """\
# 긴 줄

```console
$ head -c 5000000 /dev/zero | tr '\\0' a; echo
x
```
"""


def test_a_huge_line_is_cut_in_the_message_and_the_report_and_saved_whole(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, docker_host: str
) -> None:
    report = pytester.path / "report.json"
    artifacts = pytester.path / "artifacts"
    monkeypatch.setenv("DOCS_DOCKER_HOST", docker_host)
    monkeypatch.setenv("DOCHARNESS_REPORT", str(report))
    monkeypatch.setenv("DOCHARNESS_ARTIFACTS", str(artifacts))
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makeconftest('pytest_plugins = ["docharness.plugin"]')
    page = pytester.path / "long.md"
    page.write_text(PAGE, encoding="utf-8")

    result = pytester.runpytest_subprocess(str(page), "-p", "no:xdist", "-p", "no:cacheprovider")

    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert len(output) < 20_000, len(output)  # it printed all 5,000,000 characters
    assert "long.md:4: output differs from the page" in output
    assert "… (4,999,700 more characters)" in output, output
    [saved] = (artifacts / "outputs").iterdir()
    assert f"full output: {saved.relative_to(pytester.path)}" in output, output  # from the cwd
    assert saved.read_text(encoding="utf-8") == "a" * 5_000_000 + "\n"
    [block] = json.loads(report.read_text(encoding="utf-8"))["blocks"]
    assert block["status"] == "failed" and len(block["details"]) < 2_000, len(block["details"])
