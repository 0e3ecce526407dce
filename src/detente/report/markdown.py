"""Markdown report: for filing, diffing and pasting into tickets."""

from __future__ import annotations

import re
from typing import Any

from detente.assessment.result import Assessment

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


def render_markdown(a: Assessment) -> str:
    out: list[str] = []
    w = out.append
    w(f"# Détente assessment: {a.proposal_title}")
    w("")
    w(f"**Verdict: {a.verdict.label}**")
    w("")
    for d in a.verdict.decisive:
        w(f"- {d.reason} (`{d.rule}`, {d.ref})")
    for cnd in a.verdict.conditions:
        w(f"- *Condition:* {cnd}")
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
    w("## Areas")
    w("")
    w("| area | how placed | sub-topics | paper's conclusion (§7) |")
    w("|---|---|---|---|")
    for p in a.areas:
        how = p.method + (f": {', '.join(p.evidence)}" if p.evidence else "")
        conc = "may be well suited" if p.paper_conclusion == "well_suited" else "not singled out"
        w(f"| {p.name} | {_esc(how)} | {', '.join(p.subtopics) or '—'} | {conc} |")
    w("")
    w("## Risks")
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
    w("## Why: the trace")
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
    w("")
    w("## Safeguards")
    w("")
    if not a.safeguards:
        w("No safeguard in the catalogue applies.")
    else:
        w("| safeguard | planned | counters | lowers | verdict if added | cost |")
        w("|---|---|---|---|---|---|")
        for sg in a.safeguards:
            verdict_if = (sg.verdict_if_added or "—").replace("_", " ")
            w(
                f"| {sg.name} (`{sg.id}`) | {'yes' if sg.planned else 'no'} | "
                f"{', '.join(f'`{x}`' for x in sg.counters_fired) or '—'} | "
                f"{', '.join(_short(a, x) for x in sg.lowers) or '—'} | {verdict_if} | {sg.cost} |"
            )
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
    w("---")
    w("")
    w(f"*{a.disclaimer}*")
    w("")
    return _no_raw_html("\n".join(out))


def _diligence_md(a: Assessment) -> str:
    dd: dict[str, Any] | None = a.due_diligence
    if dd is None:
        return (
            "**Not checked.** No restricted-party screening was run for this assessment; "
            "this is not a clean result. Run `detente lists load` (or `detente lists update`) and assess again."
        )
    from detente.report.diligence import diligence_rows

    lines = []
    rows = diligence_rows(dd)
    lines.append("| who | kind | status | list | meaning | score |")
    lines.append("|---|---|---|---|---|---|")
    for r in rows["screening"]:
        lines.append(
            f"| {_esc(r['name'])} | {r['kind']} | **{r['status']}** | {_esc(r['list'])} | {_esc(r['meaning'])} | {r['score']} |"
        )
    if rows["lists"]:
        lines.append("")
        lines.append("Lists used:")
        for lst in rows["lists"]:
            lines.append(f"- {_esc(lst)}")
    if rows["not_checked"]:
        lines.append("")
        lines.append("**Not checked** (not loaded): " + ", ".join(rows["not_checked"]))
    for title, key in (
        ("Controlled technology", "controlled"),
        ("Investment review", "investment"),
    ):
        if rows[key]:
            lines.append("")
            lines.append(f"{title} (guidance, not a legal determination):")
            for f in rows[key]:
                lines.append(f"- {_esc(f)}")
    lines.append("")
    lines.append("Flags: " + (", ".join(f"`{f}`" for f in a.due_diligence_flags) or "none"))
    return "\n".join(lines)


def _landscape_md(land: dict[str, Any]) -> str:
    lines = [f"**{land.get('title', 'Co-authorship')}**", ""]
    cols = [str(c) for c in land.get("columns") or []]
    rows = land.get("rows") or []
    if cols and rows:
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "---|" * len(cols))
        for r in rows:
            lines.append("| " + " | ".join(_esc(str(r.get(c, ""))) for c in cols) + " |")
        lines.append("")
    if land.get("definition"):
        lines.append(f"*Definition of AI safety used:* {_esc(str(land['definition']))}")
        lines.append("")
    if land.get("explanation"):
        lines.append(_esc(str(land["explanation"])))
        lines.append("")
    return "\n".join(lines).rstrip()
