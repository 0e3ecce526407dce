"""The landscape DuckDB store: normalised works, authorships, affiliations, countries.

Tables (``seq`` identifies the ingest batch a row came from)::

    works(work_key, source_id, year, title, abstract, venue, type, language, updated,
          topics[], concepts[], keywords[], n_authors, seq)
    authorships(work_key, author_pos, author_id, author_name, countries[], seq)
    affiliations(work_key, author_pos, inst_key, inst_name, country, seq)
    work_countries(work_key, country, seq)        -- one row per (work, country)
    institutions (view)                           -- one row per institution
    work_tags(work_key, is_safety, score, method) -- written by :mod:`.tagging`
    work_areas(work_key, area, score)
    ingested_files(path, size, mtime, works, malformed, finished)
    meta(key, value)

Ingest only appends; :meth:`LandscapeStore.compact` then keeps one version of each work
(latest ``updated``, then latest ``seq``) in every table, so re-runs add no duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.errors import DataSourceError, InputError, NotFoundError
from detente.landscape.normalize import NormWork

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

SCHEMA_VERSION = "1"

DDL = """
CREATE TABLE IF NOT EXISTS works (
  work_key VARCHAR, source_id VARCHAR, year INTEGER, title VARCHAR, abstract VARCHAR,
  venue VARCHAR, type VARCHAR, language VARCHAR, updated VARCHAR,
  topics VARCHAR[], concepts VARCHAR[], keywords VARCHAR[], n_authors INTEGER, seq BIGINT);
CREATE TABLE IF NOT EXISTS authorships (
  work_key VARCHAR, author_pos INTEGER, author_id VARCHAR, author_name VARCHAR,
  countries VARCHAR[], seq BIGINT);
CREATE TABLE IF NOT EXISTS affiliations (
  work_key VARCHAR, author_pos INTEGER, inst_key VARCHAR, inst_name VARCHAR,
  country VARCHAR, seq BIGINT);
CREATE TABLE IF NOT EXISTS work_countries (work_key VARCHAR, country VARCHAR, seq BIGINT);
CREATE TABLE IF NOT EXISTS work_tags (
  work_key VARCHAR, is_safety BOOLEAN, score DOUBLE, method VARCHAR);
CREATE TABLE IF NOT EXISTS work_areas (work_key VARCHAR, area VARCHAR, score DOUBLE);
CREATE TABLE IF NOT EXISTS ingested_files (
  path VARCHAR, size BIGINT, mtime DOUBLE, works BIGINT, malformed BIGINT, finished TIMESTAMP);
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE OR REPLACE VIEW institutions AS
  SELECT inst_key, any_value(inst_name) AS inst_name, any_value(country) AS country,
         count(DISTINCT work_key) AS works
  FROM affiliations GROUP BY inst_key;
"""

CHILD_TABLES = ("authorships", "affiliations", "work_countries")


def arrow_schemas() -> dict[str, pa.Schema]:
    import pyarrow as pa

    s, i, b = pa.string(), pa.int32(), pa.int64()
    ls = pa.list_(pa.string())
    return {
        "works": pa.schema(
            [
                ("work_key", s),
                ("source_id", s),
                ("year", i),
                ("title", s),
                ("abstract", s),
                ("venue", s),
                ("type", s),
                ("language", s),
                ("updated", s),
                ("topics", ls),
                ("concepts", ls),
                ("keywords", ls),
                ("n_authors", i),
                ("seq", b),
            ]
        ),
        "authorships": pa.schema(
            [
                ("work_key", s),
                ("author_pos", i),
                ("author_id", s),
                ("author_name", s),
                ("countries", ls),
                ("seq", b),
            ]
        ),
        "affiliations": pa.schema(
            [
                ("work_key", s),
                ("author_pos", i),
                ("inst_key", s),
                ("inst_name", s),
                ("country", s),
                ("seq", b),
            ]
        ),
        "work_countries": pa.schema([("work_key", s), ("country", s), ("seq", b)]),
    }


def to_arrow(works: Sequence[NormWork], seq: int) -> dict[str, pa.Table]:
    """Column-wise Arrow tables for one batch (the batch must hold distinct keys)."""
    import pyarrow as pa

    schemas = arrow_schemas()
    w: dict[str, list[Any]] = {f: [] for f in schemas["works"].names}
    au: dict[str, list[Any]] = {f: [] for f in schemas["authorships"].names}
    af: dict[str, list[Any]] = {f: [] for f in schemas["affiliations"].names}
    wc: dict[str, list[Any]] = {f: [] for f in schemas["work_countries"].names}
    for x in works:
        k = x.key
        w["work_key"].append(k)
        w["source_id"].append(x.source_id)
        w["year"].append(x.year)
        w["title"].append(x.title)
        w["abstract"].append(x.abstract)
        w["venue"].append(x.venue)
        w["type"].append(x.type)
        w["language"].append(x.language)
        w["updated"].append(x.updated)
        w["topics"].append(x.topics)
        w["concepts"].append(x.concepts)
        w["keywords"].append(x.keywords)
        w["n_authors"].append(len(x.authors))
        for a in x.authors:
            au["work_key"].append(k)
            au["author_pos"].append(a.author_pos)
            au["author_id"].append(a.author_id)
            au["author_name"].append(a.name)
            au["countries"].append(a.countries)
        for f in x.affiliations:
            af["work_key"].append(k)
            af["author_pos"].append(f.author_pos)
            af["inst_key"].append(f.inst_key)
            af["inst_name"].append(f.inst_name)
            af["country"].append(f.country)
        for c in x.countries:
            wc["work_key"].append(k)
            wc["country"].append(c)
    for cols in (w, au, af, wc):
        cols["seq"] = [seq] * len(cols["work_key"])
    return {
        name: pa.table(cols, schema=schemas[name])
        for name, cols in (
            ("works", w),
            ("authorships", au),
            ("affiliations", af),
            ("work_countries", wc),
        )
    }


def available_memory_bytes() -> int | None:
    """MemAvailable from /proc/meminfo (Linux), else None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def default_memory_limit() -> str:
    """DuckDB's memory limit: a quarter of the available memory, between 512 MB and 4 GB.

    ``$DETENTE_DUCKDB_MEMORY`` (e.g. ``1GB``) overrides it.  DuckDB's own default (80 %
    of RAM) lets its buffer pool grow with the store on a shared machine.
    """
    import os

    env = os.environ.get("DETENTE_DUCKDB_MEMORY")
    if env:
        return env
    avail = available_memory_bytes()
    if avail is None:
        return "2GB"
    mb = min(max(avail // 4 // (1 << 20), 512), 4096)
    return f"{mb}MB"


class LandscapeStore:
    """A DuckDB file holding the landscape tables."""

    def __init__(
        self, path: Path, *, read_only: bool = False, memory_limit: str | None = None
    ) -> None:
        import duckdb

        self.path = path
        if read_only and not path.exists():
            raise NotFoundError(f"no landscape database at {path} (run `detente landscape ingest`)")
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con: duckdb.DuckDBPyConnection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise DataSourceError(f"cannot open landscape database {path}: {exc}") from exc
        self.memory_limit = memory_limit or default_memory_limit()
        if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]?i?B", self.memory_limit, re.IGNORECASE):
            raise InputError(f"not a memory size: {self.memory_limit!r} (e.g. 1GB, 512MB)")
        self.con.execute(f"SET memory_limit='{self.memory_limit}'")
        self.con.execute("SET preserve_insertion_order=false")
        if not read_only:
            self.con.execute(DDL)
            self.con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
            )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> LandscapeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta -------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def next_run(self) -> int:
        run = int(self.get_meta("last_run") or "0") + 1
        self.set_meta("last_run", str(run))
        return run

    # -- writing ----------------------------------------------------------------------
    def append_arrow(self, tables: dict[str, pa.Table]) -> None:
        con = self.con
        for name, tbl in tables.items():
            if tbl.num_rows == 0:
                continue
            con.register("_batch", tbl)
            try:
                con.execute(f"INSERT INTO {name} SELECT * FROM _batch")
            finally:
                con.unregister("_batch")

    def append_parquet(self, name: str, files: Sequence[Path]) -> None:
        if files:
            lst = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
            self.con.execute(f"INSERT INTO {name} SELECT * FROM read_parquet([{lst}])")

    def append(self, works: Sequence[NormWork], seq: int) -> None:
        self.append_arrow(to_arrow(works, seq))

    def file_done(self, path: Path) -> bool:
        st = path.stat()
        row = self.con.execute(
            "SELECT 1 FROM ingested_files WHERE path = ? AND size = ? AND mtime = ?",
            [str(path.resolve()), st.st_size, st.st_mtime],
        ).fetchone()
        return row is not None

    def mark_file(self, path: Path, works: int, malformed: int) -> None:
        st = path.stat()
        self.con.execute(
            "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, now())",
            [str(path.resolve()), st.st_size, st.st_mtime, works, malformed],
        )

    def compact(self) -> int:
        """Keep one version of each work everywhere; returns the number of works."""
        con = self.con
        total, distinct = con.execute(
            "SELECT count(*), count(DISTINCT work_key) FROM works"
        ).fetchone() or (0, 0)
        if total != distinct:
            con.execute(
                """CREATE OR REPLACE TEMP TABLE _keep AS
                   SELECT work_key, seq FROM works
                   QUALIFY row_number() OVER (
                     PARTITION BY work_key ORDER BY updated DESC NULLS LAST, seq DESC) = 1"""
            )
            for name in ("works", *CHILD_TABLES):
                con.execute(
                    f"CREATE OR REPLACE TABLE {name} AS SELECT t.* FROM {name} t "
                    "SEMI JOIN _keep k ON t.work_key = k.work_key AND t.seq = k.seq"
                )
            con.execute("DROP TABLE _keep")
            con.execute(DDL)  # re-create the view over the new table
            # Tags refer to work keys only; drop those of works that no longer exist.
            con.execute("DELETE FROM work_tags WHERE work_key NOT IN (SELECT work_key FROM works)")
        self.set_meta("tags_fingerprint", "")  # new works need tagging
        return int(distinct)

    # -- reading ----------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for name in ("works", *CHILD_TABLES, "work_tags", "work_areas"):
            row = self.con.execute(f"SELECT count(*) FROM {name}").fetchone()
            out[name] = int(row[0]) if row else 0
        return out
