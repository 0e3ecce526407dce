"""The mitigation plan: the measures an institution adopts, each with an owner, a check and a review.

Built from the assessment alone (the safeguards it recommends and the conditions it sets) and the
responsibilities data, so a stored assessment gives the same plan. Rendered as Markdown, HTML,
PDF and an editable DOCX (python-docx) that an office can adapt before adopting it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from detente.assessment.result import Assessment
from detente.report.document import Action, actions, as_of, benefit_risk_statement, responsibilities

PlanFormat = Literal["md", "html", "pdf", "docx"]
PLAN_FORMATS: tuple[str, ...] = ("md", "html", "pdf", "docx")

STATUS_TEXT = {
    "condition": "Condition of the verdict",
    "planned": "Planned by the proposal",
    "recommended": "Recommended",
}


@dataclass(frozen=True)
class Measure:
    number: int
    id: str
    measure: str
    status: Literal["condition", "planned", "recommended"]
    description: str
    mitigates: str
    responsible: str
    check: str
    review: str
    note: str = ""

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


@dataclass(frozen=True)
class Plan:
    proposal_id: str
    title: str
    verdict: str
    best_reachable: str
    statement: str
    as_of: str | None
    measures: list[Measure]
    responsibilities: str
    catalogue: str

    def owners(self) -> list[str]:
        return list(dict.fromkeys(m.responsible for m in self.measures))


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, str]:
    from detente.framework.loader import get_framework

    return {s.id: s.description for s in get_framework().catalogue.safeguards}


def _mitigates(a: Assessment, sid: str) -> str:
    titles = {t.rule: t.title for t in a.trace}
    names = {r.risk: f"{r.short} {r.name.lower()}" for r in a.risks}
    for s in a.safeguards:
        if s.id != sid:
            continue
        bits = [f"{r} ({titles[r]})" if r in titles else r for r in s.counters_fired]
        if s.lowers:
            bits.append("lowers " + ", ".join(names.get(x, x) for x in s.lowers))
        return "; ".join(bits) or "—"
    return "—"


def mitigation_plan(a: Assessment) -> Plan:
    """Every measure: the verdict's conditions first, then planned, then recommended safeguards."""
    resp = responsibilities()
    acts: list[Action] = actions(a)
    rows: list[dict[str, str]] = []
    covered: set[str] = set()
    for act in acts:
        sid = act.safeguard
        if sid:
            covered.add(sid)
        name = next((s.name for s in a.safeguards if s.id == sid), act.text) if sid else act.text
        rows.append(
            dict(
                id=sid or (act.answers[0] if act.answers else "condition"),
                measure=name,
                status="condition",
                description=_catalogue().get(sid, "") if sid else "",
                mitigates=_mitigates(a, sid) if sid else ", ".join(act.answers),
                responsible=act.owner,
                check=act.check,
                review=act.review,
                note="",
            )
        )
    best = set(a.verdict.safeguards_to_reach_best)
    for s in a.safeguards:
        if s.id in covered:
            continue
        duty = resp.for_safeguard(s.id)
        note = []
        if s.planned and not s.credited:
            note.append("not credited: the safeguards table says why")
        if s.id in best:
            note.append(f"needed to reach {a.verdict.best_reachable.replace('_', ' ')}")
        elif s.verdict_if_added:
            note.append(f"verdict if added alone: {s.verdict_if_added.replace('_', ' ')}")
        if s.requires_dropping:
            note.append("a change of plan: drops " + ", ".join(s.requires_dropping))
        rows.append(
            dict(
                id=s.id,
                measure=s.name,
                status="planned" if s.planned else "recommended",
                description=_catalogue().get(s.id, ""),
                mitigates=_mitigates(a, s.id),
                responsible=resp.role(duty.owner),
                check=duty.check or resp.default.check or "",
                review=duty.review or resp.default.review or "",
                note="; ".join(note),
            )
        )
    measures = [Measure(number=i, **r) for i, r in enumerate(rows, 1)]  # type: ignore[arg-type]
    return Plan(
        proposal_id=a.proposal_id,
        title=a.proposal_title,
        verdict=a.verdict.label,
        best_reachable=a.verdict.best_reachable.replace("_", " "),
        statement=benefit_risk_statement(a),
        as_of=as_of(a),
        measures=measures,
        responsibilities=f"{resp.id} {resp.version}",
        catalogue=f"{a.safeguards_catalogue.id} {a.safeguards_catalogue.version}",
    )


# ---------------------------------------------------------------------------- renderers


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def plan_markdown(plan: Plan, *, heading: str = "#") -> str:
    h = heading
    out = [f"{h} Mitigation plan: {plan.title}", ""]
    out.append(
        f"Proposal `{plan.proposal_id}` · verdict **{plan.verdict}** · "
        + (f"as of {plan.as_of} · " if plan.as_of else "")
        + f"owners from `{plan.responsibilities}`, safeguards from `{plan.catalogue}`"
    )
    out.append("")
    out.append(plan.statement)
    out.append("")
    if not plan.measures:
        out.append("No measure: the assessment sets no condition and recommends no safeguard.")
        out.append("")
        return "\n".join(out)
    for m in plan.measures:
        out.append(f"{h}# {m.number}. {m.measure}")
        out.append("")
        out.append(f"- **Status:** {m.status_text}" + (f" ({m.note})" if m.note else ""))
        if m.description:
            out.append(f"- **What:** {m.description}")
        out.append(f"- **Mitigates:** {m.mitigates}")
        out.append(f"- **Responsible:** {m.responsible}")
        out.append(f"- **Compliance check:** {m.check}")
        out.append(f"- **Review:** {m.review}")
        out.append("")
    out.append(
        "Owners are roles: the office adopting this plan names the person for each and may edit "
        "any measure; the assessment JSON stays the record of what was recommended."
    )
    out.append("")
    return "\n".join(out)


def plan_html(plan: Plan, *, paper: str = "A4") -> str:
    from detente.report.html import _env

    return _env().get_template("plan.html.j2").render(plan=plan, paper=paper, for_print=True)


def plan_pdf(plan: Plan, *, paper: str = "A4") -> bytes:
    from detente.registry import require_extra

    require_extra("pdf", "a PDF plan")  # MissingExtraError: pip install 'detente[pdf]'
    from weasyprint import HTML

    pdf: bytes = HTML(string=plan_html(plan, paper=paper)).write_pdf()
    return pdf


def plan_docx(plan: Plan) -> bytes:
    """An editable Word document: one table per measure, so an office can change any field."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    doc.core_properties.title = f"Mitigation plan: {plan.title}"
    doc.core_properties.subject = plan.proposal_id
    doc.add_heading(f"Mitigation plan: {plan.title}", level=0)
    doc.add_paragraph(
        f"Proposal {plan.proposal_id} · verdict {plan.verdict}"
        + (f" · as of {plan.as_of}" if plan.as_of else "")
    )
    doc.add_paragraph(plan.statement)
    if not plan.measures:
        doc.add_paragraph(
            "No measure: the assessment sets no condition and recommends no safeguard."
        )
    for m in plan.measures:
        doc.add_heading(f"{m.number}. {m.measure}", level=2)
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        fields = [
            ("Status", m.status_text + (f" ({m.note})" if m.note else "")),
            ("What", m.description),
            ("Mitigates", m.mitigates),
            ("Responsible", m.responsible),
            ("Compliance check", m.check),
            ("Review", m.review),
            ("Named person", ""),
            ("Evidence on file", ""),
        ]
        for label, value in fields:
            if label == "What" and not value:
                continue
            cells = table.add_row().cells
            cells[0].text = label
            cells[1].text = value
    doc.add_paragraph(
        f"Owners are roles ({plan.responsibilities}); name the person for each and edit any measure "
        "before adopting the plan. Safeguards from " + plan.catalogue + "."
    )
    doc.add_heading("Adopted by", level=2)
    sig = doc.add_table(rows=0, cols=2)
    sig.style = "Table Grid"
    for label in ("Name", "Role", "Date", "Signature"):
        cells = sig.add_row().cells
        cells[0].text = label
        cells[1].text = ""
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_plan(a: Assessment, fmt: str, *, paper: str = "A4") -> bytes:
    """The mitigation plan of an assessment as bytes in ``md``, ``html``, ``pdf`` or ``docx``."""
    plan = mitigation_plan(a)
    if fmt == "md":
        return plan_markdown(plan).encode("utf-8")
    if fmt == "html":
        return plan_html(plan, paper=paper).encode("utf-8")
    if fmt == "pdf":
        return plan_pdf(plan, paper=paper)
    if fmt == "docx":
        return plan_docx(plan)
    from detente.errors import InputError

    raise InputError(f"unknown plan format {fmt!r} (use one of {', '.join(PLAN_FORMATS)})")


__all__ = [
    "PLAN_FORMATS",
    "Measure",
    "Plan",
    "mitigation_plan",
    "plan_docx",
    "plan_html",
    "plan_markdown",
    "plan_pdf",
    "render_plan",
]
