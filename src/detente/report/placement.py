"""Placement and facts read from the text, as plain lines every report format shows."""

from __future__ import annotations

from dataclasses import dataclass

from detente.assessment.placement import UNDETERMINED
from detente.assessment.result import Assessment

STATUS_LABEL = {
    "declared": "declared in the proposal",
    "placed": "placed by inference",
    "not_placed": f"not placed: {UNDETERMINED}",
    "outside": f"outside the paper's areas: {UNDETERMINED}",
}


@dataclass(frozen=True, slots=True)
class FactRow:
    label: str
    status: str
    quote: str
    applied_as: str
    question: str | None


def placement_lines(a: Assessment) -> list[str]:
    """What the placement says, one sentence per line (empty for declared areas)."""
    pl = a.placement
    if pl is None or pl.status == "declared":
        return []
    lines = [
        f"Placement: {pl.message}"
        if pl.status == "placed"
        else f"Placement: {STATUS_LABEL[pl.status]}. {pl.message}"
    ]
    for c in pl.candidates:
        ev = ", ".join(
            f"'{e.text}'" if e.kind in ("phrase", "keyword", "generic") else e.text
            for e in c.evidence[:8]
        )
        state = "placed" if c.placed else f"not placed ({c.why_not})"
        lines.append(f"{c.name}: confidence {c.confidence:.2f}, {state}; evidence {ev}.")
    for t in pl.outside:
        lines.append(
            f"{t.name} (outside the paper's four areas): nearest area {t.nearest_area}, "
            f"{'applied' if t.nearest_applied else 'not applied'}. {t.why}"
        )
    return lines


def fact_rows(a: Assessment) -> list[FactRow]:
    return [
        FactRow(
            label=f.label,
            status=f.status,
            quote=f.quote,
            applied_as="; ".join(f.applied_as) or "—",
            question=f.question,
        )
        for f in a.text_facts
    ]


def not_credited_lines(a: Assessment) -> list[str]:
    return [
        f"Planned safeguard `{x.safeguard}` ({x.name}) is not credited: the text contradicts it "
        f"({', '.join(x.contradicted_by)}): “{x.quotes[0] if x.quotes else ''}”"
        for x in a.safeguards_not_credited
    ]
