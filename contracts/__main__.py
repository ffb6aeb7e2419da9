"""``python -m contracts schema [FOLDER]``: write the contracts' JSON Schemas (default
``report/schemas``, beside the reports, not committed)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from contracts.layout import Layout
from contracts.schemas import write


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "schema" or len(argv) > 2:
        print("usage: python -m contracts schema [FOLDER]", file=sys.stderr)
        return 2
    folder = Path(argv[1]) if len(argv) == 2 else Layout.from_env(os.environ).report / "schemas"
    for path in write(folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
