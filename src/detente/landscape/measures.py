"""The landscape measures as SQL that runs unchanged on DuckDB and on Spark SQL.

Both engines see the same relations (DuckDB tables from :mod:`.store`; Spark temp views
from :mod:`.spark_job`):

    works(work_key, year, ...)            work_countries(work_key, country)  -- distinct
    affiliations(work_key, inst_key, inst_name, country)
    work_tags(work_key, is_safety)        work_areas(work_key, area)

A work counts for a (focal, partner) pair when at least one of its authorships is
affiliated in each country (see :mod:`.normalize` for multiple affiliations).  Shares are
pair works / focal works for the same year and subset.

Only validated literals are interpolated (ISO-2 codes, integers, known area ids).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from detente.errors import InputError
from detente.landscape.taxonomy import ALL_AREAS

Runner = Callable[[str], Sequence[Sequence[Any]]]
Subset = Literal["all", "safety"]

_ISO2 = re.compile(r"^[A-Z]{2}$")


def check_country(code: str, field: str = "focal") -> str:
    c = code.strip().upper()
    if not _ISO2.match(c):
        raise InputError(f"not an ISO-3166 alpha-2 country code: {code!r}")
    return c


def check_area(area: str | None) -> str | None:
    if area is None:
        return None
    a = area.strip().lower()
    if a not in ALL_AREAS:
        raise InputError(f"unknown area {area!r}; expected one of {', '.join(ALL_AREAS)}")
    return a


def selected_sql(subset: Subset, area: str | None) -> str:
    """The SELECT giving the distinct work keys in the chosen subset."""
    if area is not None:
        return (
            "SELECT DISTINCT a.work_key FROM work_areas a JOIN work_tags t "
            f"ON t.work_key = a.work_key WHERE t.is_safety AND a.area = '{check_area(area)}'"
        )
    if subset == "safety":
        return "SELECT work_key FROM work_tags WHERE is_safety"
    return "SELECT work_key FROM works"


def _focal_cte(focal: str, y0: int, y1: int, sel: str) -> str:
    return f"""
sel AS ({sel}),
f AS (
  SELECT w.work_key, w.year FROM works w
  JOIN sel s ON s.work_key = w.work_key
  JOIN work_countries c ON c.work_key = w.work_key
  WHERE c.country = '{focal}' AND w.year BETWEEN {int(y0)} AND {int(y1)}
)"""


def pair_counts_sql(focal: str, y0: int, y1: int, sel: str) -> str:
    """(year, country, works): country = focal gives the focal total."""
    return f"""WITH {_focal_cte(focal, y0, y1, sel)}
SELECT f.year AS year, c.country AS country, COUNT(*) AS works
FROM f JOIN work_countries c ON c.work_key = f.work_key
GROUP BY f.year, c.country"""


def year_totals_sql(y0: int, y1: int, sel: str) -> str:
    return f"""WITH sel AS ({sel})
SELECT w.year AS year, COUNT(*) AS works FROM works w JOIN sel s ON s.work_key = w.work_key
WHERE w.year BETWEEN {int(y0)} AND {int(y1)} GROUP BY w.year"""


def institutions_sql(
    focal: str, y0: int, y1: int, sel: str, partner: str | None, limit: int
) -> str:
    cond = f"a.country = '{partner}'" if partner else f"a.country <> '{focal}'"
    return f"""WITH {_focal_cte(focal, y0, y1, sel)}
SELECT a.inst_key AS inst_key, MIN(a.inst_name) AS inst_name, a.country AS country,
       COUNT(DISTINCT a.work_key) AS works
FROM f JOIN affiliations a ON a.work_key = f.work_key
WHERE a.country IS NOT NULL AND {cond}
GROUP BY a.inst_key, a.country
ORDER BY works DESC, inst_key, country
LIMIT {int(limit)}"""


def top_countries_sql(y0: int, y1: int, sel: str, limit: int) -> str:
    return f"""WITH sel AS ({sel})
SELECT c.country AS country, COUNT(*) AS works
FROM work_countries c JOIN sel s ON s.work_key = c.work_key
JOIN works w ON w.work_key = c.work_key
WHERE w.year BETWEEN {int(y0)} AND {int(y1)}
GROUP BY c.country ORDER BY works DESC, country LIMIT {int(limit)}"""


def matrix_sql(y0: int, y1: int, sel: str, countries: Sequence[str]) -> str:
    lst = ", ".join(f"'{check_country(c)}'" for c in countries) or "''"
    return f"""WITH sel AS ({sel}),
wc AS (
  SELECT c.work_key, c.country FROM work_countries c
  JOIN sel s ON s.work_key = c.work_key
  JOIN works w ON w.work_key = c.work_key
  WHERE w.year BETWEEN {int(y0)} AND {int(y1)} AND c.country IN ({lst})
)
SELECT a.country AS country_a, b.country AS country_b, COUNT(*) AS works
FROM wc a JOIN wc b ON a.work_key = b.work_key
GROUP BY a.country, b.country"""


def area_counts_sql(focal: str, y0: int, y1: int) -> str:
    """(area, country, works) over the year range, safety works only."""
    return f"""WITH f AS (
  SELECT DISTINCT w.work_key FROM works w
  JOIN work_tags t ON t.work_key = w.work_key
  JOIN work_countries c ON c.work_key = w.work_key
  WHERE t.is_safety AND c.country = '{focal}' AND w.year BETWEEN {int(y0)} AND {int(y1)}
)
SELECT a.area AS area, c.country AS country, COUNT(*) AS works
FROM f JOIN work_areas a ON a.work_key = f.work_key
JOIN work_countries c ON c.work_key = f.work_key
GROUP BY a.area, c.country"""


# -- result models ---------------------------------------------------------------------


class PartnerCount(BaseModel):
    partner: str
    works: int
    share: float


class YearRow(BaseModel):
    year: int
    all_works: int
    focal_works: int
    partners: list[PartnerCount]

    def count(self, partner: str) -> int:
        for p in self.partners:
            if p.partner == partner:
                return p.works
        return 0


class InstitutionRow(BaseModel):
    inst_key: str
    inst_name: str | None
    country: str | None
    works: int


class MatrixCell(BaseModel):
    country_a: str
    country_b: str
    works: int


class AreaRow(BaseModel):
    area: str
    focal_works: int
    partners: list[PartnerCount]


class LandscapeResult(BaseModel):
    focal: str
    year_from: int
    year_to: int
    subset: Subset
    area: str | None = None
    definition: str = ""
    years: list[YearRow]
    top_partners: list[str]
    institutions: list[InstitutionRow] = []
    matrix: list[MatrixCell] = []
    areas: list[AreaRow] = []

    def wide_rows(self) -> list[dict[str, Any]]:
        """One row per year: totals, then works and share (%) for each top partner."""
        rows: list[dict[str, Any]] = []
        for y in self.years:
            row: dict[str, Any] = {
                "year": y.year,
                "all_works": y.all_works,
                "focal_works": y.focal_works,
            }
            for p in self.top_partners:
                n = y.count(p)
                row[f"{p}_works"] = n
                row[f"{p}_share_pct"] = (
                    round(100.0 * n / y.focal_works, 3) if y.focal_works else 0.0
                )
            rows.append(row)
        return rows


def _partners(counts: dict[str, int], focal: str, total: int) -> list[PartnerCount]:
    items = sorted(((c, n) for c, n in counts.items() if c != focal), key=lambda x: (-x[1], x[0]))
    return [PartnerCount(partner=c, works=n, share=n / total if total else 0.0) for c, n in items]


def compute(
    run: Runner,
    focal: str,
    year_from: int,
    year_to: int,
    *,
    subset: Subset = "safety",
    area: str | None = None,
    top: int = 8,
    institutions: int = 15,
    matrix_countries: int = 12,
    with_areas: bool = True,
) -> LandscapeResult:
    """All landscape measures for a focal country, with any engine's runner."""
    focal = check_country(focal)
    area = check_area(area)
    if year_from > year_to:
        raise InputError(f"--from {year_from} is after --to {year_to}")
    sel = selected_sql(subset, area)
    per_year: dict[int, dict[str, int]] = {}
    for year, country, works in run(pair_counts_sql(focal, year_from, year_to, sel)):
        per_year.setdefault(int(year), {})[str(country)] = int(works)
    totals = {int(y): int(n) for y, n in run(year_totals_sql(year_from, year_to, sel))}
    years: list[YearRow] = []
    overall: dict[str, int] = {}
    for y in range(year_from, year_to + 1):
        counts = per_year.get(y, {})
        fw = counts.get(focal, 0)
        if fw == 0 and totals.get(y, 0) == 0:
            continue
        years.append(
            YearRow(
                year=y,
                all_works=totals.get(y, 0),
                focal_works=fw,
                partners=_partners(counts, focal, fw),
            )
        )
        for c, n in counts.items():
            if c != focal:
                overall[c] = overall.get(c, 0) + n
    top_partners = [c for c, _ in sorted(overall.items(), key=lambda x: (-x[1], x[0]))[:top]]
    inst = [
        InstitutionRow(inst_key=str(k), inst_name=nm, country=c, works=int(n))
        for k, nm, c, n in run(institutions_sql(focal, year_from, year_to, sel, None, institutions))
    ]
    inst.sort(key=lambda r: (-r.works, r.inst_key, r.country or ""))
    top_c = [str(r[0]) for r in run(top_countries_sql(year_from, year_to, sel, matrix_countries))]
    if focal not in top_c:
        top_c = [focal, *top_c[: max(matrix_countries - 1, 0)]]
    matrix = sorted(
        (
            MatrixCell(country_a=str(a), country_b=str(b), works=int(n))
            for a, b, n in run(matrix_sql(year_from, year_to, sel, top_c))
        ),
        key=lambda m: (m.country_a, m.country_b),
    )
    areas: list[AreaRow] = []
    if with_areas and subset == "safety" and area is None:
        by_area: dict[str, dict[str, int]] = {}
        for a, c, n in run(area_counts_sql(focal, year_from, year_to)):
            by_area.setdefault(str(a), {})[str(c)] = int(n)
        for a in ALL_AREAS:
            counts = by_area.get(a, {})
            fw = counts.get(focal, 0)
            areas.append(AreaRow(area=a, focal_works=fw, partners=_partners(counts, focal, fw)))
    return LandscapeResult(
        focal=focal,
        year_from=year_from,
        year_to=year_to,
        subset=subset,
        area=area,
        years=years,
        top_partners=top_partners,
        institutions=inst,
        matrix=matrix,
        areas=areas,
    )


def duckdb_runner(con: Any) -> Runner:
    def run(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in con.execute(sql).fetchall()]

    return run
