"""The filed document's content, shared by every format: findings, statement, actions, record.

A report someone signs opens with a page that decides: the verdict with *every* finding behind
it (decisive and conditioning, due diligence included), a plain-language benefit–risk statement,
the conditions as a numbered action list with an owner each, and a decision record. This module
computes that content once from the :class:`~detente.assessment.result.Assessment`; Markdown,
HTML/PDF, the terminal and the mitigation plan only lay it out.

Owners, compliance checks and review dates are data (``data/responsibilities.yaml``), not code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from detente.assessment.result import Assessment

# ---------------------------------------------------------------------------- responsibilities


class _D(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleDef(_D):
    name: str


class Duty(_D):
    owner: str
    action: str | None = None
    check: str | None = None
    review: str | None = None


class ConditionMap(_D):
    contains: str
    covered_by: str


class Responsibilities(_D):
    kind: Literal["responsibilities"]
    id: str
    version: str
    provenance: dict[str, str]
    roles: dict[str, RoleDef]
    default: Duty
    safeguards: dict[str, Duty]
    verdict_rules: dict[str, Duty]
    flags: dict[str, Duty]
    conditions: list[ConditionMap]

    @model_validator(mode="after")
    def _owners_known(self) -> Responsibilities:
        entries: list[tuple[str, Duty]] = [("default", self.default)]
        for group in (self.safeguards, self.verdict_rules, self.flags):
            entries += list(group.items())
        for key, duty in entries:
            if duty.owner not in self.roles:
                raise ValueError(
                    f"responsibilities: {key} names owner {duty.owner!r}, which is not a role "
                    f"({', '.join(self.roles)})"
                )
        for c in self.conditions:
            if c.covered_by != "planned_safeguards" and c.covered_by not in self.flags:
                raise ValueError(
                    f"responsibilities: condition pattern {c.contains!r} is covered by "
                    f"{c.covered_by!r}, which is neither 'planned_safeguards' nor a flag entry"
                )
        return self

    def role(self, owner: str) -> str:
        return self.roles[owner].name

    def for_safeguard(self, sid: str) -> Duty:
        return self.safeguards.get(sid, self.default)


@lru_cache(maxsize=1)
def responsibilities() -> Responsibilities:
    """The owners data file, validated on load."""
    text = (
        resources.files("detente.report")
        .joinpath("data/responsibilities.yaml")
        .read_text(encoding="utf-8")
    )
    return Responsibilities.model_validate(yaml.safe_load(text))


# ---------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One verdict rule that fired: the decisive ones set the verdict, the others condition it."""

    rule: str
    verdict: str
    reason: str
    ref: str
    decisive: bool
    kind: Literal["due diligence", "risk"]

    @property
    def verdict_label(self) -> str:
        return self.verdict.replace("_", " ")


@lru_cache(maxsize=1)
def _dd_rules() -> frozenset[str]:
    """Verdict rules whose condition reads due-diligence flags (``dd.*``), from the rule pack."""
    from detente.framework.loader import get_framework

    fw = get_framework()
    return frozenset(
        v.id
        for v in fw.rules.verdicts
        if "dd." in yaml.safe_dump(v.model_dump(mode="json").get("when"))
    )


def findings(a: Assessment) -> list[Finding]:
    """Every finding of the verdict: decisive first, then the ones that also fired."""
    dd = _dd_rules()
    out: list[Finding] = []
    for decisive, group in ((True, a.verdict.decisive), (False, a.verdict.also)):
        for v in group:
            kind: Literal["due diligence", "risk"] = (
                "due diligence" if v.rule in dd or v.rule.endswith("-HIT") else "risk"
            )
            out.append(Finding(v.rule, v.verdict, v.reason, v.ref, decisive, kind))
    return out


# ---------------------------------------------------------------------------- benefit–risk


def benefit_risk_statement(a: Assessment) -> str:
    """The plain-language benefit–risk statement.

    The engine's statement (``Assessment.statement``) is shown as it is; an older stored
    assessment without one gets a short one built from the benefits, the risk levels and the
    verdict.
    """
    if a.statement.strip():
        return a.statement.strip()
    return _built_statement(a)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _built_statement(a: Assessment) -> str:
    parts: list[str] = []
    if a.benefits:
        motives = list(dict.fromkeys(b.name.rstrip(".") for b in a.benefits))
        parts.append(
            f"The cooperation serves {'this motive' if len(motives) == 1 else 'these motives'} "
            f"for cooperation (framework.md §2): {'; '.join(motives)}."
        )
    else:
        parts.append(
            "No motive for cooperation of framework.md §2 was identified from the stated "
            "purposes, so there is no stated benefit to weigh against the risks."
        )
    by_level: dict[str, list[str]] = {}
    for r in a.risks:
        by_level.setdefault(r.residual, []).append(f"{r.short} ({r.name[:1].lower()}{r.name[1:]})")
    risk_bits = [
        f"{_join(by_level[lv])} {'stays' if len(by_level[lv]) == 1 else 'stay'} {lv}"
        for lv in ("high", "moderate")
        if by_level.get(lv)
    ]
    relies = any(r.inherent != r.residual for r in a.risks)
    if risk_bits:
        parts.append(
            "With the planned safeguards, "
            + "; ".join(risk_bits)
            + ("; the other risks are low." if by_level.get("low") else ".")
        )
    elif relies:
        parts.append("Every risk is low, but only because of the planned safeguards.")
    else:
        parts.append("Every risk is low without relying on safeguards.")
    dd = [f for f in findings(a) if f.kind == "due diligence"]
    if dd:
        parts.append(
            "Due diligence found: "
            + "; ".join(f.reason[:1].lower() + f.reason[1:].rstrip(".") for f in dd)
            + "."
        )
    elif a.due_diligence is None or "dd.not_checked" in a.due_diligence_flags:
        parts.append("Restricted-party screening is incomplete: not checked is not clean.")
    verdict = a.verdict.label.lower()
    if a.verdict.level == "suitable":
        parts.append(f"On balance the work is {verdict}.")
    elif a.verdict.level == "suitable_with_safeguards":
        parts.append(f"On balance the work is {verdict}, on the conditions below.")
    elif a.verdict.level == "needs_senior_review":
        parts.append("On balance the work needs a senior review before it goes ahead.")
    else:
        parts.append(f"On balance the work is {verdict} as proposed.")
    return " ".join(parts)


# ---------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    """One numbered condition of the verdict: what to do, who does it, and what it answers."""

    number: int
    text: str
    owner: str
    owner_id: str
    answers: list[str]
    check: str
    review: str
    source: Literal["finding", "safeguard", "flag", "condition"]
    safeguard: str | None = None


def _answers_for_safeguard(a: Assessment, sid: str) -> list[str]:
    short = {r.risk: r.short for r in a.risks}
    for s in a.safeguards:
        if s.id == sid:
            out = list(s.counters_fired)
            if s.lowers:
                out.append("lowers " + ", ".join(short.get(x, x) for x in s.lowers))
            return out
    return []


def actions(a: Assessment) -> list[Action]:
    """The conditions of the verdict as a numbered action list, each with its owner.

    Findings that ask for an action (a restricted-party hit, controlled technology…), each
    planned safeguard the verdict relies on, and each of the engine's conditions; an engine
    condition no data entry covers is kept verbatim, owned by the default office.
    """
    resp = responsibilities()
    raw: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(key: str, duty: Duty, text: str, answers: list[str], source: str, **kw: Any) -> None:
        if key in seen:
            return
        seen.add(key)
        raw.append(
            dict(
                text=text,
                owner=resp.role(duty.owner),
                owner_id=duty.owner,
                answers=answers,
                check=duty.check or resp.default.check or "",
                review=duty.review or resp.default.review or "",
                source=source,
                **kw,
            )
        )

    for f in findings(a):
        duty = resp.verdict_rules.get(f.rule)
        if duty is not None and duty.action:
            add(f"rule:{f.rule}", duty, duty.action, [f.rule], "finding")
    planned = [s for s in a.safeguards if s.relied_on]
    for cond in a.verdict.conditions:
        match = next((c for c in resp.conditions if c.contains in cond), None)
        if match is None:
            add(f"cond:{cond}", resp.default, cond, ["verdict condition"], "condition")
        elif match.covered_by == "planned_safeguards":
            basis = [f.rule for f in findings(a) if f.decisive]
            for s in planned:
                duty = resp.for_safeguard(s.id)
                add(
                    f"sg:{s.id}",
                    duty,
                    f"Put in place and keep: {s.name}.",
                    _answers_for_safeguard(a, s.id) or basis,
                    "safeguard",
                    safeguard=s.id,
                )
        else:
            duty = resp.flags[match.covered_by]
            add(
                f"flag:{match.covered_by}",
                duty,
                duty.action or cond,
                [match.covered_by],
                "flag",
            )
    return [Action(number=i, **r) for i, r in enumerate(raw, 1)]


# ---------------------------------------------------------------------------- list matches


@dataclass(frozen=True)
class MatchNote:
    """Whether a list match stands on the automated screening or on a reviewer's disposition."""

    subject: str
    list_name: str
    entry: str
    status: str
    confirmed_by: Literal["automated", "reviewer"]
    entries: int = 1
    reviewer: str | None = None
    decision: str | None = None
    decided_at: str | None = None
    reason: str | None = None


def match_notes(a: Assessment) -> list[MatchNote]:
    """One note per list match in the stored due diligence (formerly listed history excluded)."""
    dd = a.due_diligence
    if dd is None:
        return []
    out: list[MatchNote] = []
    for s in dd.results():
        for m in s.matches:
            d = m.disposition
            live = d if d is not None and not d.expired else None
            status: str = m.match_status or s.status
            if live is not None:
                status = "hit" if live.decision == "true_match" else "cleared"
            out.append(
                MatchNote(
                    subject=s.name,
                    list_name=m.list_name or m.list_id or "?",
                    entry=m.entry_name,
                    status=status,
                    confirmed_by="reviewer" if live is not None else "automated",
                    reviewer=live.reviewer if live is not None else None,
                    decision=live.decision if live is not None else None,
                    decided_at=live.decided_at if live is not None else None,
                    reason=live.reason if live is not None else None,
                )
            )
    return out


def match_summary(a: Assessment) -> list[MatchNote]:
    """The list matches grouped by subject, list, status and who confirmed them (entries counted)."""
    groups: dict[tuple[Any, ...], MatchNote] = {}
    for n in match_notes(a):
        key = (n.subject, n.list_name, n.status, n.confirmed_by, n.reviewer)
        if key in groups:
            groups[key] = replace(groups[key], entries=groups[key].entries + 1)
        else:
            groups[key] = n
    return list(groups.values())


# ---------------------------------------------------------------------------- decision record


@dataclass(frozen=True)
class Reviewer:
    """The reviewer's decision a filed report carries (from the web app), or blanks to sign."""

    name: str = ""
    role: str = ""
    decision: str = ""
    date: str = ""
    reasoning: str = ""
    conditions: str = ""


@dataclass(frozen=True)
class Record:
    """Where a filed copy comes from: the web app's decision and audit-chain head, if any."""

    reviewer: Reviewer | None = None
    source: str = ""
    revision: int | None = None
    audit_seq: int | None = None
    audit_head: str | None = None
    exported_at: str | None = None


@dataclass(frozen=True)
class Basis:
    """What a verdict rests on: framework, rules, catalogue, list snapshots and dispositions."""

    framework: str
    rules: str
    safeguards: str
    responsibilities: str
    tool: str
    proposal: str
    lists: list[str] = field(default_factory=list)
    dispositions: list[str] = field(default_factory=list)
    screening_as_of: str | None = None


def basis(a: Assessment) -> Basis:
    resp = responsibilities()
    lists: list[str] = []
    for v in a.due_diligence.list_versions if a.due_diligence is not None else []:
        snap = v.snapshot_id
        digest = v.content_hash[:12]
        when = v.published or v.retrieved_at
        sha = f"sha256 {digest}" if digest and digest not in snap else ""
        bits = [str(x) for x in (snap and f"snapshot {snap}", when and f"of {when}", sha) if x]
        title = v.title or v.source_id or "?"
        lists.append(f"{title} ({', '.join(bits)})" if bits else title)
    dispositions = [
        f"{n.subject} × {n.entry or n.list_name}: {n.decision} by {n.reviewer}"
        + (f" on {n.decided_at[:10]}" if n.decided_at else "")
        for n in match_notes(a)
        if n.confirmed_by == "reviewer"
    ]
    return Basis(
        framework=f"{a.framework.id} {a.framework.version} (sha256 {a.framework.sha256[:12]})",
        rules=f"{a.rules.id} {a.rules.version} (sha256 {a.rules.sha256[:12]})",
        safeguards=f"{a.safeguards_catalogue.id} {a.safeguards_catalogue.version} "
        f"(sha256 {a.safeguards_catalogue.sha256[:12]})",
        responsibilities=f"{resp.id} {resp.version}",
        tool=f"Détente {a.tool_version}",
        proposal=f"{a.proposal_id} (sha256 {a.proposal_sha256[:12]})",
        lists=lists,
        dispositions=dispositions,
        screening_as_of=a.due_diligence.as_of.isoformat() if a.due_diligence is not None else None,
    )


def footnoted(rows: Sequence[Mapping[str, Any]], key: str = "meaning") -> dict[str, Any]:
    """Give each distinct explanation once, as a numbered note the rows refer to.

    A long list's rows often share the same explanation (what a status or a list means); on paper
    repeating it on every row fills pages. Rows get ``note`` (a number, or None when empty).
    """
    notes: list[str] = []
    out = []
    for r in rows:
        text = str(r.get(key) or "").strip()
        n = None
        if text:
            if text not in notes:
                notes.append(text)
            n = notes.index(text) + 1
        out.append({**r, "note": n})
    return {"rows": out, "notes": notes}


# ---------------------------------------------------------------------------- title block


METADATA_LABELS: tuple[tuple[str, str], ...] = (
    ("principal_investigator", "Principal investigator"),
    ("department", "Department"),
    ("funder", "Funder"),
    ("award_number", "Award number"),
    ("start_date", "Start"),
    ("end_date", "End"),
    ("prepared_by", "Prepared by"),
)


def title_rows(a: Assessment, record: Record | None = None) -> list[tuple[str, str]]:
    """Label/value rows of the title block (only what is known), with the date it is as of."""
    meta = a.proposal.get("metadata") or {}
    rows = [(label, str(meta[k])) for k, label in METADATA_LABELS if meta.get(k)]
    if not meta.get("funder"):
        funders = [str(f.get("funder")) for f in a.proposal.get("funding") or [] if f.get("funder")]
        if funders:
            rows.append(("Funding", "; ".join(funders)))
    rows.append(("Proposal id", a.proposal_id))
    rows.append(("As of", as_of(a, record) or "not stated (no screening date)"))
    return rows


def as_of(a: Assessment, record: Record | None = None, *, today: bool = False) -> str | None:
    """The date the report is stated as of: the screening date, else the export date.

    With ``today`` the print date stands in when neither is known (paper needs a date on every
    page); text formats leave it out so the same assessment gives the same bytes.
    """
    if a.due_diligence is not None:
        return a.due_diligence.as_of.isoformat()
    if record is not None and record.exported_at:
        return record.exported_at[:10]
    return date.today().isoformat() if today else None


def reproduce_hint(a: Assessment) -> str:
    return (
        "To check a filed copy, keep the assessment JSON with it and run "
        f"`detente reproduce {a.proposal_id}.json`: it re-computes the verdict from the recorded "
        "proposal, due diligence and versions, and says whether it is identical byte for byte."
    )


__all__ = [
    "Action",
    "Basis",
    "Finding",
    "MatchNote",
    "Record",
    "Responsibilities",
    "Reviewer",
    "actions",
    "as_of",
    "basis",
    "benefit_risk_statement",
    "findings",
    "footnoted",
    "match_notes",
    "match_summary",
    "reproduce_hint",
    "responsibilities",
    "title_rows",
]
