"""Known causes of a failing command, said in plain words beside the diff.

A diff shows what differs; for a few failures that come from the machine rather than the page
(a host port held by another program, a container left from an earlier run) it also helps to
say what to do. A cause the page itself shows is an example, not a problem: it is not named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_CAUSES = [
    (
        re.compile(r"address already in use|port is already allocated"),
        "a host port this command publishes is held by another program "
        "(see `ss -ltnp`); free it and run again",
    ),
    (
        re.compile(r"Cannot connect to the Docker daemon at (\S+?)\.? Is the docker daemon"),
        "the Docker daemon at {0} does not answer (it may have crashed); "
        "`make lab` restarts it and removes what the page left",
    ),
    (
        re.compile(r'The container name "/([^"]+)" is already in use'),
        "a container named {0} is left from an earlier run; remove it with `docker rm -f {0}`",
    ),
]


def causes(actual: Sequence[str], shown: Sequence[str]) -> list[str]:
    """What the real output says went wrong, unless the page shows the same message."""
    real, page = "\n".join(actual), "\n".join(shown)
    found = []
    for pattern, advice in _CAUSES:
        hit = pattern.search(real)
        if hit is not None and pattern.search(page) is None:
            found.append(advice.format(*hit.groups()))
    return found
