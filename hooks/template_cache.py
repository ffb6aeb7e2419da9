"""MkDocs hook: Jinja keeps the theme's compiled templates between builds, in .cache/jinja/.

Compiling Material's templates was about a fifth of a build's time, every build, for files
that change only when Material does. Jinja's own bytecode cache checks each template's source
before it uses a compiled copy, so a changed template (ours in overrides/ or a new Material)
is compiled again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache

FOLDER = Path(".cache") / "jinja"


def on_env(env: Environment, config: Any, **_: Any) -> Environment:
    folder = Path(config.config_file_path).resolve().parent / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env
