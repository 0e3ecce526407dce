"""Local-file ingest: formats, malformed records, re-runs without duplicates."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from detente.errors import NotFoundError
from detente.landscape.ingest import ingest_paths
from detente.landscape.measures import compute, duckdb_runner

from .conftest import write_jsonl_gz


def _counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for t in ("works", "authorships", "affiliations", "work_countries"):
            row = con.execute(f"SELECT count(*) FROM {t}").fetchone()
            out[t] = int(row[0]) if row else 0
        return out
    finally:
        con.close()


def test_formats_and_rerun(tmp_path: Path, small_corpus: list[dict[str, Any]]) -> None:
    src = tmp_path / "src"
    snap = src / "works" / "updated_date=2025-01-01"
    write_jsonl_gz(snap / "part_000.gz", small_corpus[:3], raw_lines=["{not json", '"just text"'])
    (src / "page.json").write_text(json.dumps({"meta": {"count": 2}, "results": small_corpus[3:5]}))
    (src / "list.json").write_text(json.dumps([small_corpus[5]]))
    db = tmp_path / "db.duckdb"
    r1 = ingest_paths([src], db)
    assert r1.files == 3
    assert r1.records_read == 8 and r1.malformed == 2
    assert any("not valid JSON" in p and "part_000.gz:4" in p for p in r1.problems)
    assert r1.works_stored == 6
    before = _counts(db)
    r2 = ingest_paths([src], db)  # already-ingested files are skipped
    assert r2.files_skipped == 3 and r2.records_read == 0
    r3 = ingest_paths([src], db, force=True)  # forced: read again, still no duplicates
    assert r3.records_read == 8 and _counts(db) == before


def test_newer_version_replaces_older(tmp_path: Path, small_corpus: list[dict[str, Any]]) -> None:
    db = tmp_path / "db.duckdb"
    old = small_corpus[0]
    new = json.loads(json.dumps(old))
    new["updated_date"] = "2026-01-01T00:00:00"
    new["authorships"] = new["authorships"][:1]  # the CN author was removed upstream
    write_jsonl_gz(tmp_path / "a" / "part_0.gz", [new])
    write_jsonl_gz(tmp_path / "b" / "part_0.gz", [old])
    ingest_paths([tmp_path / "a"], db)
    ingest_paths([tmp_path / "b"], db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT country FROM work_countries WHERE work_key = 'W1'").fetchall()
    con.close()
    assert rows == [("US",)]


def test_parallel_workers_same_result(tmp_path: Path, small_corpus: list[dict[str, Any]]) -> None:
    for i, rec in enumerate(small_corpus):
        write_jsonl_gz(tmp_path / "src" / f"part_{i}.gz", [rec])
    ingest_paths([tmp_path / "src"], tmp_path / "one.duckdb")
    ingest_paths([tmp_path / "src"], tmp_path / "two.duckdb", workers=2, batch_size=100)
    assert _counts(tmp_path / "one.duckdb") == _counts(tmp_path / "two.duckdb")


def test_parquet_input(tmp_path: Path, small_corpus: list[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        dict(r, abstract_inverted_index=json.dumps(r["abstract_inverted_index"]))
        for r in small_corpus
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "works.parquet")
    rep = ingest_paths([tmp_path / "works.parquet"], tmp_path / "db.duckdb")
    assert rep.works_stored == 6 and rep.malformed == 0


def test_pair_counting_rules(tmp_path: Path, small_corpus: list[dict[str, Any]]) -> None:
    write_jsonl_gz(tmp_path / "w.jsonl.gz", small_corpus)
    db = tmp_path / "db.duckdb"
    ingest_paths([tmp_path / "w.jsonl.gz"], db)
    con = duckdb.connect(str(db), read_only=True)
    r = compute(duckdb_runner(con), "US", 2020, 2021, subset="all")
    con.close()
    y2020, y2021 = r.years
    assert (y2020.focal_works, y2020.count("CN"), y2020.count("GB")) == (
        3,
        2,
        1,
    )  # W3: dual affiliation
    assert (y2021.all_works, y2021.focal_works, y2021.count("CN")) == (3, 2, 1)
    assert r.top_partners[:2] == ["CN", "GB"]
    cells = {(m.country_a, m.country_b): m.works for m in r.matrix}
    assert cells[("US", "CN")] == cells[("CN", "US")] == 3
    assert cells[("CN", "GB")] == 2


@pytest.mark.parametrize("name", ["w.jsonl.gz", "w.json.gz"])
def test_truncated_or_corrupt_gzip_is_reported_not_raised(
    tmp_path: Path, small_corpus: list[dict[str, Any]], name: str
) -> None:
    whole = write_jsonl_gz(tmp_path / "whole.jsonl.gz", small_corpus * 200).read_bytes()
    truncated = tmp_path / "t" / name
    truncated.parent.mkdir()
    truncated.write_bytes(whole[: len(whole) // 2])
    corrupt = tmp_path / "c" / name
    corrupt.parent.mkdir()
    corrupt.write_bytes(whole[:10] + bytes(range(256)) * 4)
    for path in (truncated, corrupt):
        rep = ingest_paths([path], tmp_path / f"{path.parent.name}.duckdb")
        assert rep.malformed == 1
        assert any("truncated or corrupt" in p and str(path) in p for p in rep.problems)
        if path is truncated and name.endswith(".jsonl.gz"):
            assert rep.works_stored == len(small_corpus)  # the lines before the cut are kept


def test_missing_input(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        ingest_paths([tmp_path / "nope.jsonl"], tmp_path / "db.duckdb")


@pytest.mark.shared
def test_paperlists_native_matches_shaped(shared_biblio: Path, tmp_path: Path) -> None:
    raw = shared_biblio / "paperlists_ai_venues" / "paperlists_raw_sample500.jsonl.gz"
    rep = ingest_paths([raw], tmp_path / "db.duckdb")
    assert rep.records_read == 500 and rep.malformed == 0
    shaped: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    with gzip.open(
        shared_biblio / "paperlists_ai_venues" / "works_openalex_shaped.jsonl.gz", "rb"
    ) as fh:
        for line in fh:
            r = orjson.loads(line)
            cs = tuple(sorted({c for a in r["authorships"] for c in a["countries"]}))
            shaped.setdefault((r["id"], r["title"]), set()).add(cs)
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT w.source_id, w.title, list_sort(list(c.country) FILTER (WHERE c.country IS NOT NULL)) "
        "FROM works w LEFT JOIN work_countries c USING (work_key) GROUP BY ALL"
    ).fetchall()
    con.close()
    assert len(rows) == 500
    for sid, title, cs in rows:
        assert tuple(cs or ()) in shaped[(sid, title)]


@pytest.mark.shared
def test_real_api_pages_ingest(shared_biblio: Path, tmp_path: Path) -> None:
    rep = ingest_paths([shared_biblio / "openalex_api_samples"], tmp_path / "db.duckdb")
    assert rep.records_read == 376 and rep.malformed == 0 and rep.works_stored == 291
