"""Build a stand-in straight from one mmdebstrap run, without a Docker daemon.

A recipe whose Dockerfile starts with ``# lab-build=mmdebstrap`` is built this way: mmdebstrap
makes the minbase tree its ``FROM`` names (``${BASE}`` or ``${BASE_SID}``, the suite and options
of that base), its RUN, COPY and WORKDIR steps run in order on that tree in one customize hook
(RUN with the image's ENV and the build arguments in scope, as ``docker build`` runs it), and the
tree becomes the image's one layer; LABEL, ENV, CMD and the rest become its config. The image is
written straight into the machine cache (``lab.imagecache``), from which the lab's registry is
seeded as for any kept image.

Why: a few hundred packages through ``docker build`` pay for an apt run on top of the base, a
layer commit and a push that compresses the layer again; this pays for one mmdebstrap and one
compression, and needs no base made first, so it runs beside the bases and the engine tree.
Only what the recipes use is understood; anything else is an error naming the line.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import shlex
import subprocess
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lab import engines, imagecache

DIRECTIVE = "# lab-build=mmdebstrap"
# Bump when how a direct image is made changes: the build keys of direct recipes change with it.
LAYOUT = "3"
STEP_MARK = "lab-step: "  # the hook prints it before each step: a failure names its step
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


class DirectError(Exception):
    """A recipe this builder cannot follow, or a step that failed: the message names where."""


@dataclass(frozen=True)
class Step:
    """A step that changes the tree: ``RUN`` (a shell script), ``COPY`` or ``WORKDIR``."""

    where: str  # Dockerfile:LINE
    kind: str
    script: str = ""  # RUN
    env: tuple[str, ...] = ()  # RUN: NAME=value, what the script sees
    workdir: str = "/"
    sources: tuple[Path, ...] = ()  # COPY
    target: str = ""  # COPY, WORKDIR


@dataclass
class Plan:
    """What a direct build does: the base it starts from, its steps and its image config."""

    base_arg: str
    steps: list[Step] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    config: dict[str, object] = field(default_factory=dict)
    instructions: list[str] = field(default_factory=list)  # for the image's history


def wanted(dockerfile: Path) -> bool:
    """Whether the recipe asks to be built by mmdebstrap (its first line)."""
    return dockerfile.read_text().startswith(DIRECTIVE + "\n")


def _lines(dockerfile: Path) -> list[tuple[int, str]]:
    """Logical lines (continuations joined as Docker joins them), each with its first line."""
    out: list[tuple[int, str]] = []
    parts: list[str] = []
    start = 0
    for number, raw in enumerate(dockerfile.read_text().splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # Docker drops comment and empty lines, inside a continuation too
        if not parts:
            start = number
        if raw.rstrip().endswith("\\"):
            parts.append(raw.rstrip()[:-1])
            continue
        parts.append(raw)
        out.append((start, "".join(parts).strip()))
        parts = []
    if parts:
        out.append((start, "".join(parts).strip()))
    return out


def _expand(text: str, scope: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` from ``scope``, as Docker expands them outside RUN."""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: scope.get(m.group(1) or m.group(2), ""), text)


def _pairs(text: str, where: str) -> dict[str, str]:
    """``A=1 B="two words"`` (or the old ``A one value``) as a mapping."""
    words = shlex.split(text)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    if not all("=" in word for word in words):
        raise DirectError(f"{where}: expected NAME=value pairs: {text}")
    return dict(word.split("=", 1) for word in words)


def _exec_form(text: str) -> list[str]:
    if text.startswith("["):
        return [str(word) for word in json.loads(text)]
    return ["/bin/sh", "-c", text]


def parse(folder: Path, args: dict[str, str], bases: tuple[str, ...]) -> Plan:
    """The plan of ``folder``'s Dockerfile given the build arguments; ``bases`` are the
    arguments that name a Debian base (``BASE``, ``BASE_SID``)."""
    dockerfile = folder / "Dockerfile"
    plan: Plan | None = None
    in_scope: dict[str, str] = {}  # build arguments declared after FROM
    workdir = "/"
    for number, line in _lines(dockerfile):
        where = f"{dockerfile}:{number}"
        word, _, rest = line.partition(" ")
        word, rest = word.upper(), rest.strip()
        if word == "ARG":
            name, has_default, default = rest.partition("=")
            if plan is not None:
                in_scope[name] = args.get(name, default if has_default else "")
            continue
        if word == "FROM":
            found = re.fullmatch(r"\$\{?(\w+)\}?", rest)
            if plan is not None or found is None or found.group(1) not in bases:
                raise DirectError(
                    f"{where}: a direct build starts once, from one of ${{{'}, ${'.join(bases)}}}"
                    f": FROM {rest}"
                )
            plan = Plan(found.group(1))
            continue
        if plan is None:
            raise DirectError(f"{where}: {word} before FROM")
        plan.instructions.append(f"{word} {rest}")
        scope = {**in_scope, **plan.env}
        if word == "ENV":
            for name, value in _pairs(rest, where).items():
                plan.env[name] = _expand(value, {**in_scope, **plan.env})
        elif word == "LABEL":
            plan.labels.update(_pairs(_expand(rest, scope), where))
        elif word == "RUN":
            env = {"HOME": "/root", **in_scope, **plan.env}
            # dpkg without fsync: the tree is packed whole at the end, a crash starts over.
            env["DPKG_FORCE"] = "unsafe-io"
            plan.steps.append(
                Step(
                    where,
                    "RUN",
                    script=rest,
                    env=tuple(f"{k}={v}" for k, v in env.items()),
                    workdir=workdir,
                )
            )
        elif word == "COPY":
            *sources, target = shlex.split(_expand(rest, scope))
            if not sources or any(s.startswith("--") for s in sources):
                raise DirectError(f"{where}: COPY takes files of the recipe only: {rest}")
            paths = tuple(folder / s for s in sources)
            for source in paths:
                if not source.is_file():
                    raise DirectError(f"{where}: COPY: no file {source}")
            if not target.startswith("/"):
                target = f"{workdir.rstrip('/')}/{target}"
            if len(paths) > 1 and not target.endswith("/"):
                raise DirectError(f"{where}: COPY of several files needs a folder ending in /")
            plan.steps.append(Step(where, "COPY", sources=paths, target=target))
        elif word == "WORKDIR":
            named = _expand(rest, scope)
            workdir = named if named.startswith("/") else f"{workdir.rstrip('/')}/{named}"
            plan.config["WorkingDir"] = workdir
            plan.steps.append(Step(where, "WORKDIR", target=workdir))
        elif word in ("CMD", "ENTRYPOINT"):
            plan.config["Cmd" if word == "CMD" else "Entrypoint"] = _exec_form(rest)
        elif word == "EXPOSE":
            ports = _expand(rest, scope).split()
            plan.config["ExposedPorts"] = {
                **dict(plan.config.get("ExposedPorts") or {}),  # type: ignore[call-overload]
                **{p if "/" in p else f"{p}/tcp": {} for p in ports},
            }
        elif word == "VOLUME":
            text = _expand(rest, scope)
            volumes = json.loads(text) if text.startswith("[") else text.split()
            plan.config["Volumes"] = {
                **dict(plan.config.get("Volumes") or {}),  # type: ignore[call-overload]
                **{v: {} for v in volumes},
            }
        elif word in ("STOPSIGNAL", "USER"):
            plan.config["StopSignal" if word == "STOPSIGNAL" else "User"] = _expand(rest, scope)
        else:
            raise DirectError(f"{where}: {word} is not understood by the direct build")
    if plan is None:
        raise DirectError(f"{dockerfile}: no FROM")
    return plan


def hook_script(plan: Plan) -> str:
    """The customize hook: each step in order on the tree ``$1``, its name printed first."""
    lines = ["set -e", PROLOGUE]
    for step in plan.steps:
        lines.append(f"echo {shlex.quote(STEP_MARK + step.where + ' ' + step.kind)} >&2")
        if step.kind == "RUN":
            env = " ".join(shlex.quote(pair) for pair in step.env)
            lines.append(
                f'chroot "$1" /usr/bin/env -i -C {shlex.quote(step.workdir)} {env} '
                # No terminal, as under docker build: debconf asks nothing (tzdata would).
                f"/bin/sh -c {shlex.quote(step.script)} < /dev/null"
            )
        elif step.kind == "WORKDIR":
            lines.append(f'chroot "$1" mkdir -p {shlex.quote(step.target)}')
        else:
            for source in step.sources:
                target = step.target
                if target.endswith("/"):
                    target += source.name
                stat = source.stat()
                # Written from inside the tree, so a symlink on the way resolves there; mode and
                # time as COPY keeps them, owned by root.
                inside = (
                    'mkdir -p "$(dirname "$0")" && cat > "$0" && chmod "$1" "$0" '
                    '&& touch -d "@$2" "$0"'
                )
                lines.append(
                    f'chroot "$1" /bin/sh -c {shlex.quote(inside)} {shlex.quote(target)} '
                    f"{stat.st_mode & 0o7777:o} {int(stat.st_mtime)} < {shlex.quote(str(source))}"
                )
    lines.append(EPILOGUE)
    return "\n".join(lines) + "\n"


# Before the steps, the tree is made what ``docker build`` starts from: the base as mmdebstrap's
# cleanup leaves it (no logs, caches, /run or /tmp content; apt's lists are the steps' to remove),
# and /etc/hosts, /etc/hostname and /etc/resolv.conf present, as docker mounts them over a RUN
# (netbase makes /etc/hosts when it is missing); those docker mounted are not kept after.
PROLOGUE = """\
cd "$1"
rm -f var/log/dpkg.log var/log/apt/history.log var/log/apt/term.log var/log/alternatives.log \\
    var/log/apt/eipp.log.xz var/cache/ldconfig/aux-cache var/lib/dbus/machine-id
if [ -e etc/machine-id ]; then : > etc/machine-id; fi
rm -f var/cache/apt/*.bin var/cache/apt/archives/*.deb
find tmp -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system {} +
# mmdebstrap keeps /run/lock (/var/lock links to it)
find run -mindepth 1 -maxdepth 1 ! -name lock -exec rm -rf --one-file-system {} +
mounted=""
for f in etc/hosts etc/hostname etc/resolv.conf; do
    if [ ! -e "$f" ] && [ ! -L "$f" ]; then : > "$f"; mounted="$mounted $f"; fi
done
cd /"""
EPILOGUE = """\
for f in $mounted; do rm -f "$1/$f"; done"""
# The cleanup of mmdebstrap's own files stays; the rest was done before the steps, as above.
SKIP = "--skip=cleanup/apt,cleanup/reproducible,cleanup/run,cleanup/tmp"


def failed_step(log: str) -> str:
    """Which step failed and apt's (or the command's) reason, from mmdebstrap's output."""
    lines = log.splitlines()
    marks = [n for n, line in enumerate(lines) if line.startswith(STEP_MARK)]
    if not marks:
        return f"mmdebstrap: {engines.mmdebstrap_cause(log)}"
    step = lines[marks[-1]].removeprefix(STEP_MARK)
    # mmdebstrap's own wrap-up ("E: hook ... failed") follows the step's words: left out.
    said = [
        line
        for line in lines[marks[-1] + 1 :]
        if line.strip() and not re.match(r"(I|W): |E: .*(hook|mmdebstrap|chroot)", line)
    ]
    cause = engines.mmdebstrap_cause("\n".join(said))
    if cause == "mmdebstrap failed":  # not apt: the step's own last words
        cause = said[-1].strip()[:300] if said else "the step failed"
    return f"step {step}: {cause}"


@dataclass(frozen=True)
class Made:
    """A direct build's result: the digests the machine cache keeps."""

    manifest: str
    blobs: tuple[str, ...]  # config and layer


def build(plan: Plan, suite: str, options: tuple[str, ...], work: Path) -> Made:
    """Run mmdebstrap for ``plan`` and keep the image's blobs in the machine cache's pool."""
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        hook = Path(scratch) / "steps.sh"
        hook.write_text(hook_script(plan))
        tar = Path(scratch) / "rootfs.tar"
        done = subprocess.run(
            [
                "mmdebstrap",
                "--variant=minbase",
                *options,
                SKIP,
                f'--customize-hook=sh {hook} "$1"',
                suite,
                str(tar),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if done.returncode != 0:
            raise DirectError(failed_step(done.stdout))
        layer, diff_id, size = _compress(tar, Path(scratch) / "layer.gz")
        layer_digest = imagecache.keep_blob(layer)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": now,
        "config": {
            "Env": [f"{k}={v}" for k, v in plan.env.items()],
            "Labels": plan.labels,
            **plan.config,
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [
            {
                "created": now,
                "created_by": f"mmdebstrap --variant=minbase {suite} (lab direct build)",
            },
            *(
                {"created": now, "created_by": f"/bin/sh -c #(nop)  {text}", "empty_layer": True}
                for text in plan.instructions
            ),
        ],
    }
    config_bytes = json.dumps(config, separators=(",", ":")).encode()
    config_digest = imagecache.keep_bytes(config_bytes)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, "size": len(config_bytes), "digest": config_digest},
        "layers": [{"mediaType": LAYER_TYPE, "size": size, "digest": layer_digest}],
    }
    manifest_digest = imagecache.keep_bytes(json.dumps(manifest, indent=3).encode())
    return Made(manifest_digest, (config_digest, layer_digest))


def _compress(tar: Path, target: Path) -> tuple[Path, str, int]:
    """``tar`` gzipped to ``target`` (fast level: the pull cost is local); returns the file,
    the uncompressed digest (the layer's diff id) and the compressed size."""
    plain = hashlib.sha256()
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: the gzip format
    size = 0
    with tar.open("rb") as source, target.open("wb") as out:
        while chunk := source.read(1 << 20):
            plain.update(chunk)
            packed = packer.compress(chunk)
            size += len(packed)
            out.write(packed)
        packed = packer.flush()
        size += len(packed)
        out.write(packed)
    return target, f"sha256:{plain.hexdigest()}", size
