"""MkDocs hook: shell transcripts highlighted like a terminal: commands coloured, output plain.

Pygments' bash lexer reads a whole transcript as a script, so output is coloured as code
(`2.0` as a number, `for` as a keyword). This lexer takes the fences the harness runs
(`shell`, `console`, `bash`, `sh`, ...): in a block with a prompt it takes the harness's own
reading of the block (docharness.transcript: prompts, continuations, here-documents, which `#`
lines are comments): the prompt is a prompt, the program name a name, the rest of a command
bash, a comment a comment, the output plain. A block without prompts (a synopsis, a script),
or one the harness refuses, stays with the bash lexer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pygments.lexers
from pygments.lexer import Lexer
from pygments.lexers.shell import BashLexer
from pygments.token import Comment, Generic, Name, Text, Whitespace, _TokenType

from docharness.kinds import SHELL_LANGUAGES
from docharness.model import HarnessError, Step
from docharness.transcript import has_prompt, parse_steps

PROGRAM = re.compile(r"\s*(?:sudo\s+)?([\w./-]+)")
PS2 = "> "


def _steps(text: str) -> list[Step] | None:
    """The block's steps as the harness reads them (line 1 is the block's first line); None
    for a block without prompts or one the harness refuses (its page fails its test)."""
    if not has_prompt(text):
        return None
    try:
        return parse_steps(Path("<block>"), text, 1)
    except HarnessError:
        return None


class TranscriptLexer(Lexer):
    """A terminal session as the notes write it."""

    name = "Transcript"
    aliases = sorted(SHELL_LANGUAGES)

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, _TokenType, str]]:
        bash = BashLexer(**self.options)
        steps = _steps(text)
        if steps is None:
            yield from bash.get_tokens_unprocessed(text)
            return
        # Line numbers (1-based) of each command's first line, its other lines, the output.
        firsts = {step.line: step for step in steps}
        rest = {  # a continuation line -> its text as the command has it
            step.line + offset: typed
            for step in steps
            for offset, typed in enumerate(step.command.split("\n")[1:], start=1)
        }
        output = {expected.line for step in steps for expected in step.expected}
        position = 0
        for number, line in enumerate(text.splitlines(keepends=True), start=1):
            if number in firsts:
                prompt = firsts[number].prompt
                yield position, Generic.Prompt, prompt
                yield from self._command(bash, line[len(prompt) :], position + len(prompt), True)
            elif number in rest:
                # Typed after bash's PS2 `> `: the command has the line without it.
                ps2 = line.startswith(PS2) and line[2:].rstrip() == rest[number].rstrip()
                start = len(PS2) if ps2 else 0
                if ps2:
                    yield position, Generic.Prompt, PS2
                yield from self._command(bash, line[start:], position + start, False)
            elif number in output or not line.strip():
                yield position, Generic.Output, line
            else:
                yield position, Comment.Single, line
            position += len(line)

    @staticmethod
    def _command(
        bash: BashLexer, command: str, position: int, first: bool
    ) -> Iterator[tuple[int, _TokenType, str]]:
        """A command line: its program name (on the prompt's line) as a name, the rest bash."""
        program = PROGRAM.match(command) if first else None
        done = 0
        if program is not None:
            if program.start(1):
                yield position, Text, command[: program.start(1)]
            yield position + program.start(1), Name.Function, program.group(1)
            done = program.end()
        for index, token, value in bash.get_tokens_unprocessed(command[done:]):
            # Spaces as plain text: no style colours them, and each would be a <span> more
            # for the page and for the search plugin to read.
            yield position + done + index, Text if token is Whitespace else token, value


def register() -> None:
    """Make the shell fence names select TranscriptLexer, ahead of Pygments' own lexers.

    Pygments finds a lexer by walking its LEXERS table in order and taking the class from a
    cache; an entry placed first, with its class already cached, wins for these names. Both
    tables are changed in place: `pygments.lexers` swaps itself for a copy of its module, and
    its functions read the original tables.
    """
    table: dict[str, Any] = pygments.lexers.LEXERS  # type: ignore[attr-defined]
    others = [(key, value) for key, value in table.items() if key != TranscriptLexer.name]
    table.clear()
    table[TranscriptLexer.name] = (
        __name__,
        TranscriptLexer.name,
        tuple(TranscriptLexer.aliases),
        (),
        (),
    )
    table.update(others)
    pygments.lexers._lexer_cache[TranscriptLexer.name] = TranscriptLexer  # type: ignore[attr-defined]


def on_config(config: Any) -> Any:
    register()
    return config
