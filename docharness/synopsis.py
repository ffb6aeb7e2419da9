"""Check synopses and option lists against the real `docker <command> --help`.

A synopsis (`docker image tag 원본이미지[:태그] 참조이미지[:태그]`) names a command and flags;
`[image]` marks an optional word (both forms must exist); `docker run = [pull] + create + ...`
names commands (or placeholders of the command's own usage line). Everything else is an argument.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from docharness.fences import find_fences
from docharness.model import CodeBlock

_WORD = re.compile(r"\[?([a-z][a-z0-9-]*)\]?")
_FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
_OPTION_LINE = re.compile(r"^ {2,6}(-[A-Za-z0-9](?=[ ,])|--[\w-]+)(?:, (--[\w-]+))?")
_HANGUL = re.compile(r"[가-힣]")
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[-*+][ \t]+(?P<text>.*?)\s*$")
_LIST_HEADER = re.compile(
    r"^(?P<command>docker(?:\s+\[?[a-z][a-z0-9-]*\]?)+)\s+명령어(?:\s+옵션)?$"
)
_BOLD = re.compile(r"\*\*(docker\s+\[?[a-z][^*]*?)\*\*")
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.*)$")
_HEADING_COMMAND = re.compile(r"docker(?:\s+\[?[a-z][a-z0-9-]*\]?)+")

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class OptionClaim:
    """A line of prose that names docker commands or options.

    ``synopsis`` is what is checked, e.g. `docker pull --all-tags -a` for the list item
    `--all-tags, -a : ...` under `docker pull 명령어 옵션`; empty when no command is named.
    ``kind`` is list, table or synopsis.
    """

    path: Path
    line: int
    kind: str
    synopsis: str


def check_synopsis(block: CodeBlock) -> list[str]:
    """Problems of a synopsis block, each naming file:line (a command's first line)."""
    problems = []
    for line, text in _commands(block):
        where = f"{block.path}:{line}"
        problems += [f"{where}: {problem}" for problem in check_line(text)]
    return problems


def _commands(block: CodeBlock) -> list[tuple[int, str]]:
    """The block's commands with their first line; a line ending in `\\` goes on, as in a shell,
    so a long command can be written one option a line."""
    commands: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for offset, line in enumerate(block.source.split("\n")):
        text = line.strip()
        if pending is None and (not text or text.startswith("#")):
            continue
        first, before = pending or (block.line + 1 + offset, "")
        joined = f"{before} {text}".strip()
        if joined.endswith("\\"):
            pending = (first, joined.removesuffix("\\").rstrip())
        else:
            commands.append((first, joined))
            pending = None
    if pending is not None:
        commands.append(pending)
    return commands


def check_line(text: str) -> list[str]:
    """Problems of one synopsis line (no file or line in them)."""
    words = text.split()
    if not words or words[0] != "docker":
        return [f"{text!r}: a synopsis names a docker command (to run it, write `$ ` prompts)"]
    paths, rest, problems = _command_paths(words[1:])
    if problems:
        return problems
    if rest and rest[0] == "=":
        return _check_equation(paths[0], rest[1:])
    for path in paths:
        known = _flags(path)
        for flag in _flags_named(rest):
            if flag not in known:
                problems.append(f"{_name(path)} has no option {flag}")
    if paths == [()] and not problems:
        problems.append(f"{text!r} names no docker command")
    return problems


def _command_paths(words: list[str]) -> tuple[list[Path_], list[str], list[str]]:
    """The command paths a synopsis names (several when a word is optional), the rest, problems."""
    paths: list[Path_] = [()]
    for index, word in enumerate(words):
        found = _WORD.fullmatch(word)
        if found is None or not all(_is_group(path) for path in paths):
            return paths, words[index:], []
        name, optional = found.group(1), word.startswith("[")
        if optional != word.endswith("]"):
            return paths, words[index:], []
        longer = [path + (name,) for path in paths]
        missing = [path for path in longer if not _is_command(path)]
        if missing:
            return paths, words[index:], [f"no such command: {_name(missing[0])}"]
        paths = paths + longer if optional else longer
    return paths, [], []


def _check_equation(path: Path_, terms: list[str]) -> list[str]:
    """`docker run = [pull] + create + start + [command]`: each term a command or placeholder."""
    placeholders = {word.lower() for word in re.findall(r"[A-Za-z]+", _usage(path))}
    problems = []
    for term in terms:
        word = term.strip("[]")
        if term != "+" and not _is_command((word,)) and word.lower() not in placeholders:
            problems.append(f"{word!r} is neither a docker command nor part of {_name(path)}")
    return problems


def _flags_named(words: list[str]) -> list[str]:
    """The flags a synopsis names: `-v,` -> -v, `--volume=x` -> --volume, `-it` -> -i -t."""
    flags = []
    for word in words:
        found = _FLAG.match(word.lstrip("["))
        if found is None:
            continue
        flag = found.group(1)
        if flag.startswith("--") or len(flag) == 2:
            flags.append(flag)
        else:
            flags += [f"-{letter}" for letter in flag[1:]]
    return flags


def _name(path: Path_) -> str:
    return " ".join(("docker", *path))


@cache
def _help(path: Path_) -> str:
    """`docker <path> --help`, run once per path (needs no daemon)."""
    env = {**os.environ, "DOCKER_CONFIG": _empty_config()}
    done = subprocess.run(
        ["docker", *path, "--help"], capture_output=True, text=True, env=env, timeout=30
    )
    return done.stdout


@lru_cache(maxsize=1)
def _empty_config() -> str:
    """An empty DOCKER_CONFIG, so that the user's ~/.docker (plugins, aliases) plays no part;
    removed when the process ends (every run left one in /tmp)."""
    folder = tempfile.mkdtemp(prefix="docharness-help-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _usage(path: Path_) -> str:
    lines = _help(path).splitlines()
    return next((line for line in lines if line.startswith("Usage:")), "")


def _is_command(path: Path_) -> bool:
    """Whether `docker <path>` is a command or an alias of one."""
    usage = _usage(path).split()[1:]
    names = [tuple(_leading_words(usage))]
    lines = _help(path).splitlines()
    if "Aliases:" in lines:
        aliases = lines[lines.index("Aliases:") + 1]
        names += [tuple(alias.split()[1:]) for alias in aliases.split(", ")]
    return path in names


def _leading_words(usage: list[str]) -> list[str]:
    """`docker image rm [OPTIONS] IMAGE` -> [image, rm]."""
    words = []
    for word in usage[1:]:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
            break
        words.append(word)
    return words


def _is_group(path: Path_) -> bool:
    """Whether `docker <path>` has subcommands (docker itself, docker image, ...)."""
    return _usage(path).rstrip().endswith("COMMAND")


def _flags(path: Path_) -> frozenset[str]:
    """The options `docker <path> --help` lists, plus --help."""
    flags = {"--help"}
    for line in _help(path).splitlines():
        found = _OPTION_LINE.match(line)
        if found:
            flags.update(flag for flag in found.groups() if flag)
    return frozenset(flags)


def option_claims(path: Path, text: str) -> list[OptionClaim]:
    """Option lists, option tables and bold synopses in a page's prose (fences excluded)."""
    lines = text.split("\n")
    code = {n for f in find_fences(path, text) for n in range(f.line, f.end_line + 1)}
    claims: list[OptionClaim] = []
    heading = ""
    index = 0
    while index < len(lines):
        number, line = index + 1, lines[index]
        if number in code:
            index += 1
            continue
        if found := _HEADING.match(line):
            heading = found.group("text")
        elif line.lstrip().startswith("|") and _cells(line)[:1] == ["옵션"]:
            rows = _table_rows(lines, index)
            claims += _table_claims(path, heading, rows)
            index = rows[-1][0] if rows else index + 1
            continue
        elif bullet := _BULLET.match(line):
            claims += _bullet_claims(path, number, bullet.group("text"), lines, index)
        else:
            claims += _bold_claims(path, number, line)
        index += 1
    return claims


def _bullet_claims(
    path: Path, number: int, text: str, lines: list[str], index: int
) -> list[OptionClaim]:
    """A bullet that is a synopsis, or bold synopses in it, or a list header and its items."""
    plain = text.strip("*").strip()
    if plain.startswith("docker ") and not _HANGUL.search(plain):
        return [OptionClaim(path, number, "synopsis", plain)]
    claims = _bold_claims(path, number, text)
    header = _LIST_HEADER.match(plain)
    if header is None:
        return claims
    command = header.group("command")
    indent = len(lines[index]) - len(lines[index].lstrip())
    for offset, item in enumerate(lines[index + 1 :], start=index + 2):
        depth = len(item) - len(item.lstrip())
        if item.strip() and depth <= indent:
            break
        nested = _BULLET.match(item)
        if nested is None:
            continue
        name = nested.group("text").partition(" : ")[0].strip()
        if name.startswith("docker "):
            claims.append(OptionClaim(path, offset, "list", name))
        elif flags := _FLAG.findall(name):
            claims.append(OptionClaim(path, offset, "list", " ".join([command, *flags])))
    return claims


def _bold_claims(path: Path, number: int, line: str) -> list[OptionClaim]:
    """`**docker images --digests**` in prose claims that command and option exist."""
    return [
        OptionClaim(path, number, "synopsis", bold)
        for bold in _BOLD.findall(line)
        if not _HANGUL.search(bold)
    ]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table_rows(lines: list[str], index: int) -> list[tuple[int, str]]:
    """(line number, first cell) of the table's body rows; the header is at ``index``."""
    rows = []
    for number in range(index + 3, len(lines) + 1):
        line = lines[number - 1]
        if not line.lstrip().startswith("|"):
            break
        rows.append((number, _cells(line)[0]))
    return rows


def _table_claims(path: Path, heading: str, rows: list[tuple[int, str]]) -> list[OptionClaim]:
    found = _HEADING_COMMAND.search(heading)
    command = found.group() if found else ""
    claims = []
    for number, cell in rows:
        flags = _FLAG.findall(cell)
        synopsis = " ".join([command, *flags]) if command and flags else ""
        claims.append(OptionClaim(path, number, "table", synopsis))
    return claims


def check_option_claims(claims: list[OptionClaim]) -> list[str]:
    """Problems of a page's option claims, each naming file:line."""
    problems = []
    for claim in claims:
        where = f"{claim.path}:{claim.line}"
        if not claim.synopsis:
            problems.append(f"{where}: option table row names no `docker <command>` and option")
            continue
        problems += [f"{where}: {problem}" for problem in check_line(claim.synopsis)]
    return problems
