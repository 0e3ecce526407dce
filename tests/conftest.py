"""Shared test fixtures.

Data under ``../shared`` is read in place, never copied into the repo.  Tests
that need it are skipped, with the reason shown, when it is absent.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from detente.researcher.editions import EditionIndex, Listing

REPO = Path(__file__).resolve().parents[1]


def shared_root() -> Path | None:
    env = os.environ.get("DETENTE_SHARED")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared", REPO.parent.parent / "shared"]
    for c in candidates:
        if (c / "data").is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def shared() -> Path:
    root = shared_root()
    if root is None:
        pytest.skip("../shared not found (set DETENTE_SHARED): real list/biblio data unavailable")
    return root


@pytest.fixture(scope="session")
def shared_lists(shared: Path) -> Path:
    return shared / "data" / "lists"


@pytest.fixture(scope="session")
def shared_biblio(shared: Path) -> Path:
    return shared / "data" / "biblio"


# ---- dated list editions shared by the packs and researcher tests --------------------------
def listing(
    list_id: str,
    name: str,
    start: date | None,
    *,
    end: date | None = None,
    known_on: date | None = None,
    aliases: tuple[str, ...] = (),
    acronyms: tuple[str, ...] = (),
) -> Listing:
    return Listing(
        list_id=list_id,
        name=name,
        aliases=aliases,
        acronyms=acronyms,
        countries=(),
        start=start,
        start_latest=start,
        end=end,
        known_on=known_on or start or date(2026, 3, 30),
        edition=f"test edition of {list_id}",
        date_basis="synthetic test listing",
    )


@pytest.fixture(scope="session")
def index() -> EditionIndex:
    ls = [
        listing("us_dod_1286", "Harbin Institute of Technology", date(2023, 6, 29)),
        listing("us_dod_1286", "Hundred Talents Plan", date(2023, 6, 29)),
        listing("us_dod_1286", "Later Listed University", date(2026, 7, 1)),
        listing("us_dod_1260h", "Test Military Co", date(2021, 1, 1)),
        listing(
            "us_bis_entity_list",
            "Entity University",
            None,
            known_on=date(2026, 3, 30),
            acronyms=("EU",),
        ),
        listing("cn_uel", "Lockheed Martin Corporation", date(2023, 2, 16)),
        listing("cn_countermeasures", "Raytheon Technologies", date(2022, 2, 21)),
        listing("cn_export_control", "Boeing Defense", date(2024, 1, 2)),
        listing("ca_ised_nro", "Named Research Org", date(2024, 1, 16)),
    ]
    loaded = {x.list_id for x in ls}
    return EditionIndex(ls, loaded, {k: "synthetic" for k in loaded})
