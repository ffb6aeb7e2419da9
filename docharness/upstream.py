"""``make test-upstream``: the pages in own mode, and what differed kept for the site.

On the GitHub runner (``DOCS_DOCKER=own`` already set) the pages run against the runner's
Docker and the real registries: what a reader's machine prints. Elsewhere they run in own
mode against the lab's first daemon, with the lab engine's CLI, its login and no internet, so
that every CI run goes through the same path (the lab's images print what the pages show, so
that run usually keeps nothing). Each block that failed is kept in ``report/upstream.json``
(``contracts.upstream``) with the fingerprint of its text; ``hooks/upstream.py`` folds it
under the block. A difference is data here, not a failure: the command fails only when the
pages could not be run at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from contracts import lab_state
from contracts.layout import ROOT
from contracts.report import Report, Status, read_report, report_folder
from contracts.upstream import (
    UPSTREAM_NAME,
    Upstream,
    UpstreamBlock,
    block_fingerprint,
    write_upstream,
)
from docharness.fences import find_fences

RUN_NAME = "upstream-run.json"  # the run's own report, beside the test report


class UpstreamRunError(Exception):
    """The pages could not be run in own mode: no lab to stand in, or no report written."""


def own_environment(root: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The environment of the run: ``env`` itself in own mode; else own mode on the lab's
    first daemon, as a reader's Docker that happens to be the lab's."""
    if env.get("DOCS_DOCKER") == "own":
        return dict(env)
    lab = lab_state.read(lab_state.state_file(root, env))
    if lab is None or not lab.daemons:
        raise UpstreamRunError(
            "no lab to run on: start it with `make lab` (or set DOCS_DOCKER=own)"
        )
    own = {k: v for k, v in env.items() if k != "DOCS_DOCKER_HOST"}
    own.update(DOCS_DOCKER="own", DOCKER_HOST=lab.daemons[0], DOCS_DOCKER_ONLINE="0")
    if lab.cli is not None:
        own["DOCS_DOCKER_CLI"] = f"{lab.cli.bin}:{lab.cli.plugins}"
    if lab.login is not None:
        own.update(DOCS_DOCKER_USERNAME=lab.login.username, DOCS_DOCKER_PASSWORD=lab.login.password)
    return own


def differences(report: Report, root: Path) -> list[UpstreamBlock]:
    """The report's failed blocks, each with the fingerprint of its text as the page has it."""
    kept: list[UpstreamBlock] = []
    texts: dict[str, dict[int, str]] = {}
    for block in report["blocks"]:
        if block["status"] != Status.FAILED or block["kind"] == "page":
            continue
        page = block["page"]
        if page not in texts:
            path = root / page
            fences = find_fences(path, path.read_text(encoding="utf-8"))
            texts[page] = {f.line: block_fingerprint(f.info, f.body) for f in fences}
        fingerprint = texts[page].get(block["line"])
        if fingerprint is None:
            continue  # the run's line is no fence's now: the page changed while it ran
        kept.append(
            {
                "page": page,
                "line": block["line"],
                "fingerprint": fingerprint,
                "reason": block["reason"] or "",
                "details": block.get("details"),
            }
        )
    return kept


def run(root: Path, env: Mapping[str, str], pages: list[str]) -> tuple[Path, Upstream]:
    """Run ``pages`` in own mode; write ``report/upstream.json``, its path and content."""
    own = own_environment(root, env)
    folder = report_folder(root, env)
    run_report = folder / RUN_NAME
    run_report.unlink(missing_ok=True)
    # One daemon: one run at a time holds it (docharness.runs), so the pages run serially.
    subprocess.run(
        [sys.executable, "-m", "pytest", *pages, "-q", "-p", "no:xdist", "-p", "no:cacheprovider"],
        env={**own, "DOCHARNESS_REPORT": str(run_report)},
        cwd=root,
    )
    report = read_report(run_report)
    if report is None:
        raise UpstreamRunError(f"the pages' run in own mode wrote no report ({run_report})")
    upstream: Upstream = {
        "created": report["created"],
        "docker": report["docker"],
        "blocks": differences(report, root),
    }
    path = folder / UPSTREAM_NAME
    write_upstream(upstream, path)
    return path, upstream


def main(argv: list[str]) -> int:
    """``python -m docharness.upstream [PAGES...]`` (default: every page under docs/)."""
    try:
        path, upstream = run(ROOT, os.environ, argv or ["docs"])
    except (UpstreamRunError, lab_state.LabStateError) as error:
        print(f"test-upstream: {error}", file=sys.stderr)
        return 1
    server = upstream["docker"]["server"]
    count = len(upstream["blocks"])
    print(f"test-upstream: {count} block(s) differ from the pages on Docker {server} ({path})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
