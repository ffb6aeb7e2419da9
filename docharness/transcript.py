"""Split a shell transcript into steps: prompt, command, expected output.

Transcripts are read as people write them (the notes, Docker's own reference pages):

- host prompts `$ `, `~ $ `, `/proc/1842 $ `, `user@host:~$ `; container prompts
  `root@id:/# `, `[root@id /]# `, busybox's `/ # `, bash's own `bash-5.1# ` and `sh-5.2# `, any
  `user@<12-hex id>:…$ `;
- a command continues after a trailing `\\`, inside a here-document, and on lines that start
  with bash's PS2 prompt `> ` while the command is not complete (open quote, `for …; do`);
- blank lines separate, they never end output (they are not compared either);
- a `# ` line is a comment at the start of a block or right before a command (blank lines
  and other comments may stand between); elsewhere a `#` line is output (`#1 DONE 0.0s`);
- `...` in the output matches any lines.

What is still ambiguous is a HarnessError naming the line and the fix.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from docharness.model import CodeBlock, ExpectedLine, HarnessError, Step

# `user@host:path` as bash's default PS1 shows it; a 12-hex host is a container's ID.
_HEX_HOST = r"[0-9a-f]{12}"
_HOST = (
    r"(?:(?:[~/]\S*[ ])?\$"
    rf"|[\w.-]+@(?!{_HEX_HOST}[:\]\s])[\w.-]+:[^\s#$]*\$"
    rf"|\[[\w.-]+@(?!{_HEX_HOST}[:\]\s])[\w.-]+ [^\]]*\]\$)"
)
HOST_PROMPT = re.compile(rf"^{_HOST} (?=\S)")
# A host prompt with no command after it (`$ ` alone): the author meant a command, so it is
# an error naming the line, not a synopsis (no prompt) nor output of the command before it.
EMPTY_PROMPT = re.compile(rf"^{_HOST}[ \t]*$")
CONTAINER_PROMPT = re.compile(
    r"^(?:[\w.-]+@[\w.-]+:[^\s#$]*#"
    r"|\[[\w.-]+@[\w.-]+ [^\]]*\]#"
    rf"|[\w.-]+@{_HEX_HOST}:[^\s#$]*\$"
    rf"|\[[\w.-]+@{_HEX_HOST} [^\]]*\]\$"
    r"|[/~][^\s#$]* #"  # busybox and alpine: `/ # `, `/app # `
    r"|(?:ba)?sh-\d+(?:\.\d+)*[#$]"  # bash with no bashrc PS1 (the mysql image): `bash-5.1# `
    r") (?=\S)"
)
# A comment: `#` then a space or nothing. `#1 [internal] load` and `#!/bin/sh` are output.
COMMENT = re.compile(r"^#(?:\s|$)")
# `<<EOF`, `<<-EOF`, `<<'EOF'`, `<<"EOF"`, `<<\EOF`, `<<END-OF`; not `<<<` (a here-string).
_HEREDOC = re.compile(
    r"(?<!<)<<(?!<)(?P<dash>-?)[ \t]*"
    r"(?:'(?P<single>[^'\n]+)'|\"(?P<double>[^\"\n]+)\"|\\?(?P<bare>[A-Za-z_][\w.-]*))"
)
# The end of a line that leaves a command open: bash is asked only then (or after a `> `).
_OPENS = re.compile(r"(?:(?:^|[\s;])(?:do|then|else|elif|in)|[{(|]|&&|\|\|)[ \t]*$")
_PS2 = re.compile(r"^>(?: |$)")

_AFTER = {
    "start": "text before the first command is neither a command nor a comment",
    "comment": (
        "text after a comment is neither a command nor output; "
        "start it with # (a comment stands right before a command), "
        "or, if the # line is output, write it with no blank line next to it "
        "(blank lines are not compared)"
    ),
}


def has_prompt(source: str) -> bool:
    """Whether any line of a shell fence starts with a prompt (so it is a transcript).

    ```python
    from docharness.transcript import has_prompt

    assert has_prompt("/ # ls\\nbin dev etc\\n")
    assert not has_prompt("docker run [OPTIONS] IMAGE\\n")
    ```
    """
    return any(reads_as_command(line) for line in source.split("\n"))


def reads_as_command(line: str) -> bool:
    """Whether a transcript line is read as a command (a prompt, even an empty one)."""
    return _prompt(line) is not None or EMPTY_PROMPT.match(line) is not None


def _prompt(line: str) -> re.Match[str] | None:
    return HOST_PROMPT.match(line) or CONTAINER_PROMPT.match(line)


def parse_transcript(block: CodeBlock) -> list[Step]:
    """The steps of a TRANSCRIPT block, with file line numbers."""
    return parse_steps(block.path, block.source, block.line + 1)


def parse_steps(path: Path, source: str, first_line: int) -> list[Step]:
    """The steps of transcript text whose first line is file line ``first_line``.

    Also used for setup/teardown directive bodies. Raises HarnessError on a line that is
    neither a command, a comment, a blank line nor output of the command before it.

    ```python
    from pathlib import Path

    from docharness.transcript import parse_steps

    text = "$ docker ps\\n\\nCONTAINER ID   IMAGE\\n# the next one\\n$ echo 'a\\n> b'\\na\\nb\\n"
    steps = parse_steps(Path("page.md"), text, 10)
    assert [(s.command, s.line) for s in steps] == [("docker ps", 10), ("echo 'a\\nb'", 14)]
    assert [e.text for e in steps[0].expected] == ["CONTAINER ID   IMAGE"]
    ```
    """
    # The fence's last newline ends the last line; it opens no blank one.
    return _Parser(path, source.removesuffix("\n").split("\n"), first_line).steps()


@dataclass
class _Parser:
    path: Path
    lines: list[str]
    first_line: int
    found: list[Step] = field(default_factory=list)

    def steps(self) -> list[Step]:
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            prompt = _prompt(line)
            if prompt is not None:
                in_container = CONTAINER_PROMPT.match(line) is not None
                command, last = self.command(index, len(prompt.group(0)))
                step = Step(prompt.group(0), command, self.number(index), [], in_container)
                self.found.append(step)
                index = last + 1
            elif EMPTY_PROMPT.match(line):
                raise HarnessError(
                    self.path,
                    self.number(index),
                    f"a prompt with no command after it ({line.strip()!r}): write the command "
                    "after the prompt, or remove the line",
                )
            elif not line.strip():
                index += 1
            elif self.commentish(line):
                index = self.comments(index)
            elif self.found:
                self.found[-1].expected.append(ExpectedLine(line, self.number(index)))
                index += 1
            else:
                raise HarnessError(self.path, self.number(index), _AFTER["start"])
        return self.found

    def number(self, index: int) -> int:
        return self.first_line + index

    def commentish(self, line: str) -> bool:
        """A line that may be a comment: any `#` line before the first command, else `# `."""
        return bool(COMMENT.match(line)) or (not self.found and line.lstrip().startswith("#"))

    def comments(self, index: int) -> int:
        """Read the `#` lines from ``index`` (comments, or output); the index after them.

        Before the first command every `#` line is a comment. Later, `# ` lines that lead
        (over blank lines and other comments) to a command or to the end of the block are
        comments, and `# ` lines between output lines are output. A `# ` line next to a
        blank line and followed by text is either a comment that ran on into text (the
        notes' wrapped comment) or output: the author must say which.
        """
        end = index
        while end < len(self.lines) and (
            not self.lines[end].strip() or self.commentish(self.lines[end])
        ):
            end += 1
        if end == len(self.lines) or _prompt(self.lines[end]):
            return end
        blank = any(not line.strip() for line in self.lines[max(index - 1, 0) : end])
        if not self.found or blank:
            raise HarnessError(self.path, self.number(end), _AFTER["comment"])
        expected = self.found[-1].expected
        expected += [ExpectedLine(self.lines[i], self.number(i)) for i in range(index, end)]
        return end

    def command(self, index: int, skip: int) -> tuple[str, int]:
        """The command starting at ``lines[index]`` (after ``skip`` prompt characters).

        Joins `\\` continuations, here-document bodies and PS2 (`> `) lines; returns the
        command and the index of its last line.
        """
        parts = [self.lines[index][skip:].rstrip()]
        pending = _heredocs(parts[0])
        ps2: bool | None = None  # whether the continuation lines carry `> `; None: none yet
        while True:
            following = self.lines[index + 1] if index + 1 < len(self.lines) else None
            continues = bool(pending) or parts[-1].endswith("\\")
            typed_on = following is not None and _PS2.match(following) and ps2 is not False
            if not continues and typed_on:
                continues = _incomplete("\n".join(parts))
            if not continues:
                if _may_be_open(parts) and _incomplete("\n".join(parts)):
                    raise HarnessError(
                        self.path,
                        self.number(index),
                        "the command is not complete at the end of this line: write the lines "
                        "that complete it after bash's `> ` prompt, as a terminal shows them",
                    )
                return "\n".join(parts), index
            if following is None or (not pending and not following.strip()):
                what = "command continues past its block"
                if pending:
                    what = f"here-document {pending[0][1]} not ended"
                raise HarnessError(self.path, self.number(index), what)
            index += 1
            if ps2 is None:
                ps2 = _PS2.match(following) is not None
            if ps2:
                if not _PS2.match(following):
                    raise HarnessError(
                        self.path,
                        self.number(index),
                        "a continuation line without the `> ` prompt the lines before it have",
                    )
                following = following[2:]
            if pending:
                dash, word = pending[0]
                parts.append(following)
                if (following.lstrip("\t") if dash else following) == word:
                    pending.pop(0)
            else:
                parts.append(following.rstrip())
                pending = _heredocs(following)


def _may_be_open(parts: list[str]) -> bool:
    """Whether a command might still be open (cheap): then bash is asked."""
    text = "\n".join(parts)
    return bool(_OPENS.search(parts[-1])) or text.count("'") % 2 == 1 or text.count('"') % 2 == 1


def _heredocs(line: str) -> list[tuple[bool, str]]:
    """The here-documents a command line opens: (`<<-`?, delimiter), in order."""
    return [
        (bool(found["dash"]), found["single"] or found["double"] or found["bare"])
        for found in _HEREDOC.finditer(line)
    ]


@lru_cache(maxsize=1024)
def _incomplete(command: str) -> bool:
    """Whether bash would wait for more lines after ``command`` (shows PS2).

    Asks `bash -n` (syntax check only, nothing runs): the reader's own shell decides what an
    open quote or an unfinished `for`/`if`/`case` is, not a second grammar of ours.
    """
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-n"],
        input=command + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
        check=False,
    )
    return "unexpected end of file" in done.stderr or "unexpected EOF" in done.stderr
