"""Markdown report: for filing, diffing and pasting into tickets."""

from __future__ import annotations

import re

from detente.assessment.result import Assessment, SafeguardResult
from detente.model.landscape import LandscapeSection
from detente.report import document as doc
from detente.report.placement import fact_rows, not_credited_lines, placement_lines
from detente.report.plan import mitigation_plan, plan_markdown

_RISK_SHORT = {
    "R1_frontier": "R1",
    "R2_differential": "R2",
    "R3_sensitive_info": "R3",
    "R4_harm_opportunity": "R4",
}


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_CODE_SPAN = re.compile(r"(`[^`\n]*`)")


def _no_raw_html(markdown: str) -> str:
    """Escape ``<`` outside code spans, so no text from a proposal (a title, a party's name, a
    reviewer's note) reaches a Markdown viewer as raw HTML; the report itself emits none."""
    return "".join(
        part
        if part.startswith("`") and part.endswith("`") and len(part) > 1
        else part.replace("<", "&lt;")
        for part in _CODE_SPAN.split(markdown)
    )


def _short(a: Assessment, rid: str) -> str:
    for r in a.risks:
        if r.risk == rid:
            return r.short
    return _RISK_SHORT.get(rid, rid)


def render_markdown(a: Assessment, record: doc.Record | None = None) -> str:
    out: list[str] = []
    w = out.append
    w(f"# Détente assessment: {a.proposal_title}")
    w("")
    for label, value in doc.title_rows(a, record):
        w(f"- **{label}:** {_esc(value)}")
    w("")
    w(f"**Verdict: {a.verdict.label}**")
    w("")
    for f in doc.findings(a):
        tag = "decisive" if f.decisive else "also"
        kind = ", due diligence" if f.kind == "due diligence" else ""
        w(f"- *({tag}{kind})* {f.reason} (`{f.rule}`, {f.verdict_label}, {f.ref})")
    for m in doc.match_summary(a):
        who = (
            f"confirmed by reviewer {m.reviewer}"
            if m.confirmed_by == "reviewer"
            else "automated (not yet confirmed by a reviewer)"
        )
        entry = (
            f" ({m.entries} entries)"
            if m.entries > 1
            else (f" (“{_esc(m.entry)}”)" if m.entry and m.entry != m.subject else "")
        )
        w(f"- *List match:* {_esc(m.subject)} — {_esc(m.list_name)}{entry}: **{m.status}**, {who}")
    if a.verdict.safeguards_to_reach_best:
        w(
            f"- With the safeguards {', '.join(f'`{s}`' for s in a.verdict.safeguards_to_reach_best)} "
            f"the verdict would be **{a.verdict.best_reachable.replace('_', ' ')}**."
        )
    w("")
    w(
        f"Proposal `{a.proposal_id}` (sha256 `{a.proposal_sha256[:12]}`) · framework "
        f"`{a.framework.id}` {a.framework.version} · rules `{a.rules.id}` {a.rules.version} · "
        f"safeguards `{a.safeguards_catalogue.id}` {a.safeguards_catalogue.version} · Détente {a.tool_version}"
    )
    w("")
    w("## Benefit and risk")
    w("")
    w(doc.benefit_risk_statement(a))
    w("")
    w("## Conditions: what must be done, and by whom")
    w("")
    acts = doc.actions(a)
    if not acts:
        w("None: the verdict sets no condition.")
    for c in acts:
        answers = ", ".join(f"`{x}`" if " " not in x else x for x in c.answers)
        w(f"{c.number}. {_esc(c.text)} — **Owner:** {c.owner} · answers {answers}")
    w("")
    w("## Decision record")
    w("")
    w(_record_md(record))
    w("")
    w("## Areas")
    w("")
    w("| area | how placed | sub-topics | paper's conclusion (§7) |")
    w("|---|---|---|---|")
    for p in a.areas:
        how = p.method + (f": {', '.join(p.evidence)}" if p.evidence else "")
        conc = "may be well suited" if p.paper_conclusion == "well_suited" else "not singled out"
        w(f"| {p.name} | {_esc(how)} | {', '.join(p.subtopics) or '—'} | {conc} |")
    if not a.areas:
        w("| **areas not determined — a reviewer must classify** | — | — | — |")
    w("")
    for line in placement_lines(a):
        w(f"- {_esc(line)}")
    if placement_lines(a):
        w("")
    facts = fact_rows(a)
    if facts or a.safeguards_not_credited:
        w("## Facts read from the text")
        w("")
        if facts:
            w("| fact | status | quote | applied as | question for the reviewer |")
            w("|---|---|---|---|---|")
            for fr in facts:
                w(
                    f"| {fr.label} | {fr.status} | “{_esc(fr.quote)}” | {_esc(fr.applied_as)} | "
                    f"{_esc(fr.question or '—')} |"
                )
            w("")
        for line in not_credited_lines(a):
            w(f"- **{_esc(line)}**")
        if a.safeguards_not_credited:
            w("")
    w("## Risks")
    w("")
    if not a.risks:
        w(
            "No risk level was read: areas not determined — a reviewer must classify "
            "(the framework's levels are per area, framework.md §6)."
        )
        w("")
    w("| risk | baseline | with the proposal's features | with planned safeguards | set by |")
    w("|---|---|---|---|---|")
    for r in a.risks:
        w(
            f"| {r.short} {r.name} | {r.baseline} | {r.inherent} | {r.residual} | {', '.join(r.driven_by)} |"
        )
    w("")
    w("### Areas × risks (residual, worst side)")
    w("")
    shorts = [r.short for r in a.risks]
    w("| area | " + " | ".join(shorts) + " |")
    w("|---|" + "---|" * len(shorts))
    for p in a.areas:
        row = []
        for r in a.risks:
            lv = [c.cells[r.risk].residual for c in a.cells if c.area == p.id]
            row.append(max(lv, key=["low", "moderate", "high"].index) if lv else "—")
        w(f"| {p.name} | " + " | ".join(row) + " |")
    w("")
    w("## Each side")
    w("")
    for s in a.sides:
        inh = ", ".join(f"{_short(a, k)} {v}" for k, v in s.inherent.items())
        res = ", ".join(f"{_short(a, k)} {v}" for k, v in s.residual.items())
        w(f"### Side {s.side} ({', '.join(s.parties)})")
        w("")
        w(f"- Levels: {inh}; with safeguards: {res}")
        for n in s.notes:
            w(f"- {n}")
        w("")
    w("## Baseline reasoning")
    w("")
    for r in a.risks:
        w(f"- **{r.short}**: " + " ".join(_esc(x) for x in r.reasons))
    w("")
    w("## Benefits (motives for cooperation, §2)")
    w("")
    if not a.benefits:
        w("No motive of §2 was identified from the proposal's stated purposes and features.")
    for b in a.benefits:
        when = f", {b.case['when']}" if b.case.get("when") else ""
        w(f"- **{b.name}** — {b.reason} Precedent: *{b.case['name']}*{when}. (`{b.rule}`, {b.ref})")
    for b in a.benefits_considered:
        w(
            f"- *Considered, not counted:* {b.name} — precedent *{b.case['name']}* needs: "
            f"{b.requires}. (`{b.rule}`)"
        )
    w("")
    w("## Safeguards")
    w("")
    if not a.safeguards:
        w("No safeguard in the catalogue applies.")
    else:
        w("| safeguard | planned | counters | lowers | verdict if added alone | cost |")
        w("|---|---|---|---|---|---|")
        for sg in a.safeguards:
            verdict_if = (sg.verdict_if_added or "—").replace("_", " ")
            w(
                f"| {sg.name} (`{sg.id}`) | {_planned(sg)} | "
                f"{', '.join(f'`{x}`' for x in sg.counters_fired) or '—'} | "
                f"{', '.join(_short(a, x) for x in sg.lowers) or '—'} | {verdict_if} | {sg.cost} |"
            )
        for sg in a.safeguards:
            if sg.planned and not sg.credited:
                w("")
                w(f"*Not credited:* `{sg.id}` — {sg.not_credited_because}.")
    w("")
    w("## Due diligence")
    w("")
    w(_diligence_md(a))
    if a.landscape:
        w("")
        w("## Collaboration landscape")
        w("")
        w(_landscape_md(a.landscape))
    w("")
    w(plan_markdown(mitigation_plan(a), heading="##").rstrip())
    w("")
    w("## What this record rests on")
    w("")
    w(_basis_md(a, record))
    w("")
    w("## Appendix: the full rule trace")
    w("")
    if not a.trace:
        w("No rule fired: every level is the area's baseline (framework.md §6).")
    else:
        w("| stage | rule | area | side | risk | change | fired on | reason | ref |")
        w("|---|---|---|---|---|---|---|---|---|")
        for t in a.trace:
            change = (
                f"{t.before} → {t.after}"
                if t.stage != "countered"
                else f"{t.before} (countered by {', '.join(t.countered_by)})"
            )
            w(
                f"| {t.stage} | `{t.rule}` | {t.area} | {t.side} | {_short(a, t.risk)} | {change} | "
                f"{', '.join(f'`{f}`' for f in t.fired_on)} | {_esc(t.reason)} | {t.ref} |"
            )
    w("")
    w("---")
    w("")
    w(f"*{a.disclaimer}*")
    w("")
    return _no_raw_html("\n".join(out))


def _record_md(record: doc.Record | None) -> str:
    rv = record.reviewer if record is not None else None
    if rv is None:
        lines = ["To be completed and signed by the reviewer.", ""]
    else:
        rev = f", revision {record.revision}" if record and record.revision else ""
        lines = [f"From the review workflow{rev}.", ""]
    lines += ["| | |", "|---|---|"]
    decision = (
        rv.decision.replace("_", " ") if rv else "approved / approved with conditions / rejected"
    )
    for label, value in (
        ("Reviewer", rv.name if rv else ""),
        ("Role", rv.role if rv else ""),
        ("Decision", decision),
        ("Date", rv.date if rv else ""),
        ("Reasoning", rv.reasoning if rv else ""),
        ("Reviewer's conditions", rv.conditions if rv else ""),
        ("Signature", ""),
    ):
        lines.append(f"| {label} | {_esc(value)} |")
    return "\n".join(lines)


def _basis_md(a: Assessment, record: doc.Record | None) -> str:
    b = doc.basis(a)
    lists = (
        "; ".join(b.lists)
        if b.lists
        else "none: restricted-party screening was not run (not checked is not clean)"
    )
    if b.lists and b.screening_as_of:
        lists += f" — screened as of {b.screening_as_of}"
    lines = [
        f"- Framework `{b.framework}`; rules `{b.rules}`; safeguards `{b.safeguards}`; "
        f"owners of conditions `{b.responsibilities}`; {b.tool}",
        f"- Proposal `{b.proposal}`",
        f"- List snapshots: {_esc(lists)}",
        "- Reviewer dispositions: "
        + (
            _esc("; ".join(b.dispositions))
            if b.dispositions
            else "none: every list match stands on the automated screening"
        ),
    ]
    if record is not None and record.audit_head:
        lines.append(f"- Audit-chain head: entry {record.audit_seq}, `{record.audit_head}`")
    lines.append("")
    lines.append(doc.reproduce_hint(a))
    return "\n".join(lines)


def _diligence_md(a: Assessment) -> str:
    dd = a.due_diligence
    if dd is None:
        return (
            "**Not checked.** No restricted-party screening was run for this assessment; "
            "this is not a clean result. Run `detente lists load` (or `detente lists update`) and assess again."
        )
    from detente.report.diligence import diligence_rows

    lines = []
    rows = diligence_rows(dd)
    sides = rows["sides"]
    if sides["headers"]:
        lines.append(
            "Each side's lists, side by side (a list binds the parties of its jurisdiction):"
        )
        lines.append("")
        lines.append("| who | " + " | ".join(_esc(h) for h in sides["headers"]) + " |")
        lines.append("|---|" + "---|" * len(sides["headers"]))
        lines.append("| *lists checked* | " + " | ".join(_esc(c) for c in sides["coverage"]) + " |")
        for r in sides["rows"]:
            lines.append(
                f"| {_esc(r['name'])} ({r['kind']}) | "
                + " | ".join(_esc(c) for c in r["cells"])
                + " |"
            )
        lines.append("")
        lines.append("Every match, on any list loaded:")
        lines.append("")
    noted = doc.footnoted(rows["screening"])
    lines.append("| who | kind | status | list | score |")
    lines.append("|---|---|---|---|---|")
    for r in noted["rows"]:
        ref = f" [{r['note']}]" if r["note"] else ""
        lines.append(
            f"| {_esc(r['name'])} | {r['kind']} | **{r['status']}** | {_esc(r['list'])}{ref} | {r['score']} |"
        )
    if noted["notes"]:
        lines.append("")
        for n, text in enumerate(noted["notes"], 1):
            lines.append(f"[{n}] {_esc(text)}  ")
    if rows["lists"]:
        lines.append("")
        lines.append("Lists used:")
        for lst in rows["lists"]:
            lines.append(f"- {_esc(lst)}")
    if rows["not_checked"]:
        lines.append("")
        lines.append("**Not checked** (not loaded): " + ", ".join(rows["not_checked"]))
    for title, flags in (
        ("Controlled technology", rows["controlled"]),
        ("Investment review", rows["investment"]),
    ):
        if flags:
            lines.append("")
            lines.append(f"{title} (guidance, not a legal determination):")
            for f in flags:
                lines.append(f"- {_esc(f)}")
    lines.append("")
    lines.append("Flags: " + (", ".join(f"`{f}`" for f in a.due_diligence_flags) or "none"))
    if dd.research_security is not None:  # issue 13: research-security packs beside the verdict
        from detente.packs.export import results_markdown

        lines += [
            "",
            "**Research-security rule packs**",
            "",
            results_markdown(dd.research_security),
        ]
    return "\n".join(lines)


def _landscape_md(land: LandscapeSection) -> str:
    lines = [f"**{land.title}**", ""]
    cols = land.columns
    if cols and land.rows:
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "---|" * len(cols))
        for r in land.rows:
            row = r.model_dump()  # the section names its columns: the row's field names
            lines.append("| " + " | ".join(_esc(str(row.get(c, ""))) for c in cols) + " |")
        lines.append("")
    if land.definition:
        lines.append(f"*Definition of AI safety used:* {_esc(land.definition)}")
        lines.append("")
    if land.explanation:
        lines.append(_esc(land.explanation))
        lines.append("")
    return "\n".join(lines).rstrip()


def _planned(sg: SafeguardResult) -> str:
    """The "planned" cell: a planned safeguard the levels do not credit says so."""
    if not sg.planned:
        return "no"
    return "yes" if sg.credited else "yes, not credited"
