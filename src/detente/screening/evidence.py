"""Per-match status from the evidence: *hit*, *potential* (needs review) or *cleared*.

A name match alone never confirms anything about a person.  For a person, a *hit* needs the
name to match at hit strength AND identifiers that agree (date or year of birth, nationality or
citizenship, affiliation, ORCID or another identifier) worth at least
``corroboration.person.hit_requires`` points, with nothing against; a conflicting birth date or
ORCID clears the match; a conflicting nationality keeps it a potential match with the evidence
against shown.  For an organisation, the name decides (country agreement is never decisive on
its own) and a disagreeing native-script name counts against.  Points and rules are data
(``data/match_rules.yaml``, section ``corroboration``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from detente.model.diligence import Evidence, MatchStatus
from detente.screening.entries import ListEntry
from detente.screening.identifiers import PersonIds, compare, entry_ids
from detente.screening.normalize import _read_data, has_cjk, pinyin_key, rules, tokens


@dataclass(frozen=True, slots=True)
class Corroboration:
    hit_requires: float
    points: dict[str, float]
    clears: frozenset[str]


@lru_cache(maxsize=1)
def corroboration() -> Corroboration:
    raw: dict[str, Any] = _read_data("match_rules.yaml")["corroboration"]["person"]
    return Corroboration(
        hit_requires=float(raw["hit_requires"]),
        points={str(k): float(v) for k, v in raw["points"].items()},
        clears=frozenset(str(x) for x in raw["clears"]),
    )


@dataclass(frozen=True, slots=True)
class Subject:
    """What is known about the screened subject besides its name."""

    ids: PersonIds = field(default_factory=PersonIds)
    affiliation: str | None = None
    native: str | None = None  # the subject's name in its own script, if given


def _affiliation(aff: str, e: ListEntry) -> Evidence | None:
    core = {t for t in tokens(aff) if rules().discount.get(t, 1.0) >= 1.0}
    if not core:
        return None
    text = " ".join([*e.parents, *e.addresses, e.remarks])
    have = set(tokens(text))
    if core <= have:
        return Evidence(
            kind="affiliation",
            direction="for",
            detail=f"affiliation '{aff}' is named in the list entry",
            weight=corroboration().points.get("affiliation", 1.0),
        )
    return None


def _native(subject_native: str, e: ListEntry) -> Evidence | None:
    """Compare the subject's native-script name with the list's own native names."""
    listed = [n for n in e.native_names if has_cjk(n)]
    if not has_cjk(subject_native) or not listed:
        return None
    q = "".join(ch for ch in subject_native if not ch.isspace())
    for n in listed:
        if "".join(ch for ch in n if not ch.isspace()) == q:
            return Evidence(
                kind="native_name",
                direction="for",
                detail=f"native-script name {subject_native} is the list's",
                weight=0.0,
            )
    same_sound = any(pinyin_key(n) == pinyin_key(subject_native) for n in listed)
    return Evidence(
        kind="native_name",
        direction="against",
        detail=f"native-script name {subject_native} differs from the list's "
        f"{', '.join(listed)}" + (" (same pinyin, different characters)" if same_sound else ""),
        weight=0.0,
    )


def assess(
    *,
    schema: str,
    score: float,
    via: str,
    matched_name: str,
    features: Sequence[Any],
    entry: ListEntry,
    subject: Subject,
    hit: float,
    country: str | None = None,
) -> tuple[MatchStatus, list[Evidence], str]:
    """Status, evidence for and against, and a one-line why for one candidate match."""
    ev: list[Evidence] = [
        Evidence(
            kind="acronym" if via == "acronym" else "name",
            direction="for",
            detail=f"name matches '{matched_name}' at {score:.2f} ({via})",
            weight=round(score, 4),
        )
    ]
    for f in features:
        if f.contribution < 0 and f.name in {"distinguishing_conflict", "number_conflict"}:
            ev.append(
                Evidence(
                    kind="distinguishing_token",
                    direction="against",
                    detail=f.note,
                    weight=round(f.contribution, 4),
                )
            )
    if schema == "person":
        return _person(score, ev, entry, subject, hit)
    for f in features:
        if f.name == "country":
            ev.append(
                Evidence(
                    kind="country",
                    direction="for" if f.contribution >= 0 else "against",
                    detail=f.note
                    + (" (agreement is never decisive on its own)" if f.contribution >= 0 else ""),
                    weight=round(f.contribution, 4),
                )
            )
    nat = _native(subject.native, entry) if subject.native else None
    if nat is not None:
        ev.append(nat)
    against = [x for x in ev if x.direction == "against"]
    if score >= hit and not any(x.kind == "native_name" for x in against):
        return "hit", ev, f"name matches at {score:.2f} (hit threshold {hit:.2f})"
    if score >= hit:
        return (
            "potential",
            ev,
            "the name matches, but the native-script name differs from the list's: needs review",
        )
    return "potential", ev, f"name similarity {score:.2f} is below the hit threshold {hit:.2f}"


def _person(
    score: float, ev: list[Evidence], e: ListEntry, subject: Subject, hit: float
) -> tuple[MatchStatus, list[Evidence], str]:
    cfg = corroboration()
    listed = entry_ids(e.extra, e.remarks)
    for c in compare(subject.ids, listed):
        pts = cfg.points.get("identifier_exact" if c.decisive else c.kind, 0.0)
        ev.append(
            Evidence(
                kind=c.kind,
                direction="for" if c.direction == "for" else "against",
                detail=c.detail,
                weight=pts if c.direction == "for" else -pts,
            )
        )
    if subject.affiliation:
        a = _affiliation(subject.affiliation, e)
        if a is not None:
            ev.append(a)
    if subject.native:
        nat = _native(subject.native, e)
        if nat is not None:
            ev.append(nat)
    if subject.ids.empty and not subject.affiliation:
        ev.append(
            Evidence(
                kind="identifier",
                direction="neutral",
                detail="no birth date, nationality or identifier given for the person: "
                "a name alone cannot confirm a match",
            )
        )
    elif listed.empty:
        ev.append(
            Evidence(
                kind="identifier",
                direction="neutral",
                detail="the list states no birth date, nationality or identifier for this entry",
            )
        )
    against = [x for x in ev if x.direction == "against"]
    clearing = [x for x in against if x.kind in cfg.clears]
    if clearing:
        return "cleared", ev, "cleared: " + "; ".join(x.detail for x in clearing)
    points = sum(x.weight for x in ev if x.direction == "for" and x.kind not in {"name", "acronym"})
    if score >= hit and points >= cfg.hit_requires and not against:
        why = "name matches and identifiers agree: " + "; ".join(
            x.detail for x in ev if x.direction == "for" and x.kind != "name"
        )
        return "hit", ev, why
    if against:
        why = "potential match, evidence against: " + "; ".join(x.detail for x in against)
    elif score >= hit:
        why = "potential match — needs review: the name matches but " + (
            "the identifiers that agree are not enough to confirm it"
            if points
            else "no identifier corroborates it"
        )
    else:
        why = f"potential match — needs review: name similarity {score:.2f} is below {hit:.2f}"
    return "potential", ev, why
