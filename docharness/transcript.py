"""Split a shell transcript into steps: prompt, command, expected output.

The notes are the spec: `$ `, `~ $ `, `/proc/1842 $ ` are host prompts, `root@id:/# `,
`[root@id /]# ` and bash's own default `bash-5.1# ` container prompts; `#` lines are comments;
a trailing `\\` continues a command; output runs from a command to the next prompt, comment or
blank line; `...` matches any lines.
"""

from __future__ import annotations

import re
from pathlib import Path

from docharness.model import CodeBlock, ExpectedLine, HarnessError, Step

HOST_PROMPT = re.compile(r"^(?:[~/]\S*[ ])?\$ (?=\S)")
CONTAINER_PROMPT = re.compile(
    r"^(?:[\w.-]+@[\w.-]+:[^\s#$]*|\[[\w.-]+@[\w.-]+ [^\]]*\]|bash-\d+(?:\.\d+)*)[#$] (?=\S)"
)
_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_]\w*)\2")

_AFTER = {
    "start": "text before the first command is neither a command nor a comment",
    "comment": (
        "text after a comment is neither a command nor output; "
        "start it with # or leave a blank line"
    ),
    "blank": (
        "text after a blank line is neither a command nor output; "
        "output ends at a blank line (write ... to skip lines)"
    ),
}


def has_host_prompt(source: str) -> bool:
    """Whether any line of a shell fence starts with a host prompt (so it is a transcript)."""
    return any(HOST_PROMPT.match(line) for line in source.split("\n"))


def parse_transcript(block: CodeBlock) -> list[Step]:
    """The steps of a TRANSCRIPT block, with file line numbers."""
    return parse_steps(block.path, block.source, block.line + 1)


def parse_steps(path: Path, source: str, first_line: int) -> list[Step]:
    """The steps of transcript text whose first line is file line ``first_line``.

    Also used for setup/teardown directive bodies. Raises HarnessError on a line that is
    neither a command, a comment, a blank line nor output of the command before it.
    """
    lines = source.split("\n")
    steps: list[Step] = []
    state = "start"  # what the previous line was: start, output, comment or blank
    index = 0
    while index < len(lines):
        line, number = lines[index], first_line + index
        host = HOST_PROMPT.match(line)
        prompt = host or CONTAINER_PROMPT.match(line)
        if prompt is not None:
            command, index = _command(path, lines, index, first_line, len(prompt.group(0)))
            steps.append(Step(prompt.group(0), command, number, in_container=host is None))
            state = "output"
        elif not line.strip():
            state = "blank"
        elif line.lstrip().startswith("#"):
            state = "comment"
        elif state == "output":
            steps[-1].expected.append(ExpectedLine(line, number))
        else:
            raise HarnessError(path, number, _AFTER[state])
        index += 1
    return steps


def _command(
    path: Path, lines: list[str], index: int, first_line: int, skip: int
) -> tuple[str, int]:
    """The command starting at ``lines[index]`` (after ``skip`` prompt characters).

    Joins `\\` continuations and here-document bodies; returns the command and the index
    of its last line.
    """
    parts = [lines[index][skip:].rstrip()]
    while parts[-1].endswith("\\"):
        index += 1
        if index == len(lines) or not lines[index].strip():
            raise HarnessError(path, first_line + index - 1, "command continues past its block")
        parts.append(lines[index].rstrip())
    for dash, _, word in _HEREDOC.findall("\n".join(parts)):
        while True:
            index += 1
            if index == len(lines):
                raise HarnessError(path, first_line + index - 1, f"here-document {word} not ended")
            parts.append(lines[index])
            body = lines[index].lstrip("\t") if dash else lines[index]
            if body == word:
                break
    return "\n".join(parts), index
