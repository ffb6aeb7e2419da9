"""Build the stand-in images and seed them into the lab registry under their upstream names.

Each ``recipes/<slug>/`` holds a Dockerfile and a ``tags`` file, and may list in a ``shared`` file
the files of ``lab/shared/`` it uses (copied into ``_shared/`` of its build context, so two recipes
keep one copy of what they have in common). A recipe is rebuilt only when its files or those shared
files changed (a hash kept beside the registry storage); independent recipes build in parallel on
a builder daemon that is started for the build and stopped after it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, BuildError

from lab import ca, daemons, network, registries
from lab.facts import FACTS
from lab.paths import BUILDER, CATALOGUE, LAB_DIR, MIRROR, PYPI, RECIPES

STAMPS = LAB_DIR / "stamps"
SHARED = RECIPES.parent / "shared"
SHARED_DIR = "_shared"  # in a recipe's build context: the copies, never committed


@dataclass(frozen=True)
class Base:
    """A minbase rootfs made by mmdebstrap, imported as ``lab/base:<suite>``."""

    arg: str  # the build argument a Dockerfile declares to start from it
    suite: str
    # sid's Release file on the mirror is older than its Valid-Until, so apt must not check it.
    options: tuple[str, ...] = ()

    @property
    def image(self) -> str:
        return f"lab/base:{self.suite}"

    @property
    def tar(self) -> Path:
        return LAB_DIR / "base" / f"{self.suite}.tar"


BASES = (
    Base("BASE", "bookworm"),
    Base("BASE_SID", "sid", ('--aptopt=Acquire::Check-Valid-Until "false"',)),
)
# Every recipe gets these; a recipe uses those it declares with ARG (the proxy's address depends
# on the lab's instance number).
BUILD_ARGS = {
    **{base.arg: base.image for base in BASES},
    "PIP_PROXY": f"http://{PYPI[0]}:{PYPI[1]}",
}
PARALLEL = 3


@dataclass(frozen=True)
class Recipe:
    slug: str
    folder: Path

    @property
    def tags(self) -> list[str]:
        lines = (self.folder / "tags").read_text().splitlines()
        return [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    @property
    def shared(self) -> list[Path]:
        """The files of ``lab/shared/`` its ``shared`` file names; a missing one names itself."""
        listing = self.folder / "shared"
        if not listing.exists():
            return []
        lines = [line.strip() for line in listing.read_text().splitlines()]
        files = [SHARED / line for line in lines if line and not line.startswith("#")]
        for path in files:
            if not path.is_file():
                raise FileNotFoundError(f"{listing}: no shared file {path}")
        return files

    def bases(self) -> list[Base]:
        """The bases its Dockerfile declares (``ARG BASE`` / ``ARG BASE_SID``)."""
        declared = re.findall(r"^ARG\s+(\w+)", (self.folder / "Dockerfile").read_text(), re.M)
        return [base for base in BASES if base.arg in declared]

    def digest(self) -> str:
        """A hash of the recipe's files, its build arguments and the lab CA it trusts.

        The facts file is left out: it describes the image and is not part of the build. Shared
        files count from ``lab/shared/``, not from the copies a build leaves in the context.
        """
        sha = hashlib.sha256(ca.CA_CERT.read_bytes() if ca.CA_CERT.exists() else b"")
        sha.update(json.dumps(BUILD_ARGS, sort_keys=True).encode())
        for path in sorted(self.folder.rglob("*")):
            relative = path.relative_to(self.folder)
            if relative.parts[0] == SHARED_DIR:
                continue
            if path.is_file() and path.name not in ("trust-bundle.crt", FACTS):
                sha.update(str(relative).encode() + path.read_bytes())
        for path in self.shared:
            sha.update(f"{SHARED_DIR}/{path.name}".encode() + path.read_bytes())
        return sha.hexdigest()


def recipes() -> list[Recipe]:
    return [Recipe(d.name, d) for d in sorted(RECIPES.iterdir()) if (d / "Dockerfile").exists()]


def repository(reference: str) -> tuple[str, str]:
    """``debian:latest`` -> (``library/debian``, ``latest``); gcr.io's path kept as is."""
    name, _, tag = reference.rpartition(":")
    name = name.removeprefix("gcr.io/").removeprefix("docker.io/")
    if "/" not in name:
        name = f"library/{name}"
    return name, tag


def in_registry(reference: str) -> bool:
    repo, tag = repository(reference)
    url = f"http://{MIRROR[0]}:{MIRROR[1]}/v2/{repo}/manifests/{tag}"
    request = urllib.request.Request(
        url,
        method="HEAD",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
    )
    try:
        urllib.request.urlopen(request, timeout=3)
        return True
    except OSError:
        return False


def stale(recipe: Recipe) -> bool:
    stamp = STAMPS / recipe.slug
    if not stamp.exists() or stamp.read_text() != recipe.digest():
        return True
    return not all(in_registry(tag) for tag in recipe.tags)


def ensure_base_tar(base: Base) -> None:
    if base.tar.exists():
        return
    base.tar.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    partial = base.tar.with_name(
        "partial-" + base.tar.name
    )  # mmdebstrap picks the format by suffix
    subprocess.run(
        ["mmdebstrap", "--variant=minbase", "--quiet", *base.options, base.suite, str(partial)],
        check=True,
    )
    partial.rename(base.tar)
    print(
        f"lab: base  mmdebstrap minbase {base.suite:<8}  {time.monotonic() - started:5.1f} s",
        flush=True,
    )


def build_all() -> None:
    """Build and seed every stale recipe; print one line per image."""
    todo = [r for r in recipes() if stale(r)]
    if not todo:
        return
    needed = [base for base in BASES if any(base in recipe.bases() for recipe in todo)]
    for base in needed:
        ensure_base_tar(base)
    if not daemons.ping(BUILDER):
        network.ensure_bridge(BUILDER)
        daemons.start(BUILDER, fresh=False)
    try:
        client = daemons.client(BUILDER, timeout=900)
        for base in needed:
            _import_base(client, base)
        with registries.seeding() as seed, ThreadPoolExecutor(PARALLEL) as pool:
            built = pool.map(lambda r: _build_one(client, r, seed), todo)
            failures = [f for f in built if f]
        _write_catalogue(client)
    finally:
        daemons.stop(BUILDER)
        network.remove_bridge(BUILDER)
    if failures:
        raise SystemExit("\n\n".join(failures))


def _import_base(client: docker.DockerClient, base: Base) -> None:
    try:
        client.images.get(base.image)
    except docker.errors.ImageNotFound:
        with base.tar.open("rb") as tar:
            client.api.import_image_from_data(tar, repository="lab/base", tag=base.suite)


def _build_one(client: docker.DockerClient, recipe: Recipe, seed: tuple[str, int]) -> str | None:
    """Build, tag and push one recipe (to the ``seed`` registry); an error text naming it."""
    started = time.monotonic()
    shutil.copyfile(ca.TRUST_BUNDLE, recipe.folder / "trust-bundle.crt")
    if recipe.shared:
        (recipe.folder / SHARED_DIR).mkdir(exist_ok=True)
        for path in recipe.shared:
            shutil.copy2(path, recipe.folder / SHARED_DIR / path.name)
    try:
        image, _ = client.images.build(
            path=str(recipe.folder),
            tag=f"lab/{recipe.slug}",
            buildargs=BUILD_ARGS,
            network_mode="host",
            rm=True,
            forcerm=True,
        )
        for reference in recipe.tags:
            repo, tag = repository(reference)
            target = f"{seed[0]}:{seed[1]}/{repo}"
            image.tag(target, tag)
            for line in client.images.push(target, tag, stream=True, decode=True):
                if "error" in line:
                    raise APIError(line["error"])
    except BuildError as error:
        tail = "".join(
            str(chunk.get("stream", chunk.get("error", ""))) for chunk in error.build_log
        )
        return f"lab: image '{recipe.slug}' failed to build: {error.msg}\n" + "\n".join(
            tail.splitlines()[-25:]
        )
    except APIError as error:
        return f"lab: image '{recipe.slug}' failed: {error}"
    STAMPS.mkdir(parents=True, exist_ok=True)
    (STAMPS / recipe.slug).write_text(recipe.digest())
    print(
        f"lab: image {recipe.slug:<10} {', '.join(recipe.tags):<60} "
        f"{time.monotonic() - started:5.1f} s",
        flush=True,
    )
    return None


def _write_catalogue(client: docker.DockerClient) -> None:
    """Descriptions for ``docker search``, from each image's OCI description label."""
    described = json.loads(CATALOGUE.read_text()) if CATALOGUE.exists() else {}
    for recipe in recipes():
        try:
            labels = client.images.get(f"lab/{recipe.slug}").labels or {}
        except docker.errors.ImageNotFound:
            continue
        for reference in recipe.tags:
            repo, _ = repository(reference)
            described[repo.removeprefix("library/")] = labels.get(
                "org.opencontainers.image.description", ""
            )
    CATALOGUE.write_text(json.dumps(described, indent=1, ensure_ascii=False))
