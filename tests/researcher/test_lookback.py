"""The co-publication look-back on synthetic records (runs everywhere) and the landscape store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from detente.errors import InputError
from detente.researcher.editions import EditionIndex, segments
from detente.researcher.lookback import RecordsSource, StoreSource, lookback, person_key


def _a(
    name: str, inst: str, country: str, raw: str | None = None, orcid: str | None = None
) -> dict[str, Any]:
    return {
        "author": {"display_name": name, "orcid": orcid},
        "institutions": [{"display_name": inst, "country_code": country}],
        "raw_affiliation_strings": [raw or inst],
    }


def _w(i: int, year: int, *authors: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"test:w{i}",
        "title": f"Work {i}",
        "publication_year": year,
        "primary_location": {"source": {"display_name": "TestConf"}},
        "authorships": list(authors),
    }


WORKS = [
    # Pat Smith at Example University: co-authors at HIT (listed on §1286 from 29 Jun 2023)
    _w(
        1,
        2024,
        _a("Pat Smith", "Example University", "US", orcid="0000-0002-1825-0097"),
        _a(
            "Li Lei",
            "Harbin Institute of Technology",
            "CN",
            "School of CS, Harbin Institute of Technology, Harbin",
        ),
    ),
    _w(
        2,
        2022,
        _a("Pat Smith", "Example University", "US"),
        _a("Li Lei", "Harbin Institute of Technology", "CN"),
    ),  # before the first §1286 edition
    _w(
        3,
        2023,
        _a("Pat Smith", "Example University", "US"),
        _a("Han Mei", "Harbin Institute of Technology", "CN"),
    ),  # listed mid-2023: cannot tell
    _w(4, 2024, _a("Pat Smith", "Example University", "US"), _a("Ann Lee", "Other College", "US")),
    _w(
        5,
        2015,
        _a("Pat Smith", "Example University", "US"),
        _a("Li Lei", "Harbin Institute of Technology", "CN"),
    ),  # outside the window
    # another Pat Smith, at another place, sharing nobody: a different person
    _w(
        6,
        2024,
        _a("Pat Smith", "Faraway Institute", "GB"),
        _a("Bo Chen", "Entity University", "CN"),
    ),
    # Entity List without dates; a later-listed university
    _w(
        7,
        2025,
        _a("Pat Smith", "Example University", "US"),
        _a("Q Wu", "Entity University", "CN"),
        _a("R Zhao", "Later Listed University", "CN"),
    ),
]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("rec") / "works.jsonl"
    p.write_text("\n".join(json.dumps(w) for w in WORKS) + "\n", encoding="utf-8")
    return p


def test_person_key() -> None:
    assert person_key("Tim K. Marks") == "tim marks" == person_key("tim  marks")
    assert person_key("José Ñúñez") == "jose nunez"


def test_segments_split_units_and_joins_pairs() -> None:
    s = segments("Institute of Computing Technology, Chinese Academy of Sciences")
    assert "chinese academy of sciences institute of computing technology" in s
    assert "tianjin university" not in segments("Tianjin University of Technology")


def test_affiliation_attributes_and_editions(records: Path, index: EditionIndex) -> None:
    rep = lookback(
        RecordsSource([records]),
        index,
        name="Pat Smith",
        affiliation="Example University",
        as_of=date(2026, 6, 1),
        years=5,
    )
    assert rep.common_name  # two groups of works under this name
    assert len(rep.candidates) == 2
    by_work = {(f.work_id, f.entry_name): f for f in rep.findings}
    assert by_work[("test:w1", "Harbin Institute of Technology")].in_force_on_publication is True
    assert by_work[("test:w1", "Harbin Institute of Technology")].confidence == "high"
    assert by_work[("test:w1", "Harbin Institute of Technology")].raw_affiliation.startswith(
        "School of CS"
    )
    assert by_work[("test:w2", "Harbin Institute of Technology")].in_force_on_publication is False
    assert by_work[("test:w3", "Harbin Institute of Technology")].in_force_on_publication is None
    assert (
        by_work[("test:w7", "Entity University")].in_force_on_publication is None
    )  # no date in the source
    assert by_work[("test:w7", "Later Listed University")].in_force_on_publication is False
    assert "test:w6" not in {f.work_id for f in rep.findings}  # the other Pat Smith is not used
    assert "test:w5" not in {f.work_id for f in rep.findings}  # outside the window
    cp = rep.copublications("Pat Smith")
    assert cp[0].person == "Pat Smith"


def test_name_only_is_shown_not_resolved(records: Path, index: EditionIndex) -> None:
    rep = lookback(RecordsSource([records]), index, name="Pat Smith", as_of=date(2026, 6, 1))
    assert rep.common_name and any("Common name" in n for n in rep.notes)
    assert {f.attribution for f in rep.findings} == {"name_only"}
    assert all(f.confidence == "possible" for f in rep.findings)
    assert {f.candidate for f in rep.findings} == {1, 2}


def test_orcid_attributes(records: Path, index: EditionIndex) -> None:
    rep = lookback(
        RecordsSource([records]),
        index,
        orcid="https://orcid.org/0000-0002-1825-0097",
        as_of=date(2026, 6, 1),
    )
    assert [f.work_id for f in rep.findings] == ["test:w1"]
    assert rep.findings[0].attribution == "confirmed"


def test_not_found_is_not_clean(records: Path, index: EditionIndex) -> None:
    rep = lookback(RecordsSource([records]), index, name="Nobody Here", as_of=date(2026, 6, 1))
    assert rep.works_found == 0 and any("not clean" in n for n in rep.notes)


def test_bad_input(records: Path, index: EditionIndex) -> None:
    with pytest.raises(InputError):
        lookback(RecordsSource([records]), index, orcid="12", as_of=date(2026, 6, 1))
    with pytest.raises(InputError):
        lookback(RecordsSource([records]), index, name="X", years=0, as_of=date(2026, 6, 1))
    bad = records.parent / "bad.jsonl"
    bad.write_text('{"id": 1}\n{not json\n', encoding="utf-8")
    with pytest.raises(InputError) as ei:
        RecordsSource([bad])
    assert "bad.jsonl:2" in str(ei.value)


def test_landscape_store_source(records: Path, tmp_path: Path, index: EditionIndex) -> None:
    from detente.landscape.ingest import ingest_records

    db = tmp_path / "land.duckdb"
    ingest_records(WORKS, db)
    src = StoreSource(db)
    try:
        rep = lookback(
            src, index, name="Pat Smith", affiliation="Example University", as_of=date(2026, 6, 1)
        )
    finally:
        src.close()
    hits = {
        (f.work_id, f.in_force_on_publication) for f in rep.findings if f.list_id == "us_dod_1286"
    }
    assert ("test:w1", True) in hits and ("test:w2", False) in hits


def test_cli_researcher(records: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from detente.cli.main import app

    r = CliRunner().invoke(
        app,
        [
            "researcher",
            "Pat Smith",
            "--records",
            str(records),
            "--as-of",
            "2026-06-01",
            "--affiliation",
            "Example University",
            "--lists",
            str(tmp_path / "none"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Lists not loaded" in r.stdout
    r = CliRunner().invoke(
        app, ["researcher", "Pat Smith", "--records", str(tmp_path / "missing.jsonl")]
    )
    assert r.exit_code == 2
