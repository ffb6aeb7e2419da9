"""Image references in a command or a Python block: what the kinds read for ``images.py``.

A shell command uses an image it pulls, runs or creates (`docker pull/run/create`) and makes one
it names in `docker tag`, `push`, `import`, `commit` or `build -t`; a Python block uses the
images of its `images.pull(...)` / `containers.run(...)` / `containers.create(...)` calls.
References are normalised as Docker does (no tag means `:latest`, `docker.io/library/` dropped);
a digest reference keeps its repository with `@digest`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from docharness.cli import VALUED_OPTIONS
from docharness.model import HarnessError

_FLAGS = frozenset(
    [
        "-d",
        "--detach",
        "-i",
        "--interactive",
        "-t",
        "--tty",
        "--rm",
        "--privileged",
        "--init",
        "-P",
        "--publish-all",
        "--read-only",
        "-q",
        "--quiet",
        "--all-tags",
        "--disable-content-trust",
        "--sig-proxy",
    ]
)
_SHORT_FLAGS = frozenset("dit")  # may be combined, as in -it or -dit
_SEPARATORS = frozenset({"|", "||", "&&", ";", "&"})
_REDIRECT = re.compile(r"\d?(?:<|>>?)|&>")  # `< file`, `2> file`
_REDIRECT_ATTACHED = re.compile(r"\d?(?:<|>>?)\S|&>\S")  # `2>/dev/null`, `>out.tar`
_PYTHON = re.compile(
    r"\.(?:images\.pull|containers\.(?:run|create))\(\s*(?P<quote>['\"])(?P<ref>[^'\"]+)(?P=quote)"
)


@dataclass(frozen=True)
class ImageUse:
    reference: str  # normalised, e.g. mysql:9.7
    line: int  # the page line of the command or call


@dataclass
class BlockImages:
    """What one block does with images: those it uses, and the names of those it makes."""

    uses: list[ImageUse] = field(default_factory=list)
    made: set[str] = field(default_factory=set)
    pushed: set[str] = field(default_factory=set)  # repositories it pushes (`docker push`)


def repository(reference: str) -> str:
    """A normalised reference's repository: `localhost:5000/x:1` and `localhost:5000/x@sha256:ab`
    -> `localhost:5000/x` (a registry's port is not a tag)."""
    name = reference.split("@", 1)[0]
    head, _, last = name.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}" if head else last.split(":", 1)[0]


def normalise(reference: str) -> str:
    """`debian` -> `debian:latest`; `docker.io/library/x:1` and `library/x:1` -> `x:1`."""
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        reference = reference.removeprefix(prefix)
    reference = reference.removeprefix("library/")
    name = reference.split("@", 1)[0]
    if "@" not in reference and ":" not in name.rsplit("/", 1)[-1]:
        reference += ":latest"
    return reference


def python_calls(line: int, source: str) -> BlockImages:
    """The images of a Python block's docker SDK calls; ``line`` is its opening fence's."""
    found = BlockImages()
    for match in _PYTHON.finditer(source):
        at = line + 1 + source.count("\n", 0, match.start())
        found.uses.append(ImageUse(normalise(match["ref"]), at))
    return found


def from_command(path: Path, line: int, command: str, found: BlockImages) -> None:
    """Add what a shell command (at ``line``) does with images to ``found``.

    Raises HarnessError naming the line of a command whose image cannot be told.
    """
    uses, made = found.uses, found.made
    try:
        words = shlex.split(command.replace("\\\n", " "), comments=True)
    except ValueError as error:
        raise HarnessError(path, line, f"cannot split the command into words: {error}") from None
    for simple in _simple_commands(words):
        if len(simple) < 2 or simple[0] != "docker":
            continue
        verb = simple[1:3] if simple[1] in ("image", "container") else simple[1:2]
        rest = simple[1 + len(verb) :]
        action = verb[-1]
        if action in ("tag", "push", "import", "commit") and rest:
            made.add(normalise(rest[-1]))
            if action == "push":
                found.pushed.add(repository(normalise(rest[-1])))
        elif action == "build":
            made.update(
                normalise(v) for o, v in zip(rest, rest[1:], strict=False) if o in ("-t", "--tag")
            )
        elif action in ("pull", "run", "create") and verb != ["image", "create"]:
            uses.append(ImageUse(normalise(_image_argument(path, line, rest)), line))


def _simple_commands(words: list[str]) -> list[list[str]]:
    """The words of each command between separators, redirections and their targets left out."""
    commands: list[list[str]] = [[]]
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in _SEPARATORS:
            commands.append([])
        elif _REDIRECT.fullmatch(word):
            skip = True  # its target is the next word
        elif not _REDIRECT_ATTACHED.match(word):
            commands[-1].append(word)
    return commands


def _image_argument(path: Path, line: int, words: list[str]) -> str:
    """The first word that is not an option or an option's value."""
    index = 0
    while index < len(words):
        word = words[index]
        if not word.startswith("-"):
            if "$" in word:
                raise HarnessError(path, line, f"cannot tell which image {word!r} names")
            return word
        if word in VALUED_OPTIONS:
            index += 2
            continue
        if word.startswith("--") and "=" in word or word in _FLAGS:
            index += 1
            continue
        # -it, -dit: combined flags; -p8080:80, -eX=1: a short option with its value attached
        if (
            not word.startswith("--")
            and len(word) > 2
            and (set(word[1:]) <= _SHORT_FLAGS or f"-{word[1]}" in VALUED_OPTIONS)
        ):
            index += 1
            continue
        raise HarnessError(path, line, f"unknown docker option {word!r}: add it to images.py")
    raise HarnessError(path, line, "docker pull/run/create without an image")
