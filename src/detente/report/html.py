"""Self-contained HTML report (no external assets): heatmap, trace, benefits, safeguards."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from detente.assessment.result import Assessment
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


def heatmap(a: Assessment) -> list[dict[str, Any]]:
    """Rows of the Figure-2-style heatmap: one per area, worst side, baseline/inherent/residual."""
    rows = []
    for p in a.areas:
        cells = []
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


def render_html(a: Assessment, *, for_print: bool = False) -> str:
    short = {r.risk: r.short for r in a.risks}
    dd = diligence_rows(a.due_diligence) if a.due_diligence is not None else None
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            a=a,
            heat=heatmap(a),
            short=short,
            dd=dd,
            for_print=for_print,
            placement=placement_lines(a),
            facts=fact_rows(a),
            not_credited=not_credited_lines(a),
        )
    )
