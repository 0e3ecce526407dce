"""Self-contained HTML report (no external assets): heatmap, trace, benefits, safeguards."""

from __future__ import annotations

from functools import lru_cache
from typing import TypedDict

from jinja2 import Environment, PackageLoader, select_autoescape

from detente.assessment.result import AreaPlacement, Assessment
from detente.framework.model import Level
from detente.report import document as doc
from detente.report.diligence import diligence_rows
from detente.report.placement import fact_rows, not_credited_lines, placement_lines

ORDER = ("low", "moderate", "high")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("detente.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["nice"] = lambda s: str(s).replace("_", " ")
    return env


class HeatCell(TypedDict):
    risk: str
    baseline: Level
    inherent: Level
    residual: Level


class HeatRow(TypedDict):
    area: AreaPlacement
    cells: list[HeatCell]


def heatmap(a: Assessment) -> list[HeatRow]:
    """Rows of the Figure-2-style heatmap: one per area, worst side, baseline/inherent/residual."""
    rows: list[HeatRow] = []
    for p in a.areas:
        cells: list[HeatCell] = []
        for r in a.risks:
            cs = [c.cells[r.risk] for c in a.cells if c.area == p.id]
            cells.append(
                {
                    "risk": r.short,
                    "baseline": cs[0].baseline,
                    "inherent": max((c.inherent for c in cs), key=ORDER.index),
                    "residual": max((c.residual for c in cs), key=ORDER.index),
                }
            )
        rows.append({"area": p, "cells": cells})
    return rows


TOC = (
    ("basis", "What this record rests on"),
    ("heatmap", "Risk heatmap"),
    ("risks", "Risks"),
    ("areas", "Areas"),
    ("sides", "Each side"),
    ("benefits", "Benefits"),
    ("safeguards", "Safeguards and residual risk"),
    ("plan", "Mitigation plan"),
    ("diligence", "Due diligence"),
    ("landscape", "Collaboration landscape"),
    ("trace", "Appendix: the full rule trace"),
)


def render_html(
    a: Assessment,
    *,
    for_print: bool = False,
    paper: str = "A4",
    record: doc.Record | None = None,
    toc: bool = False,
) -> str:
    """The report as one self-contained HTML page; ``for_print`` adds the paged-media layout."""
    from detente.report.plan import mitigation_plan

    short = {r.risk: r.short for r in a.risks}
    dd = diligence_rows(a.due_diligence) if a.due_diligence is not None else None
    contents = [(k, v) for k, v in TOC if k != "landscape" or a.landscape] if toc else []
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            a=a,
            heat=heatmap(a),
            short=short,
            dd=dd,
            dd_notes=doc.footnoted(dd["screening"]) if dd is not None else None,
            for_print=for_print,
            placement=placement_lines(a),
            facts=fact_rows(a),
            not_credited=not_credited_lines(a),
            paper=paper,
            title=doc.title_rows(a, record),
            as_of_date=doc.as_of(a, record, today=for_print),
            findings=doc.findings(a),
            matches=doc.match_summary(a),
            statement=doc.benefit_risk_statement(a),
            actions=doc.actions(a),
            record=record,
            basis=doc.basis(a),
            reproduce=doc.reproduce_hint(a),
            plan=mitigation_plan(a),
            toc=contents,
        )
    )
