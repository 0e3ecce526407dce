"""The native (DuckDB SQL) ingest stores exactly what the Python ingest stores."""

from __future__ import annotations

import copy
import importlib.util
import random
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from detente.landscape.ingest import ingest_paths

from .conftest import write_jsonl_gz

TABLES = {
    "works": "work_key, source_id, year, title, abstract, venue, type, language, updated, "
    "topics, concepts, keywords, n_authors",
    "authorships": "work_key, author_pos, author_id, author_name, countries",
    "affiliations": "work_key, author_pos, inst_key, inst_name, country",
    "work_countries": "work_key, country",
}


def _rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: sorted(
                con.execute(f"SELECT {cols} FROM {t}").fetchall(),
                key=lambda r: tuple(str(x) for x in r),
            )
            for t, cols in TABLES.items()
        }
    finally:
        con.close()


def _both(tmp_path: Path, src: Path) -> tuple[Any, Any, dict[str, list[tuple[Any, ...]]]]:
    nat = ingest_paths([src], tmp_path / "native.duckdb")
    py = ingest_paths([src], tmp_path / "python.duckdb", native=False)
    a, b = _rows(tmp_path / "native.duckdb"), _rows(tmp_path / "python.duckdb")
    assert a == b
    assert (nat.records_read, nat.malformed, nat.works_stored) == (
        py.records_read,
        py.malformed,
        py.works_stored,
    )
    return nat, py, a


@pytest.fixture(scope="module")
def bench_module() -> Any:
    path = Path(__file__).resolve().parents[2] / "bench" / "bench_landscape.py"
    spec = importlib.util.spec_from_file_location("bench_landscape", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_landscape"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_native_equals_python_on_snapshot_shape(tmp_path: Path, bench_module: Any) -> None:
    rng = random.Random(7)
    insts = bench_module._inst_pool(random.Random(0), 200)
    works = [bench_module.make_work(rng, n, insts) for n in range(600)]
    # Shapes the SQL must reproduce exactly: missing/empty fields, name fallbacks,
    # repeated topics, duplicate and negative positions, lower-case ids, no authors.
    works[0]["abstract_inverted_index"] = {"b": [1, 0], "a": [1], "c": [-3]}
    works[1]["abstract_inverted_index"] = {}
    works[1]["abstract"] = "plain abstract"
    works[2]["title"] = ""
    works[3]["title"] = None
    works[3]["display_name"] = None
    works[4]["authorships"] = []
    works[4]["aff_country_unique"] = "US"  # authorships present: not paperlists
    works[5]["id"] = "w5000000005"
    works[6]["topics"] = [works[6]["primary_topic"], None, {"display_name": "", "id": "T9"}]
    works[7]["keywords"] = [{"keyword": "kw only"}, {"display_name": None, "id": None}]
    works[8]["primary_location"] = None
    works[9]["authorships"][0]["author"] = None
    works[9]["authorships"][0]["countries"] = ["us", None]
    works[10]["authorships"][0]["institutions"] = [
        {
            "id": None,
            "ror": "https://ror.org/042nb2s44",
            "display_name": "MIT",
            "country_code": "US",
        }
    ]
    works[11]["publication_year"] = None
    works[12]["abstract_inverted_index"] = {"": [0]}
    works[13]["primary_topic"] = None
    works[14]["concepts"] = None
    snap = tmp_path / "snap" / "works" / "updated_date=2025-01-01"
    write_jsonl_gz(snap / "part_000.gz", works[:300])
    write_jsonl_gz(snap / "part_001.gz", works[300:])
    nat, py, rows = _both(tmp_path, tmp_path / "snap")
    assert nat.files_native == 2 and py.files_native == 0
    assert nat.malformed == 0 and len(rows["works"]) == 600
    abstracts = {r[0]: r[4] for r in rows["works"]}
    assert abstracts["W4000000000"] == "c b a b"
    assert abstracts["W4000000001"] == "plain abstract"
    assert abstracts["W4000000012"] == ""


@pytest.mark.parametrize(
    "change",
    [
        lambda w: w.update(title=12345),  # number as text
        lambda w: w.update(publication_year="2020"),  # year as a string
        lambda w: w.update(publication_year=99),  # year out of range: malformed
        lambda w: w.update(abstract_inverted_index={"a": [0.5], "b": ["1"], "c": [2]}),
        lambda w: w["authorships"][0]["institutions"].append(None),  # malformed
        lambda w: w["authorships"][0].update(countries=[" us "]),
        lambda w: w.update(topics=["a plain string"]),
        lambda w: w.update(id=" W42 "),  # Python strips around a W id
        # Python lower-cases these two differently from DuckDB: kept on the Python path
        lambda w: w["authorships"][0]["institutions"][0].update(
            id=None, ror=None, display_name="İTÜ"
        ),
        lambda w: w["authorships"][0]["institutions"][0].update(
            id=None, ror=None, display_name="ΟΔΟΣ"
        ),
        # a W id, no authorships and paperlists' field: Python converts it as paperlists
        lambda w: (w.pop("authorships"), w.update(aff_country_unique="US;CN")),
        lambda w: w.update(authorships=None),
    ],
)
def test_unusual_records_fall_back_to_python(
    tmp_path: Path, bench_module: Any, change: Any
) -> None:
    rng = random.Random(1)
    insts = bench_module._inst_pool(random.Random(0), 50)
    works = [bench_module.make_work(rng, n, insts) for n in range(20)]
    odd = copy.deepcopy(works[3])
    change(odd)
    works[3] = odd
    write_jsonl_gz(tmp_path / "snap" / "part_000.gz", works)
    nat, _, _ = _both(tmp_path, tmp_path / "snap")
    assert nat.files_native == 0


@pytest.mark.parametrize(
    "change",
    [
        lambda w: w.update(id="paperlists:x:1"),  # not an OpenAlex id: content-hashed key
        lambda w: w.update(id=None),  # no id, a title: "h:" + content hash
        lambda w: w["authorships"][0]["institutions"][0].update(id=None, ror=None),
        lambda w: w["authorships"][0]["institutions"][0].update(
            id=None, ror=None, display_name="  Université\u00a0de   Montréal\tÉTS "
        ),
        lambda w: w["authorships"][0]["institutions"][0].update(id=None, ror=None, display_name=""),
    ],
)
def test_other_id_forms_stay_native(tmp_path: Path, bench_module: Any, change: Any) -> None:
    """Any id form and name-only institutions: DuckDB computes the same keys as Python."""
    rng = random.Random(1)
    insts = bench_module._inst_pool(random.Random(0), 50)
    works = [bench_module.make_work(rng, n, insts) for n in range(20)]
    for i in (3, 7):
        odd = copy.deepcopy(works[i])
        change(odd)
        works[i] = odd
    write_jsonl_gz(tmp_path / "snap" / "part_000.gz", works)
    nat, _, _ = _both(tmp_path, tmp_path / "snap")
    assert nat.files_native == 1


@pytest.mark.shared
def test_paperlists_sample_native(paperlists_file: Path, tmp_path: Path) -> None:
    """The real shared file (first 3,000 records): native path, rows equal to Python's."""
    import gzip

    out = tmp_path / "pl" / "sample.jsonl.gz"
    out.parent.mkdir()
    with gzip.open(paperlists_file, "rt") as src, gzip.open(out, "wt") as dst:
        for i, line in enumerate(src):
            if i >= 3000:
                break
            dst.write(line)
    nat, _, rows = _both(tmp_path, out)
    assert nat.files_native == 1 and len(rows["works"]) == 3000


def test_bad_lines_and_duplicates_fall_back(tmp_path: Path, bench_module: Any) -> None:
    rng = random.Random(2)
    insts = bench_module._inst_pool(random.Random(0), 50)
    works = [bench_module.make_work(rng, n, insts) for n in range(10)]
    write_jsonl_gz(tmp_path / "a" / "part_000.gz", works, raw_lines=["{not json"])
    newer = copy.deepcopy(works[0])
    newer["updated_date"] = "2026-01-01T00:00:00"
    write_jsonl_gz(tmp_path / "a" / "part_001.gz", [works[0], newer, works[1]])
    write_jsonl_gz(tmp_path / "a" / "part_002.gz", works[5:])  # clean: native
    nat, _, _ = _both(tmp_path, tmp_path / "a")
    assert nat.files_native == 1 and nat.malformed == 1


def test_native_rerun_no_duplicates(tmp_path: Path, bench_module: Any) -> None:
    rng = random.Random(3)
    insts = bench_module._inst_pool(random.Random(0), 50)
    works = [bench_module.make_work(rng, n, insts) for n in range(30)]
    write_jsonl_gz(tmp_path / "s" / "x" / "part_000.gz", works[:20])
    write_jsonl_gz(tmp_path / "s" / "y" / "part_000.gz", works[10:])  # overlaps
    db = tmp_path / "db.duckdb"
    r1 = ingest_paths([tmp_path / "s"], db)
    first = _rows(db)
    r2 = ingest_paths([tmp_path / "s"], db, force=True)
    assert r1.files_native == r2.files_native == 2
    assert r1.works_stored == r2.works_stored == 30 and _rows(db) == first
