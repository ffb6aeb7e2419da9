"""The engine matrix's contract: ``report/test-engines.json``, written by ``make test-engines``
(``docharness.matrix``) and read by the site's badges (``hooks/test_badges.py``).

Per engine row its Docker versions, its image store and the label the site names it by; per
block its status on every engine and, computed by the writer, the rows it passed and failed
on, oldest first. The reader only decides whether to trust the matrix for a block: where the
report's own engine is a row of it that gave the block the report's status (``trusted``).
"""

from __future__ import annotations

from pathlib import Path
from typing import NotRequired

from pydantic import TypeAdapter, ValidationError

# pydantic reads TypedDicts of typing_extensions only, on Python 3.11.
from typing_extensions import TypedDict

from contracts.report import Docker, Status, write_json

MATRIX_NAME = "test-engines.json"  # beside the report the site reads
# How a row on the containerd image store is labelled: sid's 28.5 runs on both stores, and
# "28.5 · 28.5" would not tell the reader which is which.
STORE_LABEL = " (containerd 저장소)"


def engine_label(docker: Docker) -> str:
    """A run's engine as the site names it: its server version, with STORE_LABEL when its
    daemon ran the containerd image store (the report's ``store``; a report without one ran
    the classic store, the only one recorded before)."""
    server = docker["server"] or "?"
    return server + (STORE_LABEL if docker.get("store") == "containerd" else "")


class EngineResult(TypedDict):
    """A block's result on one engine row."""

    status: Status
    reason: str | None


class EngineRow(TypedDict):
    """One engine row: the versions its run reported and the image store it ran."""

    client: str
    server: str
    store: str  # "classic", "containerd", or "?" for a row lab.engines does not know
    label: str  # the server version as the site names the row (STORE_LABEL on containerd)


class MatrixBlock(TypedDict):
    page: str  # relative to the repository, POSIX form
    line: int  # the opening fence's line
    engines: dict[str, EngineResult]  # engine row name -> the block's result there
    passed_on: list[str]  # the labels of the rows it passed on, oldest first
    failed_on: list[str]  # the labels of the rows it failed on, oldest first


class EngineMatrix(TypedDict):
    engines: dict[str, EngineRow]  # in the order the rows ran, the default last
    blocks: list[MatrixBlock]  # sorted by page and line
    outcomes: NotRequired[dict[str, str]]  # row -> passed, failed or unavailable


MATRIX = TypeAdapter(EngineMatrix)


class MatrixError(ValueError):
    """A file that is not an engine matrix."""


def read_matrix(path: Path) -> EngineMatrix | None:
    """The matrix at ``path``; None when there is none (``make test-engines`` never ran)."""
    if not path.exists():
        return None
    try:
        return MATRIX.validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise MatrixError(
            f"{path}: not an engine matrix ({where}: {first['msg']}): an older "
            "`make test-engines` may have written it; run it again, or delete the file"
        ) from None


def write_matrix(path: Path, matrix: EngineMatrix) -> None:
    text = MATRIX.dump_json(matrix, indent=2, warnings="error").decode()
    write_json(path, text + "\n")


def trusted(
    matrix: EngineMatrix, label: str, page: str, line: int, status: Status
) -> MatrixBlock | None:
    """The matrix's record of a block, when it agrees with the report: the report's engine
    (``label``, engine_label of its versions and store) is a row of the matrix that gave the
    block the report's ``status``. A matrix older than the page's last edit would not; None
    then."""
    default = next((n for n, row in matrix["engines"].items() if row["label"] == label), None)
    found = next((b for b in matrix["blocks"] if (b["page"], b["line"]) == (page, line)), None)
    if default is None or found is None:
        return None
    there = found["engines"].get(default)
    return found if there is not None and there["status"] == status else None
