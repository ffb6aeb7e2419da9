"""Before a command that lists containers: let the daemon's list catch up with its containers.

`docker ps` (also `docker container ls` and `docker compose ps`) reads the daemon's in-memory
view of its containers, not the containers. When a container's main process ends, the daemon
first wakes whoever waits for it (`docker attach`, `docker run`, `docker stop`, `docker wait`
return), then writes the new state into that view: moby's ``daemon/monitor.go``,
``handleContainerExit``, calls ``SetStopped`` before ``CheckpointTo``, both under the
container's lock. A reader typing the next command never sees the gap; a harness that runs it
at once can (CI saw `Up Less than a second` right after `exit` in `docker attach`).

Inspecting a container takes that lock, so once every container has been inspected each exit
the daemon has begun handling is in the view: the list shows what a reader would see.
"""

from __future__ import annotations

import re
from typing import Any

import docker.errors

# `docker ps`, `docker container ls|list|ps`, `docker compose [options] ps`, also in a pipeline.
_LISTS_CONTAINERS = re.compile(
    r"\bdocker\s+(?:ps|container\s+(?:ls|list|ps)|compose(?:\s+[^|;&\n]*?)?\s+ps)(?![\w-])"
)


def lists_containers(command: str) -> bool:
    """Whether ``command`` prints the daemon's list of containers."""
    return _LISTS_CONTAINERS.search(command) is not None


def catch_up(api: Any) -> None:
    """Inspect every container of ``api``'s daemon (a ``docker.APIClient``): each inspect waits
    for an exit being handled to reach the list."""
    for container in api.containers(all=True, quiet=True):
        try:
            api.inspect_container(container["Id"])
        except docker.errors.NotFound:
            continue  # removed meanwhile: gone from the list too
