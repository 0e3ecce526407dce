"""Flattening a stored due-diligence result into rows every report format shows the same way."""

from __future__ import annotations

from typing import Any


def _first(d: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return default


def _flag_text(f: Any) -> str:
    if isinstance(f, str):
        return f
    if isinstance(f, dict):
        title = _first(f, "title", "name", "id", default="")
        basis = _first(f, "legal_basis", "basis", default="")
        why = _first(f, "why", "reason", "explanation", default="")
        parts = [str(title)]
        if basis:
            parts.append(f"[{basis}]")
        if why:
            parts.append(f"— {why}")
        return " ".join(p for p in parts if p)
    return str(f)


def review_text(m: dict[str, Any], threshold: float | None = None) -> str:
    """Whether a match's status is automated or confirmed by a reviewer (or the disposition expired)."""
    d = m.get("disposition")
    auto = str(m.get("match_status") or "hit")
    score = m.get("score")
    if auto == "hit" and threshold is not None and isinstance(score, float) and score < threshold:
        auto = "potential"
    if not isinstance(d, dict):
        return f"automated ({auto})"
    what = "true match" if d.get("decision") == "true_match" else "false positive"
    when = str(d.get("decided_at") or "")[:10]
    if d.get("expired"):
        return (
            f"automated ({auto}); disposition '{what}' by {d.get('reviewer')} ({when}) EXPIRED: "
            "the list entry changed since"
        )
    return f"confirmed by reviewer {d.get('reviewer')} ({when}): {what} — {d.get('reason', '')}"


def designation_text(m: dict[str, Any]) -> str:
    """Measure, authority, date and official notice of a designation (when the list gives them)."""
    parts = []
    progs = m.get("programmes") or []
    if progs:
        parts.append(f"measure: {'; '.join(str(p) for p in progs)}")
    if m.get("authority"):
        parts.append(f"authority: {m['authority']}")
    if m.get("listing_date"):
        parts.append(f"listed {m['listing_date']}")
    if m.get("ended_on"):
        parts.append(f"ended {m['ended_on']}")
    if m.get("notice_url"):
        parts.append(f"notice: {m['notice_url']}")
    return ", ".join(parts)


def _side_cell(f: dict[str, Any], threshold: float | None) -> str:
    status = str(f.get("status") or "not_checked")
    matches = [m for m in f.get("matches") or [] if isinstance(m, dict)]
    if not matches:
        return status.replace("_", " ")
    # best-scored first (an exact listing before a look-alike on a more severe list)
    ranked = sorted(matches, key=lambda m: -float(m.get("score") or 0.0))
    parts = []
    for m in ranked[:3]:
        lst = str(_first(m, "list_name", "list_id", default="?"))
        entry = str(_first(m, "entry_name", default=""))
        score = m.get("score")
        sc = f" {score:.2f}" if isinstance(score, float) else ""
        parts.append(f"{lst} — “{entry}”{sc} ({designation_text(m)}); {review_text(m, threshold)}")
    more = f" (+{len(ranked) - 3} more below)" if len(ranked) > 3 else ""
    return f"{status}: " + " · ".join(parts) + more


def side_rows(dd: dict[str, Any]) -> dict[str, Any]:
    """Each side's lists side by side: one column per side, one row per screened subject."""
    sides = [s for s in _first(dd, "sides", default=[]) or [] if isinstance(s, dict)]
    thr = dd.get("threshold")
    threshold = float(thr) if isinstance(thr, (int, float)) else None
    if not sides:
        return {"headers": [], "rows": [], "coverage": []}
    headers = []
    cover = []
    for sd in sides:
        jur = ", ".join(sd.get("jurisdictions") or []) or "?"
        headers.append(f"{sd.get('side')} side ({jur} lists)")
        status = str(sd.get("status") or "not_checked")
        counts: dict[str, int] = {}
        for c in sd.get("coverage") or []:
            if isinstance(c, dict) and c.get("list_id") != "user":
                counts[str(c.get("status"))] = counts.get(str(c.get("status")), 0) + 1
        summary = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items()))
        text = {
            "checked": "checked",
            "partial": "partly checked",
            "not_checked": "NOT CHECKED",
            "no_lists": "NOT CHECKED (no list of this jurisdiction is registered)",
        }.get(status, status)
        cover.append(
            f"{text}"
            + (f" — {summary}" if summary else "")
            + (f". {sd['note']}" if sd.get("note") else "")
        )
    rows = []
    n = max(len(sd.get("findings") or []) for sd in sides)
    for i in range(n):
        cells = []
        name, kind = "?", ""
        for sd in sides:
            fs = sd.get("findings") or []
            f = fs[i] if i < len(fs) and isinstance(fs[i], dict) else {}
            name = str(f.get("name") or name)
            kind = "person" if f.get("subject") == "person" else "organisation"
            cells.append(_side_cell(f, threshold))
        rows.append({"name": name, "kind": kind, "cells": cells})
    return {"headers": headers, "rows": rows, "coverage": cover}


def diligence_rows(dd: dict[str, Any]) -> dict[str, Any]:
    """Rows for screening results, list versions, unchecked lists and technology/investment flags."""
    screening: list[dict[str, str]] = []
    subjects: list[tuple[str, dict[str, Any]]] = []
    for kind, key in (("organisation", "parties"), ("person", "people")):
        for s in _first(dd, key, default=[]) or []:
            subjects.append((kind, s))
    for kind, s in subjects:
        name = str(_first(s, "name", "query", default="?"))
        status = str(_first(s, "status", default="not_checked"))
        matches = _first(s, "matches", "hits", default=[]) or []
        if not matches:
            why = _first(s, "explanation", "why", default="")
            screening.append(
                {
                    "name": name,
                    "kind": kind,
                    "status": status,
                    "list": "—",
                    "meaning": str(why or ""),
                    "score": "—",
                }
            )
        for m in matches:
            lst = str(_first(m, "list_name", "source_name", "list_id", "source", default="?"))
            version = _first(m, "snapshot_id", "list_version", "snapshot", default=None)
            listed = _first(m, "listing_date", default=None)
            extra = [
                x
                for x in (
                    f"entry {m.get('list_id')}:{m.get('entry_id')}" if m.get("entry_id") else None,
                    f"fingerprint {m.get('entry_fingerprint')}"
                    if m.get("entry_fingerprint")
                    else None,
                    f"listed {listed}" if listed else None,
                    f"snapshot {version}" if version else None,
                )
                if x
            ]
            if extra:
                lst += " (" + ", ".join(extra) + ")"
            entry = _first(m, "entry_name", "matched_name", "name", default="")
            meaning = str(_first(m, "relation", default="") or _first(m, "meaning", default=""))
            if entry:
                meaning = f"matched “{entry}”. {meaning}"
            desig = designation_text(m) if m.get("notice_url") or m.get("authority") else ""
            if desig:
                meaning += f" ({desig})"
            thr = dd.get("threshold")
            meaning += f" Review: {review_text(m, thr if isinstance(thr, float) else None)}."
            score = _first(m, "score", default="")
            screening.append(
                {
                    "name": name,
                    "kind": kind,
                    "status": str(_first(m, "status", default=status)),
                    "list": lst,
                    "meaning": meaning,
                    "score": f"{score:.2f}" if isinstance(score, float) else str(score),
                }
            )
    lists = []
    for v in _first(dd, "lists", "list_versions", "sources", default=[]) or []:
        if isinstance(v, dict):
            ident = _first(v, "title", "name", "source_id", "id", default="?")
            digest = str(_first(v, "content_hash", "sha256", "hash", default=""))[:12]
            date = _first(
                v, "published", "publication_date", "retrieved_at", "retrieved", default=""
            )
            stale = " — STALE" if v.get("stale") else ""
            lists.append(f"{ident} {date} {digest}{stale}".strip())
        else:
            lists.append(str(v))
    not_checked = [
        str(_first(x, "list_name", "name", "source_id", "id", default=x))
        if isinstance(x, dict)
        else str(x)
        for x in (_first(dd, "not_checked", "lists_not_checked", default=[]) or [])
    ]
    for cov in _first(dd, "coverage", default=[]) or []:
        if isinstance(cov, dict) and cov.get("status") == "not_checked":
            reason = f" ({cov['reason']})" if cov.get("reason") else ""
            not_checked.append(f"{cov.get('list_name', cov.get('list_id', '?'))}{reason}")
    controlled = [
        _flag_text(f)
        for f in _first(dd, "controlled_technology", "controlled_tech", default=[]) or []
    ]
    investment = [
        _flag_text(f) for f in _first(dd, "investment_review", "investment", default=[]) or []
    ]
    return {
        "sides": side_rows(dd),
        "screening": screening,
        "lists": lists,
        "not_checked": not_checked,
        "controlled": controlled,
        "investment": investment,
    }
