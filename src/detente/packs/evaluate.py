"""Apply the rule packs in force on an as-of date to a proposal.

For each pack: does it apply (funder, fundamental research, a party's country, a transaction)?
which version is in force on the as-of date? then, per clause, does the condition hold, with what
evidence, and what outcome after the honesty caps (see :func:`detente.packs.model.effective_outcome`)?
A clause whose facts are not stated says what is missing ("cannot tell"); it is never clean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from detente.model.packs import Applicability as Applicability
from detente.model.packs import ClauseResult as ClauseResult
from detente.model.packs import ClauseState as ClauseState
from detente.model.packs import Outcome
from detente.model.packs import PackResult as PackResult
from detente.model.packs import PacksReport as PacksReport
from detente.model.packs import WorkEvidence as WorkEvidence
from detente.model.proposal import FundingType, Proposal
from detente.packs.checks import CHECKS, Context, CoPublication, ListLookup
from detente.packs.model import Pack, effective_outcome

_FUNDER_ALIASES = {"dow": "dod", "department of defense": "dod", "department of war": "dod"}


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _funder_key(s: str) -> str:
    k = " ".join(s.casefold().split())
    return _FUNDER_ALIASES.get(k, k)


def _applies(pack: Pack, proposal: Proposal) -> tuple[Applicability, str]:
    a = pack.applies_if
    rs = proposal.research_security
    reasons = []
    if a.funders:
        wanted = {_funder_key(f) for f in a.funders}
        stated = [rs.funder] if rs is not None and rs.funder else []
        stated += [f.funder for f in proposal.funding]
        if not stated:
            return "undetermined", f"funder not stated (applies to {', '.join(a.funders)} funding)"
        match = [f for f in stated if _funder_key(f) in wanted]
        if not match:
            return "not_applicable", f"funder {', '.join(stated)} is not {', '.join(a.funders)}"
        reasons.append(f"funder {match[0]}")
    if a.fundamental is not None:
        if rs is None or rs.fundamental is None:
            return "undetermined", "whether the work is fundamental research is not stated"
        if rs.fundamental != a.fundamental:
            return (
                "not_applicable",
                "not fundamental research" if a.fundamental else "fundamental research",
            )
        reasons.append("fundamental research" if a.fundamental else "not fundamental research")
    if a.party_country:
        parties = [p for p in proposal.parties if p.country in a.party_country]
        if not parties:
            return "not_applicable", f"no party in {', '.join(a.party_country)}"
        reasons.append(f"party {parties[0].name} ({parties[0].country})")
    if a.transaction:
        jv = rs.equity_or_joint_venture if rs is not None else None
        if jv is None and any(
            f.type in (FundingType.equity_investment, FundingType.joint_venture)
            for f in proposal.funding
        ):
            jv = True
        if jv is None:
            return "undetermined", "whether there is equity or a joint venture is not stated"
        if not jv:
            return "not_applicable", "no equity or joint venture"
        reasons.append("equity or joint venture")
    return "applies", "; ".join(reasons) or "applies to every proposal"


def _works(ws: Iterable[CoPublication]) -> list[WorkEvidence]:
    return [
        WorkEvidence(
            person=w.person,
            work_id=w.work_id,
            title=w.title,
            year=w.year,
            venue=w.venue,
            coauthor=w.coauthor,
            raw_affiliation=w.raw_affiliation,
            list_id=w.list_id,
            entry_name=w.entry_name,
            edition=w.edition,
            in_force_on_publication=w.in_force_on_publication,
            confidence=w.confidence,
            attribution=w.attribution,
        )
        for w in ws
    ]


def evaluate_pack(pack: Pack, ctx: Context) -> PackResult:
    base: dict[str, Any] = dict(
        pack_id=pack.id,
        title=pack.title,
        jurisdiction=pack.jurisdiction,
        view=pack.view,
        kind=pack.kind,
    )
    pending = [f"{v.version} (pending: {v.basis.citation})" for v in pack.pending_at(ctx.as_of)]
    version = pack.version_at(ctx.as_of)
    if version is None:
        first = min(v.valid_from for v in pack.versions)
        why = (
            f"not yet in force on {ctx.as_of} (from {first})"
            if ctx.as_of < first
            else f"no version in force on {ctx.as_of}"
        )
        return PackResult(**base, applicability="not_in_force", reason=why, pending=pending)
    applicability, reason = _applies(pack, ctx.proposal)
    vbase: dict[str, Any] = dict(
        version=version.version,
        status=version.status,
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        dates_verified=version.dates_verified,
        basis=version.basis,
        pending=pending,
    )
    if applicability != "applies":
        return PackResult(**base, **vbase, applicability=applicability, reason=reason)
    results = []
    ctx.view = pack.view
    for c in version.clauses:
        common: dict[str, Any] = dict(
            id=c.id,
            title=c.title,
            stated_outcome=c.outcome,
            wording=c.wording,
            condition=" ".join(c.condition.split()),
            needs=[n.value for n in c.needs],
            verified=c.verified,
            verification=c.source.verification.value,
            window_years=c.window_years,
            window_verified=c.window_verified,
            source=c.source,
        )
        if c.effective_from and ctx.as_of < c.effective_from:
            results.append(
                ClauseResult(
                    **common,
                    state="not_yet_in_effect",
                    outcome=Outcome.none,
                    evidence=[f"applies from {c.effective_from}"],
                )
            )
            continue
        r = CHECKS[c.check].fn(ctx, dict(c.params), c.window_years)
        if r.holds is None:
            results.append(
                ClauseResult(
                    **common,
                    state="cannot_tell",
                    outcome=Outcome.none,
                    evidence=r.evidence,
                    missing=r.missing,
                )
            )
            continue
        raw = (r.outcome or c.outcome) if r.holds else c.otherwise
        out, caps = effective_outcome(c, raw, status=version.status, confirmed=r.confirmed)
        results.append(
            ClauseResult(
                **common,
                state="holds" if r.holds else "does_not_hold",
                outcome=out,
                caps=caps,
                evidence=r.evidence,
                missing=r.missing,
                works=_works(r.works),
            )
        )
    worst = max((c.outcome for c in results), key=lambda o: o.rank, default=Outcome.none)
    return PackResult(
        **base, **vbase, applicability="applies", reason=reason, outcome=worst, clauses=results
    )


def evaluate(
    proposal: Proposal,
    as_of: date,
    *,
    packs: Sequence[Pack] | None = None,
    lists: ListLookup | None = None,
    copublications: dict[str, list[CoPublication]] | None = None,
    lists_loaded: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> PacksReport:
    """Evaluate every pack on *proposal* as of *as_of* (pure: same inputs, same report)."""
    from detente.packs.loader import bundled_packs

    ctx = Context(proposal=proposal, as_of=as_of, lists=lists, copublications=copublications)
    results = [evaluate_pack(p, ctx) for p in (packs if packs is not None else bundled_packs())]
    n = list(notes)
    if lists is None:
        n.append("No list editions loaded: clauses that need list matches cannot tell (not clean).")
    if copublications is None:
        n.append("The co-publication look-back was not run: co-publication clauses cannot tell.")
    return PacksReport(
        as_of=as_of,
        packs=results,
        lists_loaded=sorted(lists_loaded),
        lookback_run=copublications is not None,
        notes=n,
    )
