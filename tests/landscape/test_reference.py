"""Acceptance: per-year US co-authorship counts equal the shared reference exactly."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from detente.landscape.measures import compute, duckdb_runner

pytestmark = pytest.mark.shared


def test_counts_match_reference_exactly(paperlists_db: Path, shared_biblio: Path) -> None:
    ref_path = (
        shared_biblio / "paperlists_ai_venues" / "reference_us_coauthorship_counts_by_year.csv"
    )
    with ref_path.open(newline="") as fh:
        ref = list(csv.DictReader(fh))
    years = [int(r["publication_year"]) for r in ref]
    con = duckdb.connect(str(paperlists_db), read_only=True)
    try:
        # "All papers": every record of the file is a paper (ids are not unique upstream).
        result = compute(
            duckdb_runner(con), "US", min(years), max(years), subset="all", with_areas=False
        )
    finally:
        con.close()
    by_year = {y.year: y for y in result.years}
    partners = [c for c in ref[0] if c.startswith("us_and_")]
    assert len(partners) == 13
    for row in ref:
        y = by_year[int(row["publication_year"])]
        assert y.all_works == int(row["works"]), row["publication_year"]
        assert y.focal_works == int(row["works_with_us"]), row["publication_year"]
        for col in partners:
            code = col.removeprefix("us_and_").upper()
            assert y.count(code) == int(row[col]), (row["publication_year"], col)
    assert set(by_year) == set(years)


def test_figure_for_ai_safety_subset(paperlists_db: Path, tmp_path: Path) -> None:
    import shutil

    from detente.landscape.figure import draw, write_tables
    from detente.landscape.service import landscape

    db = tmp_path / "copy.duckdb"
    shutil.copy(paperlists_db, db)
    result, notice = landscape(db, "US", 2017, 2024)
    assert notice == "classifier not trained; using keyword definition"
    assert result.definition == "AI safety by keyword"
    assert [y.year for y in result.years] == list(range(2017, 2025))
    assert all(y.focal_works > 50 for y in result.years)
    assert "CN" in result.top_partners[:2] and "GB" in result.top_partners[:3]
    assert result.institutions and result.matrix and len(result.areas) == 8
    files = draw(result, tmp_path / "out") + write_tables(result, tmp_path / "out")
    names = {f.suffix for f in files}
    assert {".svg", ".png", ".csv", ".json"} <= names
    assert all(f.stat().st_size > 0 for f in files)
    assert (tmp_path / "out" / "landscape_US_2017-2024_safety.png").read_bytes()[:4] == b"\x89PNG"
    area, _ = landscape(db, "US", 2017, 2024, area="verification")
    assert 0 < sum(y.focal_works for y in area.years) < sum(y.focal_works for y in result.years)
