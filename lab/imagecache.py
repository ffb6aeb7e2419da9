"""Built stand-in images kept machine-wide, so a fresh clone on a used machine starts warm.

A recipe's image is kept as what the registry stores for its tags: the blobs (manifests, configs,
layers) in one pool shared by every entry, and an entry naming, per tag, the manifest and the
blobs it needs. Restoring an entry into a checkout's registry storage copies the blobs and
writes the registry's link files, which takes no daemon and no build. Copies, not hard links:
a linked blob is one file for the machine cache and every checkout, so one write into it (by
a page's container that reached a registry folder, say) would change that image for them all.
``intact`` tells whether a checkout's copy still is what the entry names. Entries are named by
the recipe's build key (``lab.build.Recipe.digest``), which covers everything the build reads,
so an entry is never stale: a changed recipe is a new key.

The layout of the registry's storage (``docker/registry/v2``) is distribution's filesystem driver:
``blobs/sha256/<2>/<hex>/data``, and per repository ``_layers``/``_manifests`` link files that
hold ``sha256:<hex>``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lab.paths import CACHE

IMAGES = CACHE / "images"
POOL = IMAGES / "blobs"
ENTRIES = IMAGES / "entries"
# Media types whose blob lists other manifests (a multi-platform image, an OCI index).
INDEX_TYPES = (
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)


class CacheError(Exception):
    """The registry storage lacks what an export needs: the message names the image and blob."""


@dataclass(frozen=True)
class Tagged:
    """One tag of a kept image: its repository (``library/debian``), tag and manifest digest."""

    repository: str
    tag: str
    manifest: str  # sha256:<hex>
    manifests: tuple[str, ...]  # the manifest and, for an index, the manifests it lists
    layers: tuple[str, ...]  # configs and layers: what the repository's _layers links name


@dataclass(frozen=True)
class Entry:
    """A recipe's image as kept: its tags and the description ``docker search`` shows."""

    slug: str
    key: str
    description: str
    tags: tuple[Tagged, ...]


def _v2(storage: Path) -> Path:
    return storage / "docker" / "registry" / "v2"


def _blob(storage: Path, digest: str) -> Path:
    hexa = digest.removeprefix("sha256:")
    return _v2(storage) / "blobs" / "sha256" / hexa[:2] / hexa / "data"


def _entry_file(slug: str, key: str) -> Path:
    return ENTRIES / f"{slug}-{key}.json"


def _link(path: Path, digest: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(digest)


def _place(source: Path, target: Path, repair: bool = False) -> None:
    """``target`` becomes a copy of ``source`` unless it exists; with ``repair`` also when its
    content differs (``_same``) or it is a hard link (an older lab's), shared with the pool.
    The pool is never repaired from a checkout."""
    if target.exists() and (not repair or (_same(source, target) and _own(target))):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with _partial(target) as partial:
        shutil.copyfile(source, partial)


# Manifests and configs are small: compared byte for byte; layers by size (hashing every layer
# at each `make lab` would cost seconds).
COMPARED_IN_FULL = 1 << 20


def _same(source: Path, target: Path) -> bool:
    size = source.stat().st_size
    if target.stat().st_size != size:
        return False
    return size > COMPARED_IN_FULL or source.read_bytes() == target.read_bytes()


def _own(path: Path) -> bool:
    """Not a hard link: no write into ``path`` reaches another name."""
    return path.stat().st_nlink == 1


def _has(storage: Path, digest: str) -> bool:
    """Whether ``storage`` holds the blob ``digest`` as the pool has it (``_same``), in a file
    of its own."""
    path = _blob(storage, digest)
    pooled = POOL / digest.removeprefix("sha256:")
    return path.is_file() and pooled.is_file() and _same(pooled, path) and _own(path)


def unshare(storage: Path) -> int:
    """Make every blob of ``storage`` that is a hard link (an older lab's, to the pool) a copy
    of its own, those no entry names included; return how many."""
    count = 0
    for path in (_v2(storage) / "blobs").rglob("data"):
        if not _own(path):
            with _partial(path) as partial:
                shutil.copyfile(path, partial)
            count += 1
    return count


def intact(entry: Entry, storage: Path) -> list[str]:
    """What of ``entry``'s image differs in ``storage`` (empty: all as kept), one line each:
    a tag that names another manifest, a blob missing, changed or hard-linked."""
    changed = []
    for tagged in entry.tags:
        name = f"{tagged.repository}:{tagged.tag}"
        current = _tag_folder(storage, tagged.repository, tagged.tag) / "current" / "link"
        found = current.read_text().strip() if current.is_file() else "no manifest"
        if found != tagged.manifest:
            changed.append(f"{name} names {found}, not {tagged.manifest}")
        changed += [
            f"{name}: blob {blob} missing, changed or shared with the machine cache"
            for blob in (*tagged.manifests, *tagged.layers)
            if not _has(storage, blob)
        ]
    return changed


@contextmanager
def _partial(target: Path) -> Iterator[Path]:
    """A private name beside ``target`` to fill; it becomes ``target`` whole, at once, so a
    reader never sees half a file. Private to the process and the thread: images building
    side by side may keep the same base layer at the same moment."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        yield partial
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _walk(storage: Path, digest: str, where: str) -> tuple[list[str], list[str]]:
    """The manifests and the layer blobs a manifest digest needs, read from ``storage``."""
    path = _blob(storage, digest)
    if not path.is_file():
        raise CacheError(f"{where}: manifest {digest} is not in {_v2(storage)}")
    manifest = json.loads(path.read_bytes())
    if manifest.get("mediaType") in INDEX_TYPES or "manifests" in manifest:
        manifests, layers = [digest], []
        for child in manifest["manifests"]:
            more_manifests, more_layers = _walk(storage, child["digest"], where)
            manifests += more_manifests
            layers += more_layers
        return manifests, layers
    layers = [manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])]
    return [digest], layers


def _tag_folder(storage: Path, repository: str, tag: str) -> Path:
    return _v2(storage) / "repositories" / repository / "_manifests" / "tags" / tag


def export(
    storage: Path, slug: str, key: str, description: str, tags: list[tuple[str, str]]
) -> Entry:
    """Keep the image just pushed to ``storage`` under ``tags`` ((repository, tag) pairs)."""
    kept = []
    for repository, tag in tags:
        where = f"image '{slug}' {repository}:{tag}"
        current = _tag_folder(storage, repository, tag) / "current" / "link"
        if not current.is_file():
            raise CacheError(f"{where}: no tag link {current}")
        digest = current.read_text().strip()
        manifests, layers = _walk(storage, digest, where)
        for blob in (*manifests, *layers):
            _place(_blob(storage, blob), POOL / blob.removeprefix("sha256:"))
        kept.append(Tagged(repository, tag, digest, tuple(manifests), tuple(layers)))
    entry = Entry(slug, key, description, tuple(kept))
    _write(entry)
    return entry


def _write(entry: Entry) -> None:
    ENTRIES.mkdir(parents=True, exist_ok=True)
    data = {
        "slug": entry.slug,
        "key": entry.key,
        "description": entry.description,
        "tags": [
            {
                "repository": t.repository,
                "tag": t.tag,
                "manifest": t.manifest,
                "manifests": list(t.manifests),
                "layers": list(t.layers),
            }
            for t in entry.tags
        ],
    }
    # written last and whole: an entry exists only with all its blobs
    with _partial(_entry_file(entry.slug, entry.key)) as partial:
        partial.write_text(json.dumps(data, indent=1) + "\n")


def find(slug: str, key: str) -> Entry | None:
    """The kept image of a recipe's build key, if every blob it names is in the pool."""
    path = _entry_file(slug, key)
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    entry = Entry(
        data["slug"],
        data["key"],
        data["description"],
        tuple(
            Tagged(
                t["repository"], t["tag"], t["manifest"], tuple(t["manifests"]), tuple(t["layers"])
            )
            for t in data["tags"]
        ),
    )
    blobs = {b for t in entry.tags for b in (*t.manifests, *t.layers)}
    if not all((POOL / b.removeprefix("sha256:")).is_file() for b in blobs):
        return None
    return entry


def restore(entry: Entry, storage: Path) -> None:
    """Put ``entry``'s image into ``storage`` as a push of its tags would have."""
    for tagged in entry.tags:
        for blob in (*tagged.manifests, *tagged.layers):
            _place(POOL / blob.removeprefix("sha256:"), _blob(storage, blob), repair=True)
        repo = _v2(storage) / "repositories" / tagged.repository
        for blob in tagged.layers:
            _link(repo / "_layers" / "sha256" / blob.removeprefix("sha256:") / "link", blob)
        for blob in tagged.manifests:
            revision = repo / "_manifests" / "revisions" / "sha256"
            _link(revision / blob.removeprefix("sha256:") / "link", blob)
        folder = _tag_folder(storage, tagged.repository, tagged.tag)
        hexa = tagged.manifest.removeprefix("sha256:")
        _link(folder / "index" / "sha256" / hexa / "link", tagged.manifest)
        _link(folder / "current" / "link", tagged.manifest)  # last: the tag now resolves


def keep_blob(path: Path) -> str:
    """Move the file ``path`` into the pool under its digest; return ``sha256:<hex>``."""
    sha = hashlib.sha256()
    with path.open("rb") as blob:
        while chunk := blob.read(1 << 20):
            sha.update(chunk)
    target = POOL / sha.hexdigest()
    target.parent.mkdir(parents=True, exist_ok=True)
    path.replace(target)  # whole, at once: a reader never sees half a blob
    return f"sha256:{sha.hexdigest()}"


def keep_bytes(data: bytes) -> str:
    """Keep ``data`` (a manifest, a config) in the pool; return its digest."""
    digest = hashlib.sha256(data).hexdigest()
    POOL.mkdir(parents=True, exist_ok=True)
    with _partial(POOL / digest) as partial:
        partial.write_bytes(data)
    return f"sha256:{digest}"


def keep(
    slug: str,
    key: str,
    description: str,
    tags: list[tuple[str, str]],
    manifest: str,
    layers: tuple[str, ...],
) -> Entry:
    """Keep an image built outside a registry, its blobs already in the pool: ``manifest``
    (one image, no index) with ``layers`` (its config and layers) under each of ``tags``."""
    kept = tuple(Tagged(repo, tag, manifest, (manifest,), layers) for repo, tag in tags)
    entry = Entry(slug, key, description, kept)
    _write(entry)
    return entry
