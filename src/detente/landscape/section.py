"""What the assessment report asks of the landscape: a small table and a sentence or two."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from detente.landscape.classifier import AreaGuess, Classifier
from detente.landscape.paths import default_db_path
from detente.landscape.taxonomy import ALL_AREAS, FRAMEWORK_AREAS
from detente.model.landscape import LandscapeRow
from detente.model.landscape import LandscapeSection as LandscapeSection


def infer_areas(text: str) -> list[AreaGuess]:
    """Framework areas a text belongs to, with scores and evidence terms ([] if untrained)."""
    clf = Classifier.load()
    if clf is None or not text.strip():
        return []
    return clf.infer_areas(text, FRAMEWORK_AREAS)


def section_for(
    countries: list[str], areas: list[str], db_path: Path | None = None
) -> LandscapeSection | None:
    """Co-authored AI-safety works between each pair of ``countries``, overall and per area.

    Returns None (never raises) when no landscape database exists or it cannot be read,
    or when fewer than two valid countries are given.
    """
    path = db_path or default_db_path()
    codes = [c.strip().upper() for c in countries if isinstance(c, str) and len(c.strip()) == 2]
    codes = list(dict.fromkeys(c for c in codes if c.isalpha()))
    wanted = [a for a in (x.strip().lower() for x in areas) if a in ALL_AREAS]
    if len(codes) < 2 or not path.exists():
        return None
    try:
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
    except Exception:  # locked by a writer, corrupt, or not a DuckDB file
        return None
    try:
        return _build(con, codes, wanted)
    except Exception:  # tables missing (never ingested / never tagged)
        return None
    finally:
        con.close()


def _build(con: Any, codes: list[str], wanted: list[str]) -> LandscapeSection | None:
    tagged = con.execute("SELECT count(*), any_value(method) FROM work_tags").fetchone()
    if not tagged or not tagged[0]:
        return None
    method = str(tagged[1])
    yr = con.execute(
        "SELECT min(year), max(year) FROM works w JOIN work_tags t USING (work_key) "
        "WHERE t.is_safety AND year IS NOT NULL"
    ).fetchone()
    if not yr or yr[0] is None:
        return None
    y1 = int(yr[1])
    y0 = max(int(yr[0]), y1 - 9)
    lst = ", ".join(f"'{c}'" for c in codes)
    base = f"""
      SELECT c.work_key, c.country FROM work_countries c
      JOIN work_tags t ON t.work_key = c.work_key
      JOIN works w ON w.work_key = c.work_key
      WHERE t.is_safety AND w.year BETWEEN {y0} AND {y1} AND c.country IN ({lst})"""
    totals = dict(
        con.execute(f"SELECT country, count(*) FROM ({base}) GROUP BY country").fetchall()
    )
    pairs = dict(
        ((a, b), n)
        for a, b, n in con.execute(
            f"WITH b AS ({base}) SELECT x.country, y.country, count(*) FROM b x "
            "JOIN b y ON x.work_key = y.work_key AND x.country < y.country GROUP BY 1, 2"
        ).fetchall()
    )
    area_pairs: dict[tuple[str, str, str], int] = {}
    if wanted:
        alist = ", ".join(f"'{a}'" for a in wanted)
        for a, x, y, n in con.execute(
            f"WITH b AS ({base}) SELECT ar.area, x.country, y.country, count(DISTINCT x.work_key) "
            "FROM b x JOIN b y ON x.work_key = y.work_key AND x.country < y.country "
            f"JOIN work_areas ar ON ar.work_key = x.work_key WHERE ar.area IN ({alist}) "
            "GROUP BY 1, 2, 3"
        ).fetchall():
            area_pairs[(str(a), str(x), str(y))] = int(n)
    rows: list[LandscapeRow] = []
    for a, b in itertools.combinations(codes, 2):
        lo, hi = sorted((a, b))
        n = int(pairs.get((lo, hi), 0))
        ta, tb = int(totals.get(a, 0)), int(totals.get(b, 0))
        rows.append(
            LandscapeRow(
                country_a=a,
                country_b=b,
                area="all",
                coauthored_works=n,
                share_of_a_pct=round(100 * n / ta, 2) if ta else 0.0,
                share_of_b_pct=round(100 * n / tb, 2) if tb else 0.0,
                works_a=ta,
                works_b=tb,
            )
        )
        for area in wanted:
            m = area_pairs.get((area, lo, hi), 0)
            rows.append(
                LandscapeRow(
                    country_a=a,
                    country_b=b,
                    area=area,
                    coauthored_works=m,
                    share_of_a_pct=round(100 * m / ta, 2) if ta else 0.0,
                    share_of_b_pct=round(100 * m / tb, 2) if tb else 0.0,
                    works_a=ta,
                    works_b=tb,
                )
            )
    first = rows[0]
    expl = (
        f"Between {y0} and {y1}, {first.coauthored_works:,} AI-safety works in the landscape "
        f"database had authors affiliated in both {first.country_a} and {first.country_b} "
        f"({first.share_of_a_pct}% of {first.country_a}'s {first.works_a:,} and "
        f"{first.share_of_b_pct}% of {first.country_b}'s {first.works_b:,} AI-safety works). "
        f"AI safety is defined by the {method} method; a work counts for a pair when at least one "
        "author is affiliated in each country. Coverage depends on the ingested records."
    )
    return LandscapeSection(
        title="Existing research collaboration (co-authorship)",
        countries=codes,
        areas=wanted,
        year_from=y0,
        year_to=y1,
        definition=method,
        columns=list(LandscapeRow.model_fields),
        rows=rows,
        explanation=expl,
    )
