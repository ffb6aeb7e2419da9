"""The image stores a Docker daemon can run, as `docker info` shows them.

Shared by the lab, which starts each engine's daemons on one store and checks they run it
(``lab.engines``), and the harness, whose `<!-- test: store classic -->` directive names one
(``docharness.engines``). ``classic`` is a graph driver such as overlay2; ``containerd`` is the
containerd image store (daemon.json's "containerd-snapshotter" feature), Engine 29's default.
"""

from __future__ import annotations

STORES = ("classic", "containerd")
# `docker info`'s DriverStatus names it when the containerd image store runs.
CONTAINERD_DRIVER_TYPE = "io.containerd.snapshotter.v1"


def image_store(driver_status: list[list[str]]) -> str:
    """The store a daemon runs, from `docker info`'s DriverStatus (pairs of key and value)."""
    types = [value for key, value in driver_status if key == "driver-type"]
    return "containerd" if CONTAINERD_DRIVER_TYPE in types else "classic"
