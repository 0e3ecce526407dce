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

import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel

from detente.errors import InputError
from detente.landscape.taxonomy import ALL_AREAS

Runner = Callable[[str], Sequence[Sequence[Any]]]
Subset = Literal["all", "safety"]
Counting = Literal["whole", "fractional"]

_ISO2 = re.compile(r"^[A-Z]{2}$")


@lru_cache(maxsize=1)
def known_countries() -> frozenset[str]:
    """Two-letter territory codes that have an ISO alpha-3 code (rigour), plus XK (Kosovo)."""
    from rigour.territories import get_territories

    codes = {t.code.upper() for t in get_territories() if len(t.code) == 2 and t.alpha3}
    return frozenset(codes | {"XK"})


def check_country(code: str, field: str = "focal") -> str:
    c = code.strip().upper()
    if not _ISO2.match(c) or c not in known_countries():
        raise InputError(
            f"--{field} {code!r} is not a country: give an ISO-3166 alpha-2 code such as US, CN, GB"
        )
    return c


def wilson(k: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval (95 % by default) for a proportion k/n; (0, 1) when n = 0.

    Fractional counts are accepted (k and n need not be integers): the interval then
    treats the fractional total as the sample size, an approximation said in the docs.
    """
    if n <= 0:
        return (0.0, 1.0)
    p = min(max(k / n, 0.0), 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


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
    ci_low: float = 0.0
    ci_high: float = 1.0


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


class CountryShareRow(BaseModel):
    """A country's share of all the subset's works in a year (the CSET Almanac view)."""

    year: int
    country: str
    works: float  # whole: works with >=1 author there; fractional: the country's credit
    total: int  # works in the subset that year with at least one known country
    share: float
    ci_low: float
    ci_high: float
    counting: str


class InstitutionYear(BaseModel):
    year: int
    works: int


class InstitutionView(BaseModel):
    """Co-authorship of one focal institution: its works and its partners."""

    inst_key: str
    inst_name: str | None
    country: str | None
    years: list[InstitutionYear]
    partner_institutions: list[InstitutionRow]
    partner_countries: list[PartnerCount]
    total_works: int


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
    min_n: int = 30
    counting: str = "whole"
    source: str = ""
    generated: str = ""
    country_share: list[CountryShareRow] = []
    institution: InstitutionView | None = None

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
                    round(100.0 * n / y.focal_works, 3) if y.focal_works else None
                )
                lo, hi = wilson(n, y.focal_works)
                row[f"{p}_ci95_low_pct"] = round(100.0 * lo, 3) if y.focal_works else None
                row[f"{p}_ci95_high_pct"] = round(100.0 * hi, 3) if y.focal_works else None
            row["below_min_n"] = y.focal_works < self.min_n
            rows.append(row)
        return rows


def _partners(counts: dict[str, int], focal: str, total: int) -> list[PartnerCount]:
    items = sorted(((c, n) for c, n in counts.items() if c != focal), key=lambda x: (-x[1], x[0]))
    out = []
    for c, n in items:
        lo, hi = wilson(n, total)
        out.append(
            PartnerCount(
                partner=c, works=n, share=n / total if total else 0.0, ci_low=lo, ci_high=hi
            )
        )
    return out


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
    min_n: int = 30,
    counting: Counting = "whole",
    with_country_share: bool = True,
    institution: str | None = None,
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
    shares: list[CountryShareRow] = []
    if with_country_share:
        shares = country_share(
            run,
            year_from,
            year_to,
            subset=subset,
            area=area,
            counting=counting,
            countries=[focal, *top_partners],
        )
    inst_view = (
        institution_view(run, institution, year_from, year_to, subset=subset, area=area)
        if institution
        else None
    )
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
        min_n=min_n,
        counting=counting,
        country_share=shares,
        institution=inst_view,
    )


def country_share_sql(y0: int, y1: int, sel: str, counting: Counting) -> str:
    """(year, country, credit, total): each country's part of the subset's works.

    * whole: a work counts 1 for every country with at least one of its authors;
    * fractional: a work is one unit split equally among its authorships that have a
      country, and an authorship's part equally among its countries (so a work's credits
      sum to 1).  Works with no known country are left out of both numerator and total.

    Whole counting is portable SQL (DuckDB and Spark); fractional uses DuckDB's ``unnest``.
    """
    if counting == "whole":
        return f"""WITH sel AS ({sel}),
wc AS (
  SELECT w.year, c.work_key, c.country FROM work_countries c
  JOIN sel s ON s.work_key = c.work_key JOIN works w ON w.work_key = c.work_key
  WHERE w.year BETWEEN {int(y0)} AND {int(y1)}
),
tot AS (SELECT year, COUNT(DISTINCT work_key) AS n FROM wc GROUP BY year)
SELECT wc.year, wc.country, CAST(COUNT(*) AS DOUBLE) AS credit, tot.n
FROM wc JOIN tot ON tot.year = wc.year GROUP BY wc.year, wc.country, tot.n"""
    return f"""WITH sel AS ({sel}),
au AS (
  SELECT w.year, a.work_key, a.countries,
         COUNT(*) OVER (PARTITION BY a.work_key) AS n_auth
  FROM authorships a JOIN sel s ON s.work_key = a.work_key
  JOIN works w ON w.work_key = a.work_key
  WHERE w.year BETWEEN {int(y0)} AND {int(y1)} AND len(a.countries) > 0
),
cr AS (
  SELECT year, work_key, unnest(countries) AS country,
         1.0 / n_auth / len(countries) AS credit
  FROM au
),
tot AS (SELECT year, COUNT(DISTINCT work_key) AS n FROM au GROUP BY year)
SELECT cr.year, cr.country, SUM(cr.credit) AS credit, tot.n
FROM cr JOIN tot ON tot.year = cr.year GROUP BY cr.year, cr.country, tot.n"""


def country_share(
    run: Runner,
    year_from: int,
    year_to: int,
    *,
    subset: Subset = "safety",
    area: str | None = None,
    counting: Counting = "whole",
    countries: Sequence[str] | None = None,
) -> list[CountryShareRow]:
    """Each country's share of the subset's works per year, with Wilson intervals.

    Zero is zero: in every year that has works, each country (of ``countries``, or seen in
    any year of the range) has a row, with ``works`` 0 where it has none that year.
    """
    if counting not in ("whole", "fractional"):
        raise InputError(f"--counting must be 'whole' or 'fractional', not {counting!r}")
    keep = {check_country(c, "country") for c in countries} if countries else None
    sel = selected_sql(subset, check_area(area))
    credits: dict[tuple[int, str], float] = {}
    totals: dict[int, int] = {}
    for year, country, credit, total in run(country_share_sql(year_from, year_to, sel, counting)):
        totals[int(year)] = int(total)
        if keep is None or country in keep:
            credits[(int(year), str(country))] = float(credit)
    shown = keep if keep is not None else {c for _, c in credits}
    rows: list[CountryShareRow] = []
    for year, country in ((y, c) for y in totals for c in shown):
        k, n = credits.get((year, country), 0.0), totals[year]
        lo, hi = wilson(k, n)
        rows.append(
            CountryShareRow(
                year=int(year),
                country=str(country),
                works=round(k, 6),
                total=n,
                share=k / n if n else 0.0,
                ci_low=lo,
                ci_high=hi,
                counting=counting,
            )
        )
    rows.sort(key=lambda r: (r.year, -r.works, r.country))
    return rows


def find_institution(run: Runner, query: str) -> tuple[str, str | None, str | None]:
    """(inst_key, name, country) for an institution key or an exact (case-insensitive) name.

    Raises InputError when nothing or more than one institution matches, listing them.
    """
    q = query.strip()
    if not q:
        raise InputError("--institution is empty")
    lit = q.replace("'", "''")
    rows = run(
        "SELECT inst_key, MIN(inst_name), MIN(country), COUNT(DISTINCT work_key) AS n "
        f"FROM affiliations WHERE inst_key = '{lit}' OR lower(inst_name) = lower('{lit}') "
        "GROUP BY inst_key ORDER BY n DESC, inst_key LIMIT 6"
    )
    if not rows:
        near = run(
            "SELECT MIN(inst_name), COUNT(DISTINCT work_key) AS n FROM affiliations "
            f"WHERE contains(lower(inst_name), lower('{lit}')) GROUP BY inst_key "
            "ORDER BY n DESC LIMIT 5"
        )
        hint = "; did you mean " + ", ".join(repr(r[0]) for r in near) if near else ""
        raise InputError(f"no institution {q!r} in the landscape store{hint}")
    if len(rows) > 1:
        listed = ", ".join(f"{r[0]} ({r[1]}, {r[2]})" for r in rows)
        raise InputError(f"--institution {q!r} matches several institutions: {listed}; give a key")
    key, name, _, _ = rows[0]
    # The institution's country is the one most of its works give it: MIN(country) picked
    # the alphabetically first, so one stray 'CA' row made Stanford University Canadian.
    klit = str(key).replace("'", "''")
    top = run(
        "SELECT country, COUNT(DISTINCT work_key) AS n FROM affiliations "
        f"WHERE inst_key = '{klit}' AND country IS NOT NULL "
        "GROUP BY country ORDER BY n DESC, country LIMIT 1"
    )
    return str(key), name, (str(top[0][0]) if top else None)


def institution_view(
    run: Runner,
    query: str,
    year_from: int,
    year_to: int,
    *,
    subset: Subset = "safety",
    area: str | None = None,
    limit: int = 15,
) -> InstitutionView:
    """Works of one institution per year, and who co-authors them (institutions, countries)."""
    key, name, country = find_institution(run, query)
    sel = selected_sql(subset, check_area(area))
    lit = key.replace("'", "''")
    base = f"""WITH sel AS ({sel}),
f AS (
  SELECT DISTINCT w.work_key, w.year FROM works w JOIN sel s ON s.work_key = w.work_key
  JOIN affiliations a ON a.work_key = w.work_key
  WHERE a.inst_key = '{lit}' AND w.year BETWEEN {int(year_from)} AND {int(year_to)}
)"""
    years = [
        InstitutionYear(year=int(y), works=int(n))
        for y, n in run(f"{base} SELECT year, COUNT(*) FROM f GROUP BY year ORDER BY year")
    ]
    total = sum(y.works for y in years)
    partners = [
        InstitutionRow(inst_key=str(k), inst_name=nm, country=c, works=int(n))
        for k, nm, c, n in run(
            f"""{base} SELECT a.inst_key, MIN(a.inst_name), a.country, COUNT(DISTINCT a.work_key) AS n
FROM f JOIN affiliations a ON a.work_key = f.work_key WHERE a.inst_key <> '{lit}'
GROUP BY a.inst_key, a.country ORDER BY n DESC, a.inst_key LIMIT {int(limit)}"""
        )
    ]
    counts = {
        str(c): int(n)
        for c, n in run(
            f"""{base} SELECT c.country, COUNT(*) FROM f JOIN work_countries c
ON c.work_key = f.work_key GROUP BY c.country"""
        )
    }
    return InstitutionView(
        inst_key=key,
        inst_name=name,
        country=country,
        years=years,
        partner_institutions=partners,
        partner_countries=_partners(counts, "", total),
        total_works=total,
    )


def duckdb_runner(con: Any) -> Runner:
    def run(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in con.execute(sql).fetchall()]

    return run
