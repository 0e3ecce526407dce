"""Flattening a recorded due-diligence result into rows every report format shows the same way.

The rows read the typed :class:`~detente.model.diligence.DueDiligence` an assessment records (a
stored assessment is parsed back into it), field by field.
"""

from __future__ import annotations

from typing import TypedDict

from detente.model.diligence import DueDiligence, ListMatch, RegFlag, SideFinding


class SideRow(TypedDict):
    name: str
    kind: str
    cells: list[str]


class SideTable(TypedDict):
    """Each side's lists side by side (one column per side)."""

    headers: list[str]
    rows: list[SideRow]
    coverage: list[str]


class ScreeningRow(TypedDict):
    name: str
    kind: str
    status: str
    list: str
    meaning: str
    score: str


class DiligenceRows(TypedDict):
    """What every report format (and the web page) shows of a recorded due diligence."""

    sides: SideTable
    screening: list[ScreeningRow]
    lists: list[str]
    not_checked: list[str]
    controlled: list[str]
    investment: list[str]


def _flag_text(f: RegFlag) -> str:
    parts = [f.title]
    if f.legal_basis:
        parts.append(f"[{f.legal_basis}]")
    if f.explanation:
        parts.append(f"— {f.explanation}")
    return " ".join(p for p in parts if p)


def _automated_status(m: ListMatch, threshold: float | None) -> str:
    """The screening's status of a match: a hit below the threshold is potential."""
    auto: str = m.match_status or "hit"
    if auto == "hit" and threshold is not None and m.score < threshold:
        auto = "potential"
    return auto


def match_status(m: ListMatch, threshold: float | None = None) -> str:
    """This match's own status (not its party's): a reviewer's live disposition, else the
    screening's."""
    d = m.disposition
    if d is not None and not d.expired:
        return "hit" if d.decision == "true_match" else "false positive"
    return _automated_status(m, threshold)


def review_text(m: ListMatch, threshold: float | None = None) -> str:
    """Whether a match's status is automated or confirmed by a reviewer (or the disposition expired)."""
    d = m.disposition
    auto = _automated_status(m, threshold)
    if d is None:
        return f"automated ({auto})"
    what = "true match" if d.decision == "true_match" else "false positive"
    when = d.decided_at[:10]
    if d.expired:
        return (
            f"automated ({auto}); disposition '{what}' by {d.reviewer} ({when}) EXPIRED: "
            "the list entry changed since"
        )
    return f"confirmed by reviewer {d.reviewer} ({when}): {what} — {d.reason}"


def designation_text(m: ListMatch) -> str:
    """Measure, authority, date and official notice of a designation (when the list gives them)."""
    parts = []
    if m.programmes:
        parts.append(f"measure: {'; '.join(m.programmes)}")
    if m.authority:
        parts.append(f"authority: {m.authority}")
    if m.listing_date:
        parts.append(f"listed {m.listing_date}")
    if m.ended_on:
        parts.append(f"ended {m.ended_on}")
    if m.notice_url:
        parts.append(f"notice: {m.notice_url}")
    return ", ".join(parts)


def _side_cell(f: SideFinding | None, threshold: float | None) -> str:
    status = f.status if f is not None else "not_checked"
    if f is None or not f.matches:
        return status.replace("_", " ")
    # best-scored first (an exact listing before a look-alike on a more severe list)
    ranked = sorted(f.matches, key=lambda m: -m.score)
    parts = []
    for m in ranked[:3]:
        parts.append(
            f"{m.list_name} — “{m.entry_name}” {m.score:.2f} ({designation_text(m)}); "
            f"{review_text(m, threshold)}"
        )
    more = f" (+{len(ranked) - 3} more below)" if len(ranked) > 3 else ""
    return f"{status}: " + " · ".join(parts) + more


def side_rows(dd: DueDiligence) -> SideTable:
    """Each side's lists side by side: one column per side, one row per screened subject."""
    sides = dd.sides
    threshold = dd.threshold
    if not sides:
        return {"headers": [], "rows": [], "coverage": []}
    headers: list[str] = []
    cover: list[str] = []
    for sd in sides:
        jur = ", ".join(sd.jurisdictions) or "?"
        headers.append(f"{sd.side} side ({jur} lists)")
        counts: dict[str, int] = {}
        for c in sd.coverage:
            if c.list_id != "user":
                counts[c.status] = counts.get(c.status, 0) + 1
        summary = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items()))
        text = {
            "checked": "checked",
            "partial": "partly checked",
            "not_checked": "NOT CHECKED",
            "no_lists": "NOT CHECKED (no list of this jurisdiction is registered)",
        }[sd.status]
        cover.append(
            f"{text}" + (f" — {summary}" if summary else "") + (f". {sd.note}" if sd.note else "")
        )
    rows: list[SideRow] = []
    n = max(len(sd.findings) for sd in sides)
    for i in range(n):
        cells = []
        name, kind = "?", ""
        for sd in sides:
            f = sd.findings[i] if i < len(sd.findings) else None
            name = (f.name if f is not None else "") or name
            kind = "person" if f is not None and f.subject == "person" else "organisation"
            cells.append(_side_cell(f, threshold))
        rows.append({"name": name, "kind": kind, "cells": cells})
    return {"headers": headers, "rows": rows, "coverage": cover}


def diligence_rows(dd: DueDiligence) -> DiligenceRows:
    """Rows for screening results, list versions, unchecked lists and technology/investment flags."""
    screening: list[ScreeningRow] = []
    subjects = [("organisation", s) for s in dd.parties] + [("person", s) for s in dd.people]
    for kind, s in subjects:
        if not s.matches:
            screening.append(
                {
                    "name": s.name,
                    "kind": kind,
                    "status": s.status,
                    "list": "—",
                    "meaning": s.explanation,
                    "score": "—",
                }
            )
        for m in s.matches:
            lst = m.list_name
            extra = [
                x
                for x in (
                    f"entry {m.list_id}:{m.entry_id}" if m.entry_id else None,
                    f"fingerprint {m.entry_fingerprint}" if m.entry_fingerprint else None,
                    f"listed {m.listing_date}" if m.listing_date else None,
                    f"snapshot {m.snapshot_id}" if m.snapshot_id else None,
                )
                if x
            ]
            if extra:
                lst += " (" + ", ".join(extra) + ")"
            meaning = m.relation or m.meaning
            if m.entry_name:
                meaning = f"matched “{m.entry_name}”. {meaning}"
            desig = designation_text(m) if m.notice_url or m.authority else ""
            if desig:
                meaning += f" ({desig})"
            meaning += f" Review: {review_text(m, dd.threshold)}."
            screening.append(
                {
                    "name": s.name,
                    "kind": kind,
                    "status": match_status(m, dd.threshold),  # this match's, not the party's
                    "list": lst,
                    "meaning": meaning,
                    "score": f"{m.score:.2f}",
                }
            )
    lists = []
    for v in dd.list_versions:
        when = v.published if v.published is not None else v.retrieved_at
        stale = " — STALE" if v.stale else ""
        lists.append(f"{v.title} {when} {v.content_hash[:12]}{stale}".strip())
    not_checked = [
        f"{c.list_name}{f' ({c.reason})' if c.reason else ''}"
        for c in dd.coverage
        if c.status == "not_checked"
    ]
    return {
        "sides": side_rows(dd),
        "screening": screening,
        "lists": lists,
        "not_checked": not_checked,
        "controlled": [_flag_text(f) for f in dd.controlled_technology],
        "investment": [_flag_text(f) for f in dd.investment_review],
    }
