"""MkDocs hook: shell transcripts highlighted like a terminal: commands coloured, output plain.

Pygments' bash lexer reads a whole transcript as a script, so output is coloured as code
(`2.0` as a number, `for` as a keyword). This lexer takes the fences the harness runs
(`shell`, `console`, `bash`, `sh`): in a block with a host prompt it splits lines as the
harness does (docharness.transcript's prompts, `\\` continuations, `#` comments): the prompt
is a prompt, the program name a name, the rest of a command bash, everything else plain
output. A block without prompts (a synopsis, a script) stays with the bash lexer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pygments.lexers
from pygments.lexer import Lexer
from pygments.lexers.shell import BashLexer
from pygments.token import Comment, Generic, Name, Text, _TokenType

from docharness.kinds import SHELL_LANGUAGES
from docharness.transcript import CONTAINER_PROMPT, HOST_PROMPT, has_prompt

PROGRAM = re.compile(r"\s*(?:sudo\s+)?([\w./-]+)")


class TranscriptLexer(Lexer):
    """A terminal session as the notes write it."""

    name = "Transcript"
    aliases = sorted(SHELL_LANGUAGES)

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, _TokenType, str]]:
        bash = BashLexer(**self.options)
        if not has_prompt(text):
            yield from bash.get_tokens_unprocessed(text)
            return
        position = 0
        continuing = False
        for line in text.splitlines(keepends=True):
            prompt = None if continuing else HOST_PROMPT.match(line) or CONTAINER_PROMPT.match(line)
            if prompt is not None or continuing:
                start = prompt.end() if prompt else 0
                if prompt:
                    yield position, Generic.Prompt, prompt.group()
                yield from self._command(bash, line[start:], position + start, first=bool(prompt))
                continuing = line.rstrip("\n").endswith("\\")
            elif line.lstrip().startswith("#"):
                yield position, Comment.Single, line
            else:
                yield position, Generic.Output, line
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
            yield position + done + index, token, value


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
