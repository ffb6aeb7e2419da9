"""Build the stand-in images and seed them into the lab registry under their upstream names.

Each ``recipes/<slug>/`` holds a Dockerfile and a ``tags`` file, and may list in a ``shared`` file
the files of ``lab/shared/`` it uses (copied into ``_shared/`` of its build context, so two recipes
keep one copy of what they have in common). A recipe's build key hashes everything its build reads
(its files, those shared files, the build arguments it declares, the Debian base by content, the
lab CA when it copies it); a checkout's registry is seeded again only when a key changed. A key
the machine cache (``lab.imagecache``) holds is restored from it without a build; the others
build in parallel on a builder daemon that is started for the build and stopped after it, and
are kept in the machine cache for the next checkout.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, BuildError

from lab import ca, daemons, direct, engines, imagecache, network, registries
from lab.errors import LabError
from lab.facts import FACTS
from lab.paths import (
    BUILDER,
    CACHE,
    CATALOGUE,
    LAB_DIR,
    MIRROR,
    PYPI,
    RECIPES,
    REGISTRY_STORAGE,
)

STAMPS = LAB_DIR / "stamps"
SHARED = RECIPES.parent / "shared"
SHARED_DIR = "_shared"  # in a recipe's build context: the copies, never committed
TRUST_FILE = "trust-bundle.crt"  # in a recipe's build context: the lab CA for those that COPY it
# Bump when how images are built or kept changes: every build key changes with it.
LAYOUT = "2"


@dataclass(frozen=True)
class Base:
    """A minbase rootfs made by mmdebstrap, kept in the machine cache and imported into the
    builder as ``lab/base:<suite>-<content>``: a remade base is a new image and new build keys."""

    arg: str  # the build argument a Dockerfile declares to start from it
    suite: str
    # sid's Release file on the mirror is older than its Valid-Until, so apt must not check it.
    options: tuple[str, ...] = ()

    @property
    def tar(self) -> Path:
        wanted = json.dumps({"suite": self.suite, "options": self.options}, sort_keys=True)
        key = hashlib.sha256(wanted.encode()).hexdigest()[:12]
        return CACHE / "base" / f"{self.suite}-{key}.tar"

    @property
    def content_file(self) -> Path:
        return self.tar.with_suffix(".sha256")

    def content(self) -> str:
        """The tar's hash, computed once when it was made."""
        return self.content_file.read_text().strip()

    @property
    def image(self) -> str:
        return f"lab/base:{self.suite}-{self.content()[:12]}"


BASES = (
    Base("BASE", "bookworm"),
    # debian:latest follows upstream's tag: Debian 13 since 2025-08.
    Base("BASE_TRIXIE", "trixie"),
    Base("BASE_SID", "sid", ('--aptopt=Acquire::Check-Valid-Until "false"',)),
)
PARALLEL = 3


def build_args() -> dict[str, str]:
    """Every recipe gets these; a recipe uses those it declares with ARG (the proxy's address
    depends on the lab's instance number). The bases must be made first."""
    return {**{base.arg: base.image for base in BASES}, **plain_args()}


def plain_args() -> dict[str, str]:
    """The build arguments that name no base: known before the bases are made."""
    return {"PIP_PROXY": f"http://{PYPI[0]}:{PYPI[1]}"}


@dataclass(frozen=True)
class Recipe:
    """One stand-in image: ``recipes/<slug>/`` with its Dockerfile, the tags it answers for
    and the facts it discloses."""

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

    def declared(self) -> list[str]:
        """The build arguments its Dockerfile declares (``ARG BASE_SID``, ``ARG PIP_PROXY``)."""
        return re.findall(r"^ARG\s+(\w+)", (self.folder / "Dockerfile").read_text(), re.M)

    @property
    def direct(self) -> bool:
        """Built by one mmdebstrap run (``lab.direct``), not by ``docker build``."""
        return direct.wanted(self.folder / "Dockerfile")

    def bases(self) -> list[Base]:
        """The bases its Dockerfile declares (``ARG BASE`` / ``ARG BASE_SID``)."""
        return [base for base in BASES if base.arg in self.declared()]

    def digest(self) -> str:
        """The build key: a hash of everything the build reads, and nothing else, so checkouts
        share a kept image whenever they would build the same one.

        That is the recipe's files; the values of the build arguments it declares (a base by
        its content); the trust bundle if its Dockerfile copies it. The facts file is left out:
        it describes the image and is not part of the build. Shared files count from
        ``lab/shared/``, not from the copies a build leaves in the context.
        """
        if self.direct:
            # It reads no base tar: mmdebstrap makes the tree from the base's suite and options.
            args: dict[str, object] = {**plain_args(), "direct": direct.LAYOUT}
            args.update({b.arg: [b.suite, *b.options] for b in self.bases()})
        else:
            args = {**build_args()}
        declared = {name: args[name] for name in [*self.declared(), "direct"] if name in args}
        sha = hashlib.sha256(json.dumps({"layout": LAYOUT, "args": declared}).encode())
        if TRUST_FILE in (self.folder / "Dockerfile").read_text():
            sha.update(ca.TRUST_BUNDLE.read_bytes())
        for path in sorted(self.folder.rglob("*")):
            relative = path.relative_to(self.folder)
            if relative.parts[0] == SHARED_DIR:
                continue
            if path.is_file() and path.name not in (TRUST_FILE, FACTS):
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


def stale(recipe: Recipe, key: str) -> bool:
    """Whether ``recipe`` (build key ``key``) must be seeded again: another key, or its image
    in the registry's storage is not what the machine cache keeps (a tag that names another
    manifest, a blob missing or changed: said, then restored), or a tag the registry lacks."""
    stamp = STAMPS / recipe.slug
    if not stamp.exists() or stamp.read_text() != key:
        return True
    entry = imagecache.find(recipe.slug, key)
    changed = [] if entry is None else imagecache.intact(entry, REGISTRY_STORAGE)
    if changed:
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        print(f"lab: image {recipe.slug}: {changed[0]}{more}: restoring it", flush=True)
    return bool(changed) or not all(in_registry(tag) for tag in recipe.tags)


class BaseUnavailable(LabError):
    """A Debian base could not be made: the message names the suite and apt's reason."""


def ensure_base_tar(base: Base) -> None:
    """Make the base's tar in the machine cache unless it is there; one checkout makes it while
    another waits."""
    base.tar.parent.mkdir(parents=True, exist_ok=True)
    with open(base.tar.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if base.tar.exists() and base.content_file.exists():
            return
        started = time.monotonic()
        # mmdebstrap picks the format by the suffix. Not --quiet: apt's Err: line (the suite or
        # the mirror that failed) is then the cause given.
        partial = base.tar.with_name("partial-" + base.tar.name)
        done = subprocess.run(
            ["mmdebstrap", "--variant=minbase", *base.options, base.suite, str(partial)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            cause = engines.mmdebstrap_cause(done.stderr)
            raise BaseUnavailable(f"lab: base {base.suite}: cannot fetch Debian: {cause}")
        sha = hashlib.sha256()
        with partial.open("rb") as tar:
            while chunk := tar.read(1 << 20):
                sha.update(chunk)
        partial.rename(base.tar)
        base.content_file.write_text(sha.hexdigest() + "\n")
        print(
            f"lab: base  mmdebstrap minbase {base.suite:<8}  {time.monotonic() - started:5.1f} s",
            flush=True,
        )


def build_all(direct_failures: Future[list[str]] | None = None) -> None:
    """Seed every stale recipe, from the machine cache or by a build; one line per image.

    The bases must be made first (``ensure_base_tar``): the build keys name their content.
    ``direct_failures`` is a ``build_direct`` already running; without it, it runs here.
    """
    # A key reads every file of its recipe and the bases' hashes: computed once per run.
    keys = {recipe.slug: recipe.digest() for recipe in recipes()}
    if unshared := imagecache.unshare(REGISTRY_STORAGE):
        print(f"lab: {unshared} registry blobs were hard links into the machine cache: copied")
    todo = [r for r in recipes() if stale(r, keys[r.slug])]
    to_build = [
        recipe for recipe in todo if recipe.direct or not _restore(recipe, keys[recipe.slug])
    ]
    failures: list[str] = []
    docker_built = [recipe for recipe in to_build if not recipe.direct]
    if docker_built:
        failures = _build(docker_built, keys)
    failed = direct_failures.result() if direct_failures else build_direct()
    named = [r for r in to_build if r.direct and not any(f"'{r.slug}'" in f for f in failed)]
    # One that build_direct left alone (its stamp was this key) but that must be seeded again.
    failed += _direct_builds([r for r in named if imagecache.find(r.slug, keys[r.slug]) is None])
    failures += failed
    for recipe in named:
        if not _restore(recipe, keys[recipe.slug]) and recipe.slug not in "".join(failed):
            failures.append(f"lab: image '{recipe.slug}': not in the machine cache after its build")
    if todo:
        _write_catalogue(keys)
    if failures:
        raise LabError("\n\n".join(failures))


def build_direct() -> list[str]:
    """Build the direct recipes (``lab.direct``) the machine cache lacks, side by side; the
    error texts of those that failed. Needs no base and no daemon, only the lab CA."""
    todo = []
    for recipe in (r for r in recipes() if r.direct):
        key = recipe.digest()
        stamp = STAMPS / recipe.slug
        if imagecache.find(recipe.slug, key) is None and not (
            stamp.exists() and stamp.read_text() == key
        ):
            todo.append(recipe)
    return _direct_builds(todo)


def _direct_builds(todo: list[Recipe]) -> list[str]:
    if not todo:
        return []
    took = {**TYPICAL_BUILD_TIMES, **_build_times()}
    ordered = sorted(todo, key=lambda recipe: -took.get(recipe.slug, 0.0))
    with ThreadPoolExecutor(PARALLEL) as pool:
        return [f for f in pool.map(_build_direct_one, ordered) if f]


def _build_direct_one(recipe: Recipe) -> str | None:
    started = time.monotonic()
    key = recipe.digest()
    _prepare_context(recipe)
    try:
        plan = direct.parse(recipe.folder, plain_args(), tuple(b.arg for b in BASES))
        (base,) = [b for b in BASES if b.arg == plan.base_arg]
        made = direct.build(plan, base.suite, base.options, CACHE / "direct")
    except direct.DirectError as error:
        return f"lab: image '{recipe.slug}' failed to build: {error}"
    description = plan.labels.get("org.opencontainers.image.description", "")
    tags = [repository(t) for t in recipe.tags]
    imagecache.keep(recipe.slug, key, description, tags, made.manifest, made.blobs)
    took = time.monotonic() - started
    _note_build_time(recipe.slug, took)
    print(
        f"lab: image {recipe.slug:<10} {', '.join(recipe.tags):<60} {took:5.1f} s (mmdebstrap)",
        flush=True,
    )
    return None


def _prepare_context(recipe: Recipe) -> None:
    """The lab CA and the shared files the recipe copies, placed in its build context."""
    shutil.copyfile(ca.TRUST_BUNDLE, recipe.folder / TRUST_FILE)
    if recipe.shared:
        (recipe.folder / SHARED_DIR).mkdir(exist_ok=True)
        for path in recipe.shared:
            shutil.copy2(path, recipe.folder / SHARED_DIR / path.name)


def _restore(recipe: Recipe, key: str) -> bool:
    """Seed ``recipe``'s image from the machine cache; False when the cache lacks ``key``."""
    started = time.monotonic()
    entry = imagecache.find(recipe.slug, key)
    if entry is None:
        return False
    imagecache.restore(entry, REGISTRY_STORAGE)
    _stamp(recipe, key)
    print(
        f"lab: image {recipe.slug:<10} {', '.join(recipe.tags):<60} "
        f"{time.monotonic() - started:5.1f} s (machine cache)",
        flush=True,
    )
    return True


def _stamp(recipe: Recipe, key: str) -> None:
    STAMPS.mkdir(parents=True, exist_ok=True)
    (STAMPS / recipe.slug).write_text(key)


def _build(todo: list[Recipe], keys: dict[str, str]) -> list[str]:
    """Build ``todo`` (build keys by slug) on the builder daemon; the error texts of those
    that failed."""
    if not daemons.ping(BUILDER):
        network.ensure_bridge(BUILDER)
        daemons.start(BUILDER, fresh=False)
    try:
        client = daemons.client(BUILDER, timeout=900)
        for base in {base for recipe in todo for base in recipe.bases()}:
            _import_base(client, base)
        # Longest first (by the last build's time on this machine): the slowest image does not
        # start last and leave the other builders idle.
        took = {**TYPICAL_BUILD_TIMES, **_build_times()}
        ordered = sorted(todo, key=lambda recipe: -took.get(recipe.slug, 0.0))
        with registries.seeding() as seed, ThreadPoolExecutor(PARALLEL) as pool:
            built = pool.map(lambda r: _build_one(client, r, keys[r.slug], seed), ordered)
            return [f for f in built if f]
    finally:
        daemons.stop(BUILDER)
        network.remove_bridge(BUILDER)


def _import_base(client: docker.DockerClient, base: Base) -> None:
    try:
        client.images.get(base.image)
    except docker.errors.ImageNotFound:
        with base.tar.open("rb") as tar:
            repository, tag = base.image.split(":")
            client.api.import_image_from_data(tar, repository=repository, tag=tag)


def _build_one(
    client: docker.DockerClient, recipe: Recipe, key: str, seed: tuple[str, int]
) -> str | None:
    """Build, tag and push one recipe (to the ``seed`` registry) and keep it in the machine
    cache under ``key``; an error text naming it."""
    started = time.monotonic()
    _prepare_context(recipe)
    try:
        image, _ = client.images.build(
            path=str(recipe.folder),
            tag=f"lab/{recipe.slug}",
            buildargs=build_args(),
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
        description = (image.labels or {}).get("org.opencontainers.image.description", "")
        imagecache.export(
            REGISTRY_STORAGE, recipe.slug, key, description, [repository(t) for t in recipe.tags]
        )
    except BuildError as error:
        tail = "".join(
            str(chunk.get("stream", chunk.get("error", ""))) for chunk in error.build_log
        )
        return f"lab: image '{recipe.slug}' failed to build: {error.msg}\n" + "\n".join(
            tail.splitlines()[-25:]
        )
    except (APIError, imagecache.CacheError) as error:
        return f"lab: image '{recipe.slug}' failed: {error}"
    _stamp(recipe, key)
    took = time.monotonic() - started
    _note_build_time(recipe.slug, took)
    print(f"lab: image {recipe.slug:<10} {', '.join(recipe.tags):<60} {took:5.1f} s", flush=True)
    return None


BUILD_TIMES = CACHE / "images" / "build-times.json"
# The slowest builds as measured on this project's machine kind (2 cores), in seconds: the
# order of a machine's first builds, before it has times of its own.
TYPICAL_BUILD_TIMES = {"node": 62.0, "mysql9": 29.0, "python": 20.0, "httpd": 19.0}
_BUILD_TIMES_LOCK = threading.Lock()


def _build_times() -> dict[str, float]:
    """How long each image took to build last time on this machine (seconds)."""
    try:
        return {str(k): float(v) for k, v in json.loads(BUILD_TIMES.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}  # none yet, or unreadable: only the order of the builds depends on it


def _note_build_time(slug: str, seconds: float) -> None:
    with _BUILD_TIMES_LOCK:
        times = {**_build_times(), slug: round(seconds, 1)}
        BUILD_TIMES.parent.mkdir(parents=True, exist_ok=True)
        BUILD_TIMES.write_text(json.dumps(times, indent=1, sort_keys=True) + "\n")


def _write_catalogue(keys: dict[str, str]) -> None:
    """Descriptions for ``docker search``, from each kept image's OCI description label."""
    described = json.loads(CATALOGUE.read_text()) if CATALOGUE.exists() else {}
    for recipe in recipes():
        entry = imagecache.find(recipe.slug, keys[recipe.slug])
        if entry is None:
            continue  # failed to build: its earlier description, if any, stays
        for tagged in entry.tags:
            described[tagged.repository.removeprefix("library/")] = entry.description
    CATALOGUE.write_text(json.dumps(described, indent=1, ensure_ascii=False))
