"""The machine cache of built images: what an export keeps, what a restore writes, and the
build keys that decide when checkouts share an image. No daemon: the registry's storage layout is
written by hand here; tests/lab_lifecycle pulls restored images from a real lab."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lab import build, ca, imagecache


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _put_blob(storage: Path, data: bytes) -> str:
    digest = _digest(data)
    hexa = digest.removeprefix("sha256:")
    path = storage / "docker/registry/v2/blobs/sha256" / hexa[:2] / hexa / "data"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return digest


def _push(storage: Path, repository: str, tag: str) -> tuple[str, list[str]]:
    """What a push of a one-layer image leaves in ``storage``: its manifest digest and blobs."""
    config = _put_blob(storage, b'{"architecture": "amd64"}')
    layer = _put_blob(storage, b"layer of " + tag.encode())
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": config},
            "layers": [{"digest": layer}],
        }
    ).encode()
    digest = _put_blob(storage, manifest)
    current = storage / "docker/registry/v2/repositories" / repository
    link = current / "_manifests/tags" / tag / "current/link"
    link.parent.mkdir(parents=True)
    link.write_text(digest)
    return digest, [digest, config, layer]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(imagecache, "POOL", tmp_path / "cache/blobs")
    monkeypatch.setattr(imagecache, "ENTRIES", tmp_path / "cache/entries")
    return tmp_path / "cache"


def test_an_exported_image_restores_as_a_push_would_have_left_it(
    tmp_path: Path, cache: Path
) -> None:
    pushed = tmp_path / "pushed"
    digest, blobs = _push(pushed, "library/debian", "latest")
    imagecache.export(pushed, "debian", "k1", "Debian", [("library/debian", "latest")])
    entry = imagecache.find("debian", "k1")
    assert entry is not None and entry.description == "Debian"
    fresh = tmp_path / "fresh"
    imagecache.restore(entry, fresh)
    v2 = fresh / "docker/registry/v2"
    repo = v2 / "repositories/library/debian"
    hexa = digest.removeprefix("sha256:")
    assert (repo / "_manifests/tags/latest/current/link").read_text() == digest
    assert (repo / f"_manifests/tags/latest/index/sha256/{hexa}/link").read_text() == digest
    assert (repo / f"_manifests/revisions/sha256/{hexa}/link").read_text() == digest
    for blob in blobs[1:]:
        assert (repo / "_layers/sha256" / blob.removeprefix("sha256:") / "link").exists()
    for blob in blobs:
        b = blob.removeprefix("sha256:")
        restored = v2 / "blobs/sha256" / b[:2] / b / "data"
        assert _digest(restored.read_bytes()) == blob
        # copied, not linked: a write into a checkout's registry never reaches the cache (B6)
        assert restored.stat().st_ino != (cache / "blobs" / b).stat().st_ino


def test_an_index_keeps_the_manifests_it_lists(tmp_path: Path, cache: Path) -> None:
    pushed = tmp_path / "pushed"
    child, blobs = _push(pushed, "library/node", "24")
    index = json.dumps(
        {"mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{"digest": child}]}
    ).encode()
    top = _put_blob(pushed, index)
    (
        pushed / "docker/registry/v2/repositories/library/node/_manifests/tags/24/current/link"
    ).write_text(top)
    entry = imagecache.export(pushed, "node", "k", "", [("library/node", "24")])
    assert entry.tags[0].manifests == (top, child)
    assert entry.tags[0].layers == tuple(blobs[1:])


def test_a_missing_blob_names_the_image_and_an_incomplete_entry_is_not_found(
    tmp_path: Path, cache: Path
) -> None:
    pushed = tmp_path / "pushed"
    _, blobs = _push(pushed, "library/debian", "latest")
    with pytest.raises(imagecache.CacheError, match="image 'debian' library/debian:old"):
        imagecache.export(pushed, "debian", "k", "", [("library/debian", "old")])
    imagecache.export(pushed, "debian", "k", "", [("library/debian", "latest")])
    (cache / "blobs" / blobs[2].removeprefix("sha256:")).unlink()
    assert imagecache.find("debian", "k") is None  # restoring it would leave a layer unknown
    assert imagecache.find("debian", "other-key") is None


@pytest.fixture
def bases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bases' content hashes, as a made base would have them."""
    monkeypatch.setattr(build, "CACHE", tmp_path)
    for base in build.BASES:
        base.content_file.parent.mkdir(parents=True, exist_ok=True)
        base.content_file.write_text(hashlib.sha256(base.suite.encode()).hexdigest())


def _keys() -> dict[str, str]:
    return {recipe.slug: recipe.digest() for recipe in build.recipes()}


def test_build_keys_hold_what_a_build_reads_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bases: None
) -> None:
    bundle = tmp_path / "trust-bundle.crt"
    bundle.write_text("CA one\n")
    monkeypatch.setattr(ca, "TRUST_BUNDLE", bundle)
    before = _keys()
    # Another lab instance: only the pythons, whose pip proxy address is the instance's, change.
    monkeypatch.setattr(build, "PYPI", ("10.213.48.1", 3141))
    after = _keys()
    assert {slug for slug in before if before[slug] != after[slug]} == {"python", "python315"}
    # Another CA: only the recipes that copy the trust bundle change.
    bundle.write_text("CA two\n")
    again = _keys()
    assert {slug for slug in after if after[slug] != again[slug]} == {"node", "python", "python315"}
    # A remade sid base: the recipes docker builds on it change, the bookworm ones do not, nor
    # those mmdebstrap makes whole (tests/test_lab_direct.py).
    sid = next(base for base in build.BASES if base.suite == "sid")
    sid.content_file.write_text("another sid\n")
    remade = _keys()
    changed = {slug for slug in again if again[slug] != remade[slug]}
    on_sid = {r.slug for r in build.recipes() if sid in r.bases() and not r.direct}
    assert changed == on_sid and on_sid and len(on_sid) < len(remade)
