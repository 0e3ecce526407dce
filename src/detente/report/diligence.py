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


def diligence_rows(dd: dict[str, Any]) -> dict[str, list[Any]]:
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
                    f"entry {m.get('entry_id')}" if m.get("entry_id") else None,
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
        "screening": screening,
        "lists": lists,
        "not_checked": not_checked,
        "controlled": controlled,
        "investment": investment,
    }
