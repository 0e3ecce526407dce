"""DuckDB and Spark give identical landscape tables on the same data."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detente.landscape.ingest import ingest_paths
from detente.landscape.measures import compute, duckdb_runner
from detente.landscape.store import LandscapeStore
from detente.landscape.tagging import tag_store
from detente.landscape.taxonomy import SafetyDefinition

pytestmark = [pytest.mark.spark, pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from detente.landscape.spark_job import local_session

    sess = local_session("detente-tests", partitions=2)
    sess.sparkContext.setLogLevel("ERROR")
    yield sess
    sess.stop()


@pytest.fixture(scope="session")
def sample(paperlists_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every 5th record of the real file (kept in a temp dir, never in the repo)."""
    out = tmp_path_factory.mktemp("spark") / "sample.jsonl.gz"
    with gzip.open(paperlists_file, "rt") as src, gzip.open(out, "wt") as dst:
        for i, line in enumerate(src):
            if i % 5 == 0:
                dst.write(line)
    return out


def test_duckdb_and_spark_identical(spark: Any, sample: Path, tmp_path: Path) -> None:
    from detente.landscape.spark_job import spark_runner, views_from_json

    db = tmp_path / "db.duckdb"
    ingest_paths([sample], db)
    definition = SafetyDefinition(method="keyword")
    views_from_json(spark, [str(sample)], definition)
    with LandscapeStore(db) as store:
        tag_store(store, definition)
        for subset, area in (("all", None), ("safety", None), ("safety", "robustness")):
            d = compute(duckdb_runner(store.con), "US", 2013, 2025, subset=subset, area=area)  # type: ignore[arg-type]
            s = compute(spark_runner(spark), "US", 2013, 2025, subset=subset, area=area)  # type: ignore[arg-type]
            assert d.years, subset
            assert d.model_dump() == s.model_dump(), (subset, area)
        d_cn = compute(duckdb_runner(store.con), "CN", 2015, 2025)
    s_cn = compute(spark_runner(spark), "CN", 2015, 2025)
    assert d_cn == s_cn


def test_engine_spark_over_duckdb_store(spark: Any, sample: Path, tmp_path: Path) -> None:
    from detente.landscape.spark_job import compute_from_duckdb

    db = tmp_path / "db.duckdb"
    ingest_paths([sample], db)
    with LandscapeStore(db) as store:
        tag_store(store, SafetyDefinition(method="keyword"))
        d = compute(duckdb_runner(store.con), "US", 2015, 2024)
    s = compute_from_duckdb(db, "US", 2015, 2024, spark=spark)
    assert d == s
