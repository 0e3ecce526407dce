"""Compute a landscape from a store with the chosen engine (tagging first if needed)."""

from __future__ import annotations

import time
from pathlib import Path

from detente.errors import NotFoundError
from detente.landscape.measures import (
    Counting,
    LandscapeResult,
    Subset,
    check_country,
    compute,
    duckdb_runner,
)
from detente.landscape.store import LandscapeStore
from detente.landscape.tagging import tag_store
from detente.landscape.taxonomy import SafetyDefinition


def landscape(
    db_path: Path,
    focal: str,
    year_from: int,
    year_to: int,
    *,
    subset: Subset = "safety",
    area: str | None = None,
    top: int = 8,
    definition: SafetyDefinition | None = None,
    engine: str = "duckdb",
    min_n: int = 30,
    counting: Counting = "whole",
    institution: str | None = None,
) -> tuple[LandscapeResult, str | None]:
    """(result, notice): the notice says when the keyword fallback was used."""
    if not db_path.exists():
        raise NotFoundError(f"no landscape database at {db_path} (run `detente landscape ingest`)")
    focal = check_country(focal)
    with LandscapeStore(db_path) as store:
        source = data_source(store)
        rep = tag_store(store, definition)
        if engine == "spark":
            store.close()
            from detente.landscape.spark_job import compute_from_duckdb

            result = compute_from_duckdb(
                db_path, focal, year_from, year_to, subset=subset, area=area, top=top
            )
        else:
            result = compute(
                duckdb_runner(store.con),
                focal,
                year_from,
                year_to,
                subset=subset,
                area=area,
                top=top,
                min_n=min_n,
                counting=counting,
                institution=institution,
            )
    result.source = source
    result.generated = time.strftime("%Y-%m-%d", time.gmtime())
    result.min_n = min_n
    result.definition = (
        "all works" if subset == "all" and area is None else f"AI safety by {rep.method}"
    )
    return result, rep.notice


def data_source(store: LandscapeStore) -> str:
    """What the store holds, for the chart's footer: input file names (or the API)."""
    rows = store.con.execute(
        "SELECT path, works FROM ingested_files ORDER BY works DESC, path"
    ).fetchall()
    names = [Path(str(p)).name for p, _ in rows]
    api = store.con.execute("SELECT count(*) FROM meta WHERE key LIKE 'api_cursor:%'").fetchone()
    if api and api[0]:
        names.append("OpenAlex API")
    if not names:
        return "unknown source"
    more = f" (+{len(names) - 3} more)" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more
