"""Compute a landscape from a store with the chosen engine (tagging first if needed)."""

from __future__ import annotations

from pathlib import Path

from detente.errors import NotFoundError
from detente.landscape.measures import LandscapeResult, Subset, compute, duckdb_runner
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
) -> tuple[LandscapeResult, str | None]:
    """(result, notice): the notice says when the keyword fallback was used."""
    if not db_path.exists():
        raise NotFoundError(f"no landscape database at {db_path} (run `detente landscape ingest`)")
    with LandscapeStore(db_path) as store:
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
            )
    result.definition = (
        "all works" if subset == "all" and area is None else f"AI safety by {rep.method}"
    )
    return result, rep.notice
