"""Fixtures for the rule-pack and researcher tests: a small, synthetic dated list index."""

from __future__ import annotations

from datetime import date

import pytest

from detente.researcher.editions import EditionIndex, Listing


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
