"""Each tag's stand-in reports the program version its facts.toml says (issue 21).

The version command runs in the lab's real image; when Debian moves a package to a new upstream
version, or a tag is given to another recipe, the test names the tag and both versions.
"""

from __future__ import annotations

import pytest

from lab.facts import Facts, load_all, version_mismatch
from tests.lab.conftest import Docker

pytestmark = pytest.mark.lab

TAGGED = [(tag, facts) for facts in load_all() if facts.built for tag in facts.tags]


@pytest.mark.parametrize(("tag", "facts"), TAGGED, ids=[tag for tag, _ in TAGGED])
def test_the_stand_in_reports_the_version_its_facts_say(
    docker: Docker, tag: str, facts: Facts
) -> None:
    assert facts.version is not None  # load() refuses a built stand-in without one
    pulled = docker("pull", "-q", tag)
    assert pulled.returncode == 0, pulled.stderr
    program, *args = facts.version.command
    done = docker("run", "--rm", "--entrypoint", program, tag, *args)
    assert done.returncode == 0, f"{tag}: {' '.join(facts.version.command)}: {done.stderr}"
    # Some programs print their version on standard error (nginx -v).
    problem = version_mismatch(tag, facts.version, done.stdout + done.stderr)
    assert problem is None, problem
