"""Page isolation: remove what a page created on the daemon, whatever way the page ended.

A snapshot of the daemon's containers, images (with their tags), volumes, networks and build
cache records is taken before the page's first block; afterwards everything new goes:
containers (forced), volumes, networks, images (forced), build cache records (a later page's
`docker system df` would count them), and tags the page added to images that were already
there (`docker image tag httpd:latest debian-httpd:1.0`). Tags the page removed from an
image that still exists are put back, so the next page finds the daemon as this one did.
"""

from __future__ import annotations

from typing import Any

import docker
from docker.errors import APIError, NotFound

# The run records (contracts.runs) keep it on disk: one type for the page's and the run's.
from contracts.runs import Snapshot as Snapshot

DEFAULT_NETWORKS = {"bridge", "host", "none"}


def client_for(host: str) -> docker.APIClient:
    """A low-level API client: a handful of plain requests, no object wrapping."""
    return docker.APIClient(base_url=host, timeout=120)


def _images(api: docker.APIClient) -> dict[str, frozenset[str]]:
    images: list[dict[str, Any]] = api.images(all=True)
    return {
        image["Id"]: frozenset(t for t in image.get("RepoTags") or () if t != "<none>:<none>")
        for image in images
    }


def build_cache(api: docker.APIClient) -> frozenset[str]:
    """The IDs of the builder's cache records (BuildKit's; none for the legacy builder).

    ``type=build-cache`` spares the daemon sizing every image and volume (API 1.42+; older
    engines ignore it and answer the whole `docker system df`).
    """
    found = api._result(api._get(api._url("/system/df"), params={"type": "build-cache"}), True)
    return frozenset(record["ID"] for record in found.get("BuildCache") or ())


def snapshot(api: docker.APIClient) -> Snapshot:
    """What exists now."""
    return Snapshot(
        containers=frozenset(c["Id"] for c in api.containers(all=True)),
        images=_images(api),
        volumes=frozenset(v["Name"] for v in api.volumes().get("Volumes") or ()),
        networks=frozenset(n["Id"] for n in api.networks()),
        build_cache=build_cache(api),
    )


def restore(api: docker.APIClient, before: Snapshot, removed: list[str] | None = None) -> list[str]:
    """Remove what is new since ``before``; the problems met, one sentence each.

    ``removed``, when given, receives what went (`container 3f1e0a8c2b7d`, `tag web:1.0`).
    """
    problems: list[str] = []

    def attempt(what: str, call: Any, *args: Any, **kwargs: Any) -> None:
        try:
            call(*args, **kwargs)
        except NotFound:
            pass  # already gone (e.g. --rm): nothing to do
        except APIError as error:
            problems.append(f"cannot remove {what}: {error.explanation or error}")
        else:
            if removed is not None:
                removed.append(what)

    for container in api.containers(all=True):
        if container["Id"] not in before.containers:
            attempt(
                f"container {container['Id'][:12]}",
                api.remove_container,
                container["Id"],
                force=True,
                v=True,
            )
    for volume in api.volumes().get("Volumes") or ():
        if volume["Name"] not in before.volumes:
            attempt(f"volume {volume['Name']}", api.remove_volume, volume["Name"], force=True)
    for network in api.networks():
        if network["Id"] not in before.networks and network["Name"] not in DEFAULT_NETWORKS:
            attempt(f"network {network['Name']}", api.remove_network, network["Id"])
    _restore_images(api, before, attempt)
    _restore_build_cache(api, before, problems, removed)
    return problems


def _restore_build_cache(
    api: docker.APIClient, before: Snapshot, problems: list[str], removed: list[str] | None
) -> None:
    """Prune the page's own build cache records, by ID (one per call: the engine takes one
    value per filter): a reader's cache on their own Docker stays.

    The engine skips a record that a newer record still builds on, so the records go in
    rounds until none is left; a round that removes nothing is a problem, never a silent stay.
    """
    left = build_cache(api) - before.build_cache
    while left:
        for record in sorted(left):
            try:
                pruned = api.prune_builds(filters={"id": record}, all=True)
            except APIError as error:
                problems.append(f"cannot remove build cache {record[:12]}: {error.explanation}")
                return
            gone = pruned.get("CachesDeleted") or ()
            if removed is not None:
                removed += [f"build cache {record[:12]}" for record in gone]
        remaining = build_cache(api) - before.build_cache
        if remaining >= left:
            ids = ", ".join(record[:12] for record in sorted(remaining))
            problems.append(f"cannot remove build cache {ids}: the engine keeps it")
            return
        left = remaining


def _restore_images(api: docker.APIClient, before: Snapshot, attempt: Any) -> None:
    now = _images(api)
    for image_id, tags in now.items():
        if image_id in before.images:
            for tag in tags - before.images[image_id]:
                # Untag only: the image itself was there before the page.
                attempt(f"tag {tag}", api.remove_image, tag, noprune=True)
            for tag in before.images[image_id] - tags:
                repository, _, name = tag.rpartition(":")
                attempt(f"tag {tag} (restoring)", api.tag, image_id, repository, name)
    for image_id in removal_order(api.images(all=True), set(now) - set(before.images)):
        attempt(f"image {image_id[7:19]}", api.remove_image, image_id, force=True)


def removal_order(images: list[dict[str, Any]], doomed: set[str]) -> list[str]:
    """``doomed`` image IDs, each child before the parent it was built on.

    Creation times alone do not do: the steps of one build share a second. An image goes
    once no image still to go names it as ``ParentId``; newest first among those.
    """
    parent = {i["Id"]: i.get("ParentId") or "" for i in images}
    created = {i["Id"]: i.get("Created", 0) for i in images}
    left, order = set(doomed), []
    while left:
        parents = {parent.get(image, "") for image in left}
        ready = [image for image in left if image not in parents] or sorted(left)
        ready.sort(key=lambda image: (-created.get(image, 0), image))
        order += ready
        left -= set(ready)
    return order
