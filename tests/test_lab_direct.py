"""Stand-ins built straight from mmdebstrap (lab/direct.py): what a Dockerfile becomes, what a
failure names, and the build keys of such recipes. The images themselves are checked by the
pages that use them (docs/run-nodejs.md, run-python.md, run-mysql.md)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from lab import build, ca, direct, imagecache

BASES = tuple(base.arg for base in build.BASES)


def _recipe(tmp_path: Path, dockerfile: str, slug: str = "demo") -> build.Recipe:
    folder = tmp_path / "recipes" / slug
    folder.mkdir(parents=True)
    (folder / "Dockerfile").write_text(dockerfile)
    (folder / "tags").write_text(f"{slug}:1\n")
    return build.Recipe(slug, folder)


def test_the_node_recipe_becomes_its_steps_and_config(tmp_path: Path) -> None:
    node = next(r for r in build.recipes() if r.slug == "node")
    assert node.direct
    # A copy, with the trust bundle a build writes beside the Dockerfile (git ignores it, and a
    # clone whose images all came from the machine cache has none).
    folder = tmp_path / "node"
    shutil.copytree(node.folder, folder)
    (folder / "trust-bundle.crt").write_text("-----BEGIN CERTIFICATE-----\n")
    plan = direct.parse(folder, {"PIP_PROXY": "http://proxy"}, BASES)
    assert plan.base_arg == "BASE_SID"
    assert [(s.kind, s.target) for s in plan.steps] == [
        ("RUN", ""),
        ("COPY", "/usr/local/share/ca-certificates/host.crt"),
        ("RUN", ""),
        ("COPY", "/usr/local/bin/docker-entrypoint.sh"),
    ]
    # The user comes first, then the packages: the order of the Dockerfile, as docker runs it.
    first = plan.steps[0].script
    assert first.index("useradd --uid 1000") < first.index("apt-get install")
    assert plan.env == {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "NODE_EXTRA_CA_CERTS": "/usr/local/share/ca-certificates/host.crt",
    }
    assert plan.config == {"Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["node"]}
    assert plan.labels["lab.stand-in.upstream"] == "docker.io/library/node:24"


def test_run_sees_env_and_declared_build_arguments_and_the_workdir(tmp_path: Path) -> None:
    recipe = _recipe(
        tmp_path,
        "# lab-build=mmdebstrap\nARG BASE=lab/base:bookworm\nFROM ${BASE}\n"
        'ENV A=1 B="two words"\nENV PATH=/opt/$A:/bin\nARG PIP_PROXY\nWORKDIR /srv\n'
        "RUN echo \\\n    $A\nEXPOSE 80 53/udp\nVOLUME /data\nSTOPSIGNAL SIGQUIT\n"
        "CMD run me\n",
    )
    plan = direct.parse(recipe.folder, {"PIP_PROXY": "http://p", "UNDECLARED": "x"}, BASES)
    run = plan.steps[-1]
    assert (run.kind, run.script, run.workdir) == ("RUN", "echo     $A", "/srv")
    assert "PIP_PROXY=http://p" in run.env and "B=two words" in run.env
    assert not any(pair.startswith("UNDECLARED=") for pair in run.env)
    assert plan.env == {"A": "1", "B": "two words", "PATH": "/opt/1:/bin"}
    assert plan.config == {
        "WorkingDir": "/srv",
        "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
        "Volumes": {"/data": {}},
        "StopSignal": "SIGQUIT",
        "Cmd": ["/bin/sh", "-c", "run me"],
    }


@pytest.mark.parametrize(
    ("lines", "line", "said"),
    [
        ("FROM scratch\n", 2, "FROM scratch"),
        ("FROM ${BASE}\nADD x /\n", 3, "ADD is not understood"),
        ("FROM ${BASE}\nCOPY missing /\n", 3, "COPY: no file"),
        ("FROM ${BASE}\nCOPY --from=x /a /b\n", 3, "files of the recipe only"),
        ("FROM ${BASE}\nFROM ${BASE}\n", 3, "starts once"),
    ],
)
def test_what_it_cannot_follow_names_the_line(
    tmp_path: Path, lines: str, line: int, said: str
) -> None:
    recipe = _recipe(tmp_path, "# lab-build=mmdebstrap\n" + lines)
    with pytest.raises(direct.DirectError, match=rf"Dockerfile:{line}: .*{said}"):
        direct.parse(recipe.folder, {}, BASES)


def test_a_failed_step_is_named_with_apts_reason() -> None:
    log = (
        "I: running apt-get update...\nlab-step: Dockerfile:5 RUN\nW: Some index files failed\n"
        "lab-step: Dockerfile:16 RUN\n+ apt-get install -y nodejss\nReading package lists...\n"
        "E: Unable to locate package nodejss\nE: hook failed\n"
    )
    assert direct.failed_step(log) == "step Dockerfile:16 RUN: E: Unable to locate package nodejss"
    own = "lab-step: Dockerfile:9 RUN\n+ test 3.13 = 3.14\nE: hook 'sh steps.sh' failed\n"
    assert direct.failed_step(own) == "step Dockerfile:9 RUN: + test 3.13 = 3.14"


def test_a_kept_image_restores_under_each_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imagecache, "POOL", tmp_path / "cache/blobs")
    monkeypatch.setattr(imagecache, "ENTRIES", tmp_path / "cache/entries")
    layer = tmp_path / "layer.gz"
    layer.write_bytes(b"a layer")
    layer_digest = imagecache.keep_blob(layer)
    assert layer_digest == "sha256:" + hashlib.sha256(b"a layer").hexdigest()
    config = imagecache.keep_bytes(b"{}")
    manifest = imagecache.keep_bytes(json.dumps({"layers": [layer_digest]}).encode())
    tags = [("library/node", "24"), ("library/node", "lts")]
    imagecache.keep("node", "k1", "Node", tags, manifest, (config, layer_digest))
    entry = imagecache.find("node", "k1")
    assert entry is not None and entry.description == "Node"
    storage = tmp_path / "registry"
    imagecache.restore(entry, storage)
    repo = storage / "docker/registry/v2/repositories/library/node"
    for tag in ("24", "lts"):
        assert (repo / f"_manifests/tags/{tag}/current/link").read_text() == manifest
    assert (repo / "_layers/sha256" / layer_digest.removeprefix("sha256:") / "link").exists()


def test_direct_keys_follow_the_base_suite_not_its_tar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "CACHE", tmp_path)
    bundle = tmp_path / "trust-bundle.crt"
    bundle.write_text("CA one\n")
    monkeypatch.setattr(ca, "TRUST_BUNDLE", bundle)
    for base in build.BASES:
        base.content_file.parent.mkdir(parents=True, exist_ok=True)
        base.content_file.write_text("one\n")
    node = next(r for r in build.recipes() if r.slug == "node")
    before = node.digest()
    # Its tree is made by its own mmdebstrap: a remade sid base tar is not what it reads.
    for base in build.BASES:
        base.content_file.write_text("two\n")
    assert node.digest() == before
    other = (build.Base("BASE", "bookworm"), build.Base("BASE_SID", "sid", ("--aptopt=X",)))
    monkeypatch.setattr(build, "BASES", other)
    options = node.digest()
    assert options != before  # the base's mmdebstrap options are what it reads
    monkeypatch.setattr(direct, "LAYOUT", "another")
    assert node.digest() != options  # and how a direct build is made


needs_mmdebstrap = pytest.mark.skipif(
    shutil.which("mmdebstrap") is None, reason="mmdebstrap is not installed (make deps)"
)


@needs_mmdebstrap
def test_a_failing_image_names_itself_its_step_and_apts_reason_and_the_others_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "CACHE", tmp_path)
    monkeypatch.setattr(build, "STAMPS", tmp_path / "stamps")
    monkeypatch.setattr(imagecache, "POOL", tmp_path / "cache/blobs")
    monkeypatch.setattr(imagecache, "ENTRIES", tmp_path / "cache/entries")
    bundle = tmp_path / "trust-bundle.crt"
    bundle.write_text("CA\n")
    monkeypatch.setattr(ca, "TRUST_BUNDLE", bundle)
    head = "# lab-build=mmdebstrap\nARG BASE\nFROM ${BASE}\n"
    broken = _recipe(
        tmp_path,
        head + "RUN true\nRUN apt-get update && apt-get install -y docker-commands-ko-none\n",
        "broken",
    )
    fine = _recipe(tmp_path, head + 'LABEL org.opencontainers.image.description="ok"\n', "fine")
    failures = build._direct_builds([broken, fine])
    assert len(failures) == 1
    assert failures[0].startswith("lab: image 'broken' failed to build: step ")
    assert "Dockerfile:5 RUN: E: Unable to locate package docker-commands-ko-none" in failures[0]
    kept = imagecache.find("fine", fine.digest())
    assert kept is not None and kept.description == "ok"
    assert imagecache.find("broken", broken.digest()) is None
