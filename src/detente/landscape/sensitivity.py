"""How much the landscape depends on the AI-safety definition (``landscape sensitivity``).

The same co-authorship shares (focal country × partner × year, whole counting, 95 %
Wilson intervals) are computed under each definition -- the keyword query, the OpenAlex
topic list and the trained classifier (when there is one) -- and set side by side, with
the years where the order of the partners changes.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import BaseModel

from detente.errors import NotFoundError
from detente.landscape.classifier import Classifier
from detente.landscape.measures import compute, duckdb_runner, wilson
from detente.landscape.store import LandscapeStore
from detente.landscape.tagging import tag_store
from detente.landscape.taxonomy import SafetyDefinition


class SensitivityRow(BaseModel):
    method: str
    year: int
    partner: str
    focal_works: int
    works: int
    share: float
    ci_low: float
    ci_high: float

    def cell(self, min_n: int) -> str:
        if self.focal_works == 0:
            return "–"
        mark = "*" if self.focal_works < min_n else ""
        return f"{100 * self.share:.1f} [{100 * self.ci_low:.1f}–{100 * self.ci_high:.1f}]{mark}"


class SensitivityReport(BaseModel):
    focal: str
    methods: list[str]
    partners: list[str]
    rows: list[SensitivityRow]
    safety_works: dict[str, int]
    summary: list[str]
    notes: list[str]


def sensitivity(
    db_path: Path,
    focal: str,
    year_from: int,
    year_to: int,
    partners: list[str],
    *,
    min_n: int = 30,
) -> SensitivityReport:
    if not db_path.exists():
        raise NotFoundError(f"no landscape database at {db_path} (run `detente landscape ingest`)")
    methods = ["keyword", "topics"]
    notes: list[str] = []
    if Classifier.load() is not None:
        methods.append("classifier")
    else:
        notes.append("classifier not trained: compared keyword and topic definitions only")
    rows: list[SensitivityRow] = []
    safety: dict[str, int] = {}
    with LandscapeStore(db_path) as store:
        for m in methods:
            rep = tag_store(store, SafetyDefinition(method=m))
            safety[m] = rep.safety_works
            if rep.safety_works == 0:
                notes.append(f"{m}: no work in the store is AI safety under this definition")
            res = compute(
                duckdb_runner(store.con),
                focal,
                year_from,
                year_to,
                with_areas=False,
                with_country_share=False,
            )
            for y in res.years:
                for p in partners:
                    k = y.count(p)
                    lo, hi = wilson(k, y.focal_works)
                    rows.append(
                        SensitivityRow(
                            method=m,
                            year=y.year,
                            partner=p,
                            focal_works=y.focal_works,
                            works=k,
                            share=k / y.focal_works if y.focal_works else 0.0,
                            ci_low=lo,
                            ci_high=hi,
                        )
                    )
    summary: list[str] = []
    for year in sorted({r.year for r in rows}):
        leaders = {}
        for m in methods:
            rs = [r for r in rows if r.year == year and r.method == m and r.focal_works >= min_n]
            if rs:
                best = max(rs, key=lambda r: (r.share, r.partner))
                leaders[m] = best.partner
        if len(set(leaders.values())) > 1:
            said = ", ".join(f"{p} by {m}" for m, p in leaders.items())
            summary.append(f"{year}: the leading partner depends on the definition ({said})")
    if not summary:
        summary.append(
            "the leading partner is the same under every definition in every year with "
            f"at least {min_n} {focal} papers"
        )
    notes.append(f"* fewer than {min_n} {focal} papers that year; [..] 95% Wilson interval")
    return SensitivityReport(
        focal=focal,
        methods=methods,
        partners=partners,
        rows=rows,
        safety_works=safety,
        summary=summary,
        notes=notes,
    )


def write_csv(rep: SensitivityReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "method",
                "year",
                "partner",
                "focal_works",
                "works",
                "share_pct",
                "ci95_low_pct",
                "ci95_high_pct",
            ]
        )
        for r in rep.rows:
            w.writerow(
                [
                    r.method,
                    r.year,
                    r.partner,
                    r.focal_works,
                    r.works,
                    round(100 * r.share, 3),
                    round(100 * r.ci_low, 3),
                    round(100 * r.ci_high, 3),
                ]
            )
