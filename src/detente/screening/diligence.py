"""Screening of names and proposals against the loaded lists."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from detente.model.diligence import (
    DueDiligence,
    FeatureContribution,
    ListCoverage,
    ListMatch,
    ListVersion,
    ScreeningResult,
    SideDiligence,
    SideFinding,
    Status,
    automated_status,
)
from detente.model.proposal import Proposal
from detente.screening.dispositions import DispositionSet, apply, entry_fingerprint, load_all
from detente.screening.evidence import Subject, assess
from detente.screening.identifiers import subject_ids
from detente.screening.matching import KIND_PARENT, Candidate, Feature, Matcher, NameForm
from detente.screening.normalize import has_cjk, rules
from detente.screening.registry import Registry, load_registry
from detente.screening.store import LoadedIndex, age_days, open_index

MAX_MATCHES = 8
_TITLES = re.compile(
    r"^(?:(?:prof(?:essor)?|dr|mr|mrs|ms|mx|sr|jr|col|gen|lt|maj|capt|adm|sir|dame|hon|rev)\.?\s+)+",
    re.IGNORECASE,
)


def strip_titles(name: str) -> str:
    """Drop leading honorifics and ranks from a person's name ("Prof. Dr. ..."), nothing else."""
    out = _TITLES.sub("", name.strip())
    return out or name


def _features(fs: Sequence[Feature]) -> list[FeatureContribution]:
    return [
        FeatureContribution.model_construct(
            name=f.name, value=f.value, weight=f.weight, contribution=f.contribution, note=f.note
        )
        for f in fs
    ]


def _to_match(
    m: Matcher,
    reg: Registry,
    c: Candidate,
    snapshots: dict[str, str],
    *,
    schema: str = "org",
    subject: Subject | None = None,
    hit: float | None = None,
    country: str | None = None,
) -> ListMatch:
    e = m.entries[c.entry]
    hit = rules().hit if hit is None else hit
    status, evidence, why = assess(
        schema=schema,
        score=c.score.score,
        via=c.score.via,
        matched_name=c.name,
        features=c.score.features,
        entry=e,
        subject=subject or Subject(),
        hit=hit,
        country=country,
    )
    if c.kind == KIND_PARENT or e.formerly_listed:
        status = "potential" if status == "hit" else status
    spec = reg.list_spec(e.list_id)
    related = c.kind == KIND_PARENT
    relation = None
    if e.formerly_listed:
        relation = (
            f"Formerly listed, context only (not a hit): '{e.name}' was on the {spec.name} "
            f"(listed {e.listed_on or 'date unknown'}, until {e.ended_on or 'date unknown'})."
            + (f" The match is on '{c.name}', an organisation it belonged to." if related else "")
        )
    elif related:
        relation = (
            f"Related-entity notice, not a hit: the listed unit '{e.name}' belongs to or is affiliated with "
            f"'{c.name}'. Check whether the cooperation involves that unit or its staff."
        )
    meaning = spec.meaning
    extra = dict(e.extra)
    lic = extra.get("license_requirement")
    if lic:
        meaning = f"{meaning} Licence requirement stated by the list: {lic}"
    return ListMatch.model_construct(
        list_id=e.list_id,
        list_name=spec.name,
        severity=spec.severity.value,
        meaning=" ".join(meaning.split()),
        authority=extra.get("authority") or spec.authority,
        jurisdiction=spec.jurisdiction,
        source_id=e.source_id,
        snapshot_id=snapshots.get(e.source_id),
        notice_url=extra.get("notice_url"),
        entry_id=e.entry_id,
        entry_name=e.name,
        matched_name=c.name,
        matched_kind=c.kind,
        programmes=list(e.programs),
        listing_date=e.listed_on,
        countries=list(e.countries),
        score=c.score.score,
        via=c.score.via,
        features=_features(c.score.features),
        related=related,
        relation=relation,
        formerly_listed=e.formerly_listed,
        ended_on=e.ended_on,
        entry_fingerprint=entry_fingerprint(e),
        match_status=status,
        evidence=evidence,
        why=relation or why,
    )


def _dedupe(cands: list[Candidate], m: Matcher) -> list[Candidate]:
    """One candidate per (list, listed name, related?) — the same entry via several sources kept once per source."""
    seen: set[tuple[str, str, str, bool]] = set()
    out = []
    for c in cands:
        e = m.entries[c.entry]
        k = (e.list_id, e.source_id, " ".join(e.name.casefold().split()), c.kind == KIND_PARENT)
        if k in seen:
            continue
        seen.add(k)
        out.append(c)
    return out


def screen(
    idx: LoadedIndex | None,
    name: str,
    *,
    subject: str = "name",
    key: str | None = None,
    schema: str = "org",
    country: str | None = None,
    aliases: Iterable[str] = (),
    threshold: float | None = None,
    registry: Registry | None = None,
    dispositions: DispositionSet | None = None,
    birth_date: str | None = None,
    nationality: Sequence[str] = (),
    identifiers: Mapping[str, str] | None = None,
    affiliation: str | None = None,
    native: str | None = None,
) -> ScreeningResult:
    """Screen one name (plus aliases/native forms).  Persons are screened without any country.

    *birth_date*, *nationality*, *identifiers* and *affiliation* (persons) are compared with
    what the list states about a matched person: a person's match is a *hit* only when they
    agree (see :mod:`detente.screening.evidence`); they never select or rank candidates.

    Reviewers' *dispositions* for this subject and the matched entries are attached to the
    matches (a live false positive clears its match; an expired one is shown but changes nothing).
    """
    reg = registry or load_registry()
    r = rules()
    hit = r.hit if threshold is None else threshold
    possible = min(r.possible, hit)
    if schema == "person":
        name = strip_titles(name)
    names = [name, *[a for a in aliases if a and a.strip() and a != name]]
    cty = None if schema == "person" else country
    base = dict(
        subject=subject, key=key or name, name=name, queried_names=names, country=cty, schema=schema
    )
    if idx is None:
        return ScreeningResult(
            **base, status="not_checked", note="No list index has been built; nothing was checked."
        )
    forms: dict[tuple[str, bool], NameForm] = {}  # this screen's query names, prepared once
    cands = idx.matcher.match(
        name, schema=schema, country=cty, aliases=names[1:], floor=possible, prepared=forms
    )
    cands = _dedupe(cands, idx.matcher)
    snaps = {m.source_id: m.snapshot_id for m in idx.manifests}
    subj = Subject(
        ids=subject_ids(birth_date, nationality, identifiers)
        if schema == "person"
        else subject_ids(None),
        affiliation=affiliation if schema == "person" else None,
        native=native if native else next((a for a in names if has_cjk(a)), None),
    )
    kw: dict[str, Any] = dict(schema=schema, subject=subj, hit=hit, country=cty)
    matches = [_to_match(idx.matcher, reg, c, snaps, **kw) for c in cands]
    # formerly listed entries: history at hit strength, kept apart from the matches
    old = idx.former.match(
        name, schema=schema, country=cty, aliases=names[1:], floor=hit, prepared=forms
    )
    history = [_to_match(idx.former, reg, c, snaps, **kw) for c in _dedupe(old, idx.former)]
    history.sort(key=lambda m: (-m.score, m.list_id, m.entry_id))
    status = result_status(matches, hit)
    # order: hits by severity then score, then related, then potential, then cleared
    sev = {"blocking": 0, "restricting": 1, "informational": 2}
    rank = {"hit": 0, "potential": 1, "cleared": 2}
    matches.sort(
        key=lambda m: (
            rank[m.effective_status] + (m.related and m.score >= hit) * 0.5,
            m.related,
            sev[m.severity],
            -m.score,
            m.list_id,
            m.entry_id,
        )
    )
    note = ""
    if status == "clear" and matches:
        note = (
            f"{len(matches)} name match(es) cleared: identifiers the list states contradict "
            "them (see each match's evidence)."
        )
    elif status == "clear":
        note = "No match at or above the potential-match threshold on the lists loaded."
    elif (
        status == "potential"
        and schema == "person"
        and all(
            m.score >= hit for m in matches if m.effective_status == "potential" and not m.related
        )
    ):
        note = (
            "Potential match — needs review: a name alone never confirms a match on a person; "
            "give a birth date, nationality or identifier to corroborate or clear it."
        )
    elif status == "related":
        note = "Related-entity notice: an organisation this party belongs to, or a unit of it, is listed; the party itself is not."
    res = ScreeningResult(
        **base,
        status=status,
        matches=matches[:MAX_MATCHES],
        history=history[:MAX_MATCHES],
        note=note,
    )
    return apply(res, dispositions, hit)


def result_status(matches: Sequence[ListMatch], hit: float) -> Status:
    """A subject's status from its matches' effective statuses (after reviewer dispositions).

    hit: a direct match is a hit; related: a parent/unit match at hit strength and no direct
    hit; potential: a direct match needs review; clear: none, or every match was cleared.
    """
    direct = [m for m in matches if not m.related]
    if any(m.effective_status == "hit" for m in direct):
        return "hit"
    if any(m.related and m.score >= hit and m.effective_status != "cleared" for m in matches):
        return "related"
    if any(m.effective_status == "potential" for m in direct):
        return "potential"
    return "clear"


def coverage(idx: LoadedIndex | None, reg: Registry) -> list[ListCoverage]:
    out = []
    loaded = {m.source_id for m in idx.manifests} if idx else set()
    for spec in reg.lists:
        if spec.id == "user":
            if "user_csv" in loaded:
                out.append(
                    ListCoverage(
                        list_id="user",
                        list_name=spec.name,
                        severity=spec.severity.value,
                        status="checked",
                        sources=["user_csv"],
                    )
                )
            continue
        srcs = []
        complete = False
        for s in reg.sources:
            for p in s.provides:
                if p.list == spec.id and s.id in loaded:
                    srcs.append(s.id)
                    complete = complete or p.coverage == "complete"
        if not srcs:
            status, reason = "not_checked", "no source for this list is loaded"
        elif not complete:
            status, reason = "partial", "only a partial extract of this list is loaded"
        else:
            status, reason = "checked", ""
        out.append(
            ListCoverage(
                list_id=spec.id,
                list_name=spec.name,
                severity=spec.severity.value,
                jurisdiction=spec.jurisdiction,
                status=status,
                sources=srcs,
                reason=reason,
            )
        )
    return out


def jurisdiction_summary(cov: Sequence[ListCoverage]) -> dict[str, str]:
    """Per jurisdiction whose lists are registered: checked / partial / NOT CHECKED."""
    by: dict[str, list[ListCoverage]] = {}
    for c in cov:
        if c.jurisdiction:
            by.setdefault(c.jurisdiction, []).append(c)
    out: dict[str, str] = {}
    for j, cs in by.items():
        n = {s: sum(1 for c in cs if c.status == s) for s in ("checked", "partial", "not_checked")}
        if n["not_checked"] == len(cs):
            out[j] = f"NOT CHECKED (none of {len(cs)} lists loaded)"
        else:
            parts = [f"{v} {k.replace('_', ' ')}" for k, v in n.items() if v]
            out[j] = ", ".join(parts)
    return out


def side_jurisdictions(proposal: Proposal) -> dict[str, list[str]]:
    """Each side of the proposal and the jurisdictions (party countries) it is made of."""
    out: dict[str, list[str]] = {}
    members = [p for p in proposal.parties if not p.neutral] or list(proposal.parties)
    for side in proposal.sides:
        out[side] = sorted({p.country for p in members if p.side_key == side})
    return out


def _side_status(matches: list[ListMatch], threshold: float) -> str:
    """A subject's status on one side's lists, by the same rule as its overall status."""
    st = [
        (m, m.effective_status if m.confirmed_by == "reviewer" else automated_status(m, threshold))
        for m in matches
    ]
    direct = [s for m, s in st if not m.related]
    if "hit" in direct:
        return "hit"
    if any(m.related and m.score >= threshold and s != "cleared" for m, s in st):
        return "related"
    return "potential" if "potential" in direct else "clear"


def side_views(
    proposal: Proposal,
    results: Sequence[ScreeningResult],
    cov: Sequence[ListCoverage],
    reg: Registry,
    threshold: float,
) -> list[SideDiligence]:
    """Each side's due diligence: the lists binding its jurisdiction(s), applied to every subject.

    A list binds a side when its registry ``jurisdiction`` is the country of one of the side's
    parties; a user-supplied list (no jurisdiction) is applied by every side that loaded it.
    """
    by_id = {c.list_id: c for c in cov}
    out: list[SideDiligence] = []
    for side, jur in side_jurisdictions(proposal).items():
        ids = [
            spec.id
            for spec in reg.lists
            if spec.jurisdiction in jur or (spec.id == "user" and by_id.get("user") is not None)
        ]
        sc = [by_id[i] for i in ids if i in by_id]
        official = [c for c in sc if c.list_id != "user"]
        if not official:
            status = "no_lists"
            note = (
                f"No restricted-party list of {', '.join(jur) or 'this side'} is registered in "
                "Détente: this side's own lists were NOT CHECKED."
            )
        elif all(c.status == "not_checked" for c in official):
            status = "not_checked"
            note = "None of this side's lists is loaded: NOT CHECKED (not clean)."
        elif any(c.status != "checked" for c in official):
            status = "partial"
            missing = [c.list_name for c in official if c.status == "not_checked"]
            part = [c.list_name for c in official if c.status == "partial"]
            note = "; ".join(
                x
                for x in (
                    f"not loaded: {', '.join(missing)}" if missing else "",
                    (
                        f"only partly loaded: {', '.join(part)}"
                        if len(part) <= 2
                        else f"{len(part)} lists only partly loaded (see the coverage table)"
                    )
                    if part
                    else "",
                )
                if x
            )
        else:
            status, note = "checked", ""
        allowed = set(ids)
        findings = []
        for r in results:
            ms = [m for m in r.matches if m.list_id in allowed]
            if r.status == "not_checked" or status in {"not_checked", "no_lists"}:
                st = "not_checked"
            else:
                st = _side_status(ms, threshold)
            findings.append(
                SideFinding(subject=r.subject, key=r.key, name=r.name, status=st, matches=ms)
            )
        out.append(
            SideDiligence(
                side=side,
                jurisdictions=jur,
                lists=ids,
                status=status,
                coverage=sc,
                findings=findings,
                note=note,
            )
        )
    return out


def versions(
    idx: LoadedIndex | None, reg: Registry, as_of: date, max_age_days: int
) -> list[ListVersion]:
    if idx is None:
        return []
    out = []
    for m in idx.manifests:
        age, basis = age_days(m, as_of)
        spec = reg.source(m.source_id)
        notes = list(m.notes)
        if not m.published:
            notes.append("publication date unknown; age measured from retrieval")
        out.append(
            ListVersion(
                source_id=m.source_id,
                title=spec.title,
                snapshot_id=m.snapshot_id,
                content_hash=m.content_hash,
                retrieved_at=m.retrieved_at,
                published=m.published,
                age_days=age,
                age_basis=basis,
                stale=age is None or age > max_age_days,
                lists=m.lists,
                licence=spec.licence,
                notes=notes,
            )
        )
    return out


def _affiliation_name(proposal: Proposal, aff: str | None) -> str | None:
    if not aff:
        return None
    for p in proposal.parties:
        if aff in {p.key, p.id, p.name}:
            return p.name
    return aff


def diligence_for(
    proposal: Proposal,
    *,
    home: Path | None = None,
    threshold: float | None = None,
    max_age_days: int = 90,
    as_of: date | None = None,
    dispositions: DispositionSet | None = None,
) -> DueDiligence:
    """Screen a proposal's parties and people, and check controlled technology and investment rules.

    *as_of* fixes the date used for staleness (default: today); everything else is a function of
    the proposal, the loaded index and the reviewers' dispositions, so the result is reproducible.
    *dispositions* default to those recorded in the embedded store next to the index.
    """
    from detente.screening.techcheck import tech_flags

    reg = load_registry()
    r = rules()
    idx = open_index(home)
    when = as_of or date.today()
    disp = dispositions if dispositions is not None else load_all(home)
    parties = [
        screen(
            idx,
            p.name,
            subject="party",
            key=p.key,
            schema="org",
            country=p.country,
            aliases=[*(a for a in [p.name_native] if a), *p.aliases],
            threshold=threshold,
            registry=reg,
            dispositions=disp,
        )
        for p in proposal.parties
    ]
    people = [
        screen(
            idx,
            person.name,
            subject="person",
            key=person.name,
            schema="person",
            aliases=[person.name_native] if person.name_native else [],
            threshold=threshold,
            registry=reg,
            dispositions=disp,
            birth_date=person.birth_date,
            nationality=person.nationality or (),
            identifiers=person.identifiers,
            affiliation=_affiliation_name(proposal, person.affiliation),
            native=person.name_native,
        )
        for person in proposal.people
    ]
    ct, inv = tech_flags(proposal)
    notes = []
    if idx is None:
        notes.append(
            "No restricted-party list has been loaded: every party and person is NOT CHECKED. "
            "Run `detente lists update` or `detente lists load PATH...`."
        )
    notes.append(
        "A person's name match is at most a potential match unless identifiers the list states "
        "(birth date, nationality, affiliation, ORCID or another identifier) agree; nationality "
        "is compared only as an identifier and is never a risk signal, nor is the script of a name."
    )
    hit = r.hit if threshold is None else threshold
    cov = coverage(idx, reg)
    sides = side_views(proposal, [*parties, *people], cov, reg, hit)
    for sd in sides:
        if sd.status == "no_lists":
            notes.append(f"Side {sd.side}: {sd.note}")
    return DueDiligence(
        as_of=when,
        index_built=idx is not None,
        threshold=r.hit if threshold is None else threshold,
        possible_threshold=r.possible,
        rules_version=r.version,
        registry_version=reg.version,
        index_built_at=idx.meta.get("built_at") if idx else None,
        max_age_days=max_age_days,
        parties=parties,
        people=people,
        list_versions=versions(idx, reg, when, max_age_days),
        coverage=cov,
        sides=sides,
        controlled_technology=ct,
        investment_review=inv,
        notes=notes,
    )
