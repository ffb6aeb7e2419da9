"""Every ID and digest a page shows was printed by a recorded run (docharness.ledger)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docharness import ledger
from docharness.fences import parse_page, read_page
from docharness.model import HarnessError
from docharness.normalise import Bindings
from docharness.update import update_text

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
PAGE = Path("docs/page.md")

HAND = "8b5e4c2b0a1f3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789"
REAL = "5f0d7d6c2a9e41b3a8e1f27c4d93b0e6a1c5d8f2b7e4a09c3d6f1b8e2a5c7d90"
DIGEST = "sha256:" + "c" * 64
TEXT = f"""\
```shell
$ docker run -d --name web nginx:latest
{HAND}
$ docker ps --format '{{{{.ID}}}} {{{{.Names}}}}'
{HAND[:12]} web
$ docker pull debian:latest
Digest: sha256:ccccccc...
$ docker exec -it web bash
root@{HAND[:12]}:/# exit
exit
```
"""


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_id_a_page_shows_was_printed_by_a_recorded_run(page: Path) -> None:
    """A hand-typed ID or digest fails here, naming page:line; update mode writes real ones."""
    relative = page.relative_to(ROOT)
    missing = ledger.unproven(
        parse_page(page, read_page(page)), ledger.load(ledger.path_for(page, ROOT))
    )
    assert not missing, (
        "no recorded run printed these (run `make update-docs PAGES=" + f"{relative}` to write "
        "the real values):\n" + "\n".join(f"{relative}:{m.line}: {m.value}" for m in missing)
    )


def test_shown_values_are_output_and_container_prompts_not_commands() -> None:
    found = ledger.shown(parse_page(PAGE, TEXT))
    assert [(item.line, item.value) for item in found] == [
        (3, HAND),
        (5, HAND[:12]),
        (7, "sha256:ccccccc..."),
        (9, HAND[:12]),  # the container prompt shows the hostname, a short ID
    ]


def test_a_hand_typed_id_is_unproven_until_recorded() -> None:
    blocks = parse_page(PAGE, TEXT)
    assert {item.value for item in ledger.unproven(blocks, {})} == {
        HAND,
        HAND[:12],
        "sha256:ccccccc...",
    }
    run = {"source": "run"}
    # An elided digest is covered by the full digest a run printed.
    recorded = {HAND: run, HAND[:12]: run, DIGEST: run}
    assert ledger.unproven(blocks, recorded) == []
    # The short form of a recorded long ID is the same real value.
    assert ledger.unproven(blocks, {HAND: run, DIGEST: run}) == []
    assert [m.line for m in ledger.unproven(blocks, {HAND[:12]: run, DIGEST: run})] == [3]


def test_a_short_image_id_is_covered_by_the_recorded_digest_it_starts() -> None:
    # With the containerd image store an image's ID is its manifest's digest: `docker images`
    # shows the first 12 hex digits of the digest `docker pull` printed.
    digest = "sha256:" + "d" * 64
    text = f"```shell\n$ docker pull x\nDigest: {digest}\n$ docker images -q x\n{'d' * 12}\n```\n"
    blocks = parse_page(PAGE, text)
    assert ledger.unproven(blocks, {digest: {"source": "run"}}) == []
    assert [m.value for m in ledger.unproven(blocks, {})] == [digest, "d" * 12]
    other = "sha256:" + "e" * 64
    assert [m.value for m in ledger.unproven(blocks, {other: {"source": "run"}})] == [
        digest,
        "d" * 12,
    ]


PS = f"""\
```shell
$ docker run -d --name web nginx:latest
{HAND}
$ docker ps --format '{{{{.ID}}}}   {{{{.Status}}}}   {{{{.Names}}}}'
{HAND[:12]}   Up 2 seconds   web
$ docker logs {HAND[:12]}
$ docker exec -it web bash
root@{HAND[:12]}:/# exit
exit
```
"""


def test_update_writes_the_real_value_in_place_of_an_unproven_one() -> None:
    blocks = parse_page(PAGE, PS)
    outputs = {2: [REAL], 4: [f"{REAL[:12]}   Up 5 minutes   web"], 6: []}
    bindings = Bindings({HAND: REAL})  # what the run bound: the page's value matched
    kept = update_text(PS, blocks, outputs, bindings)
    assert kept == PS  # without a ledger's say, a matching line stays
    unproven = frozenset({HAND, HAND[:12]})
    new = update_text(PS, blocks, outputs, bindings, unproven).splitlines()
    assert new[2] == REAL
    # Only the value changes: the rest of the line (and its alignment) stays as written.
    assert new[4] == f"{REAL[:12]}   Up 2 seconds   web"
    # Commands and prompts that repeat the value follow it.
    assert new[5] == f"$ docker logs {REAL[:12]}"
    assert new[7] == f"root@{REAL[:12]}:/# exit"


def test_after_update_records_printed_values_keeps_earlier_ones_and_drops_the_rest() -> None:
    earlier = {
        "sha256:ccccccc...": {"source": "notes", "line": "188"},
        "0123456789ab": {"source": "run"},
    }
    text = TEXT.replace(HAND, REAL).replace(HAND[:12], REAL[:12])
    blocks = parse_page(PAGE, text)
    origin = {"source": "run", "date": "2026-12-02"}
    fresh = ledger.after_update(earlier, blocks, [REAL, REAL[:12]], origin)
    assert fresh == {
        REAL: origin,
        REAL[:12]: origin,
        "sha256:ccccccc...": {"source": "notes", "line": "188"},
    }
    # A value neither printed now nor recorded before is not recorded.
    assert HAND not in ledger.after_update({}, parse_page(PAGE, TEXT), [REAL], origin)


def test_ledger_files_round_trip_and_bad_ones_name_themselves(tmp_path: Path) -> None:
    where = tmp_path / "docs" / "page.md.json"
    ledger.save(where, {HAND: {"source": "run", "date": "2026-12-02"}})
    assert ledger.load(where) == {HAND: {"date": "2026-12-02", "source": "run"}}
    ledger.save(where, {})
    assert not where.exists()
    where.write_text('{"abc": {"source": "typed"}}', encoding="utf-8")
    with pytest.raises(HarnessError, match=r"page\.md\.json:1: abc: origin needs a source"):
        ledger.load(where)


def test_the_ledger_mirrors_the_page_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DOCHARNESS_LEDGER_DIR", raising=False)
    page = ROOT / "docs" / "run-nginx.md"
    assert ledger.path_for(page, ROOT) == ROOT / "ledger" / "docs" / "run-nginx.md.json"
    monkeypatch.setenv("DOCHARNESS_LEDGER_DIR", str(tmp_path))
    assert ledger.path_for(Path("/elsewhere/p.md"), ROOT) == tmp_path / "p.md.json"


def test_a_recorded_short_id_stays_when_an_unproven_long_one_shares_its_digits() -> None:
    """The notes' `root@328d830cc003` of a second container stays when the site's invented
    long ID `328d830cc003abf…` of the first one is replaced."""
    notes = HAND[:12]
    text = f"""\
```shell
$ docker create --name one debian:latest
{HAND}
```

```shell
$ docker run -it --name two debian:latest
root@{notes}:/# exit
exit
```
"""
    blocks = parse_page(PAGE, text)
    bindings = Bindings({HAND: REAL, notes: "0123456789ab"})
    new = update_text(text, blocks, {2: [REAL]}, bindings, frozenset({HAND})).splitlines()
    assert new[2] == REAL
    assert new[7] == f"root@{notes}:/# exit"
