"""Terminal output with rich: the heatmap, the verdict and the trace."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from detente.assessment.result import Assessment
from detente.framework.model import Framework
from detente.report import document as doc
from detente.report.placement import fact_rows, not_credited_lines, placement_lines

LEVEL_STYLE = {"low": "black on green3", "moderate": "black on gold1", "high": "white on red3"}
VERDICT_STYLE = {
    "suitable": "bold green",
    "suitable_with_safeguards": "bold yellow",
    "needs_senior_review": "bold dark_orange",
    "not_advisable": "bold red",
}


def level_text(level: str) -> Text:
    return Text(f" {level} ", style=LEVEL_STYLE.get(level, ""))


def assessment_renderable(a: Assessment, *, trace: bool = True) -> RenderableType:
    parts: list[RenderableType] = []
    head = Text()
    head.append(f"{a.proposal_title}\n", style="bold")
    statement = doc.benefit_risk_statement(a)  # the engine's, or one built for an older record
    if statement:
        head.append(f"{statement}\n\n")
    head.append("Verdict: ")
    head.append(a.verdict.label, style=VERDICT_STYLE.get(a.verdict.level, "bold"))
    parts.append(head)
    for f in doc.findings(a):
        tag = ("" if f.decisive else "also: ") + (
            "due diligence: " if f.kind == "due diligence" else ""
        )
        parts.append(
            Text(
                f"  • {tag}{f.reason} [{f.rule}]", style="bold" if f.kind == "due diligence" else ""
            )
        )
    for m in doc.match_summary(a):
        who = f"confirmed by {m.reviewer}" if m.confirmed_by == "reviewer" else "automated"
        n = f" ×{m.entries}" if m.entries > 1 else ""
        parts.append(Text(f"    list match: {m.subject} — {m.list_name}: {m.status}{n} ({who})"))
    for c in doc.actions(a):
        parts.append(Text(f"  {c.number}. {c.text} — {c.owner} [{', '.join(c.answers)}]"))
    if a.verdict.safeguards_to_reach_best:
        parts.append(
            Text(
                f"  → with {', '.join(a.verdict.safeguards_to_reach_best)}: "
                f"{a.verdict.best_reachable.replace('_', ' ')}",
                style="cyan",
            )
        )

    for i, line in enumerate(placement_lines(a)):
        parts.append(Text(("  " if i else "") + line, style="bold magenta" if not i else ""))
    for fr in fact_rows(a):
        parts.append(
            Text(
                f"  Text: {fr.label} — {fr.status}: “{fr.quote}”"
                + (f" → {fr.applied_as}" if fr.applied_as != "—" else "")
                + (f" Question: {fr.question}" if fr.question else ""),
                style="yellow" if fr.question else "",
            )
        )
    for line in not_credited_lines(a):
        parts.append(Text("  " + line, style="bold red"))
    t = Table(title="Areas × risks (baseline → with features → with safeguards)", show_lines=False)
    t.add_column("area")
    for r in a.risks:
        t.add_column(r.short, justify="center")
    for p in a.areas:
        row: list[RenderableType] = [Text(p.name + (" (inferred)" if p.inferred else ""))]
        for r in a.risks:
            cells = [c.cells[r.risk] for c in a.cells if c.area == p.id]
            order = ["low", "moderate", "high"]
            base = cells[0].baseline
            inh = max((c.inherent for c in cells), key=order.index)
            res = max((c.residual for c in cells), key=order.index)
            txt = level_text(base)
            if inh != base:
                txt.append(" → ")
                txt.append_text(level_text(inh))
            if res != inh:
                txt.append(" ⇒ ")
                txt.append_text(level_text(res))
            row.append(txt)
        t.add_row(*row)
    if a.areas:
        parts.append(t)

    s = Table(title="Each side (with safeguards)")
    s.add_column("side")
    s.add_column("parties")
    for r in a.risks:
        s.add_column(r.short, justify="center")
    for side in a.sides:
        s.add_row(
            side.side,
            ", ".join(side.parties),
            *[level_text(side.residual[r.risk]) for r in a.risks],
        )
    if a.risks:
        parts.append(s)

    if trace and a.trace:
        tr = Table(title="Trace", show_lines=False)
        for col in ("rule", "area/side", "risk", "change", "why"):
            tr.add_column(col, overflow="fold")
        for step in a.trace:
            change = f"{step.before}→{step.after}" if step.stage != "countered" else "countered"
            short = next((r.short for r in a.risks if r.risk == step.risk), step.risk)
            tr.add_row(step.rule, f"{step.area}/{step.side}", short, change, step.reason)
        parts.append(tr)
    if a.benefits:
        # one entry per motive, its precedents together (ISS and ITER are one reason, not two)
        cases: dict[str, list[str]] = {}
        for b in a.benefits:
            cases.setdefault(b.name, []).append(b.case["name"])
        parts.append(
            Text("Benefits: " + "; ".join(f"{m} (cf. {', '.join(c)})" for m, c in cases.items()))
        )
    dd = (
        "not checked — not the same as clean"
        if a.due_diligence is None
        else ", ".join(a.due_diligence_flags) or "no flags"
    )
    parts.append(Text(f"Due diligence: {dd}", style="bold red" if a.due_diligence is None else ""))
    if a.due_diligence is not None:
        from detente.report.diligence import side_rows

        sides = side_rows(a.due_diligence)
        if sides["headers"]:
            ts = Table(title="Each side's lists", expand=True, show_lines=True)
            ts.add_column("who", overflow="fold")
            for h in sides["headers"]:
                ts.add_column(h, overflow="fold")
            ts.add_row("lists checked", *sides["coverage"])
            for srow in sides["rows"]:
                if any(c not in {"clear"} for c in srow["cells"]):
                    ts.add_row(f"{srow['name']} ({srow['kind']})", *srow["cells"])
            parts.append(ts)
    parts.append(
        Text(
            f"framework {a.framework.id} {a.framework.version} · rules {a.rules.version} · "
            f"safeguards {a.safeguards_catalogue.version} · Détente {a.tool_version}",
            style="dim",
        )
    )
    parts.append(Text(a.disclaimer, style="dim italic"))
    return Panel(Group(*parts), title="Détente", expand=True)


def render_text(a: Assessment, width: int = 110) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(assessment_renderable(a))
    return console.export_text()


def summary_table(rows: Sequence[tuple[str, Assessment]]) -> Table:
    t = Table(title="Détente: assessments")
    t.add_column("proposal", no_wrap=True)
    t.add_column("areas", overflow="fold")
    for col in ("R1", "R2", "R3", "R4"):
        t.add_column(col, justify="center")
    t.add_column("verdict")
    t.add_column("due diligence", overflow="fold")
    for name, a in rows:
        levels: list[Text] = [level_text(r.residual) for r in a.risks] or [Text("—")] * 4
        areas = ", ".join(p.id + ("*" if p.inferred else "") for p in a.areas) or (
            "not determined — a reviewer must classify"
        )
        t.add_row(
            name,
            areas,
            *levels,
            Text(a.verdict.label, style=VERDICT_STYLE.get(a.verdict.level, "")),
            _dd_summary(a),
        )
    t.caption = "Levels are residual (with planned safeguards); * = area inferred from the text."
    return t


def _dd_summary(a: Assessment) -> Text:
    flags = set(a.due_diligence_flags)
    if a.due_diligence is None:
        return Text("not checked", style="bold red")
    parts = []
    for flag, label in (
        ("dd.blocking_hit", "blocking hit"),
        ("dd.restricting_hit", "restricted party"),
        ("dd.potential_match", "potential match (review)"),
        ("dd.informational_hit", "informational listing"),
        ("dd.related_entity", "related entity"),
        ("dd.controlled_tech", "controlled tech"),
        ("dd.investment_review", "investment review"),
        ("dd.not_checked", "lists not checked"),
        ("dd.stale", "stale lists"),
    ):
        if flag in flags:
            parts.append(label)
    return Text(", ".join(parts) or "clear", style="red" if "dd.not_checked" in flags else "")


def framework_matrix(fw: Framework) -> Table:
    t = Table(
        title=f"{fw.doc.title} — Figure 2 as read by Détente ({fw.id} {fw.version})",
        show_lines=True,
    )
    t.add_column("area")
    for r in fw.doc.risks:
        t.add_column(r.short, justify="center")
    t.add_column("paper (§7)")
    for area in fw.doc.areas:
        t.add_row(
            f"{area.name}\n[dim]{area.ref}[/dim]",
            *[level_text(area.baseline[r.id].level) for r in fw.doc.risks],
            "may be well suited" if area.paper_conclusion == "well_suited" else "not singled out",
        )
    t.caption = fw.doc.scale_note
    return t
