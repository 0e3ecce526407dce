"""The named checks a pack clause can use (the pack data chooses a check and its parameters).

Each check reads a :class:`Context` (the proposal, the as-of date, list look-ups, co-publication
findings) and returns a :class:`CheckResult`: whether the condition holds (``None`` when the
facts it needs are not stated: the clause then asks instead of assuming), the evidence, whether
the list matches behind it are confirmed, and what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from detente.model.proposal import Asset, ModelAccess, Person, Proposal
from detente.packs.model import Outcome

FCOC = ("CN", "HK", "MO", "RU", "KP", "IR")
"""Foreign countries of concern (CHIPS §10612: China, North Korea, Russia, Iran; Hong Kong and
Macau counted as China)."""


@dataclass(frozen=True)
class ListHit:
    """A name found on a list edition in force on a date."""

    list_id: str
    list_name: str
    entry_name: str
    matched_name: str
    edition: str
    listed_on: str | None
    confirmed: bool
    score: float
    basis: str = ""


class ListLookup(Protocol):
    def lookup(
        self, name: str, *, lists: Sequence[str], on: date, country: str | None = None
    ) -> list[ListHit]: ...

    def available(self, list_id: str) -> bool: ...


@dataclass(frozen=True)
class CoPublication:
    """One co-publication of a proposal's person with an author at a listed institution."""

    person: str
    work_id: str
    title: str
    year: int
    venue: str
    coauthor: str
    affiliation: str
    raw_affiliation: str
    country: str | None
    list_id: str
    list_name: str
    entry_name: str
    edition: str
    in_force_on_publication: bool | None
    confidence: str  # high | possible
    attribution: str  # confirmed | name_only

    def describe(self) -> str:
        state = {True: "listed then", False: "not yet listed then", None: "listing date unknown"}[
            self.in_force_on_publication
        ]
        return (
            f"{self.person}: '{self.title}' ({self.venue} {self.year}) with {self.coauthor}, "
            f"affiliation '{self.raw_affiliation}' = {self.entry_name} on {self.list_name} "
            f"[{self.edition}; {state}; confidence {self.confidence}; authorship {self.attribution}]"
        )


@dataclass
class Context:
    proposal: Proposal
    as_of: date
    lists: ListLookup | None = None
    copublications: dict[str, list[CoPublication]] | None = None
    view: str | None = None


@dataclass
class CheckResult:
    holds: bool | None
    evidence: list[str] = field(default_factory=list)
    confirmed: bool = True
    missing: list[str] = field(default_factory=list)
    outcome: Outcome | None = None
    works: list[CoPublication] = field(default_factory=list)


CheckFn = Callable[[Context, dict[str, Any], int | None], CheckResult]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    doc: str
    params: dict[str, str]
    fn: CheckFn


CHECKS: dict[str, CheckSpec] = {}


def check(name: str, doc: str, **params: str) -> Callable[[CheckFn], CheckFn]:
    def deco(fn: CheckFn) -> CheckFn:
        CHECKS[name] = CheckSpec(name, doc, params, fn)
        return fn

    return deco


# -- helpers ---------------------------------------------------------------------------------


def _rs(ctx: Context) -> Any:
    return ctx.proposal.research_security


def _people(ctx: Context) -> list[Person]:
    return list(ctx.proposal.people)


def _window_start(ctx: Context, years: int | None) -> date | None:
    if years is None:
        return None
    try:
        return ctx.as_of.replace(year=ctx.as_of.year - years)
    except ValueError:  # 29 February
        return ctx.as_of.replace(year=ctx.as_of.year - years, day=28)


def _active(start: date | None, end: date | None, since: date | None, on: date) -> bool:
    """Active at some point in [since, on] (or on *on* when no window)."""
    lo = since or on
    return (start is None or start <= on) and (end is None or end >= lo)


def _no_disclosures(ctx: Context) -> list[str]:
    return [p.name for p in _people(ctx) if p.disclosures is None]


def _lookup(
    ctx: Context, name: str, lists: Sequence[str], country: str | None = None
) -> list[ListHit]:
    if ctx.lists is None:
        return []
    return ctx.lists.lookup(name, lists=lists, on=ctx.as_of, country=country)


def _lists_missing(ctx: Context, lists: Sequence[str]) -> list[str]:
    if ctx.lists is None:
        return list(lists)
    return [x for x in lists if not ctx.lists.available(x)]


def _hit_text(h: ListHit) -> str:
    state = "confirmed" if h.confirmed else "possible match, to confirm"
    return f"'{h.matched_name}' = {h.entry_name} on {h.list_name} ({h.edition}; {state})"


def _found(ev: list[str], missing: list[str], *, confirmed: bool = True) -> CheckResult:
    """The usual ending: holds with the evidence; otherwise unknown while facts are missing."""
    if ev:
        return CheckResult(True, ev, confirmed=confirmed, missing=missing)
    return CheckResult(None if missing else False, [], missing=missing)


def _listed(
    ctx: Context, lists: Sequence[str], names: list[tuple[str, str, str | None]]
) -> tuple[list[str], bool]:
    """Look up (label, name, country) triples on *lists*: evidence lines and whether any match
    is confirmed."""
    ev: list[str] = []
    confirmed = False
    for label, name, country in names:
        for h in _lookup(ctx, name, lists, country):
            confirmed = confirmed or h.confirmed
            ev.append(f"{label}{_hit_text(h)}")
    return ev, confirmed


_WHAT_FIELD = {
    "talent-programme participation": "talent_programmes",
    "other support": "other_support",
    "patents": "patents",
    "appointments": "appointments",
}


def _ask_people(ctx: Context, what: str) -> list[str]:
    """People whose disclosures of *what* are not stated: none given, or an empty list in
    disclosures not declared complete (an empty list means "none" only when declared complete)."""
    attr = _WHAT_FIELD.get(what)
    out = []
    for p in _people(ctx):
        d = p.disclosures
        if d is None or (attr is not None and not d.complete and not getattr(d, attr)):
            out.append(f"{p.name}: {what} not stated")
    return out


# -- person disclosures ----------------------------------------------------------------------


@check(
    "talent_malign",
    "A person takes part in a malign foreign talent recruitment programme: a programme with a "
    "§10638(4)(A) action and a (4)(B) sponsor (a foreign country of concern, or a body on the "
    "§1286 lists); carved-out activities count only when a §1286-listed body runs them.",
    countries="sponsor countries that make a programme malign (default: FCOC)",
    lists="lists of institutions / programmes that make a sponsor malign (default: us_dod_1286)",
    carve_outs="true: apply the §19232(d) carve-outs",
)
def _talent_malign(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    countries = params.get("countries") or list(FCOC)
    lists = params.get("lists") or ["us_dod_1286"]
    ev: list[str] = []
    confirmed = True
    hit = False
    since = _window_start(ctx, years)
    for p in _people(ctx):
        d = p.disclosures
        if d is None:
            continue
        for t in d.talent_programmes:
            if not _active(t.start, t.end, since, ctx.as_of):
                continue
            hits = _lookup(ctx, t.sponsor or t.name, lists) + _lookup(ctx, t.name, lists)
            listed = [h for h in hits if h.confirmed] or hits
            sponsor_bad = (t.sponsor_country in countries) or bool(listed)
            if params.get("carve_outs") and t.activity is not None and not listed:
                ev.append(
                    f"{p.name}: '{t.name}' is only {t.activity.value.replace('_', ' ')} "
                    "(a §19232(d) carve-out; no §1286-listed body runs it)"
                )
                continue
            if t.actions and sponsor_bad:
                hit = True
                if (
                    listed
                    and not any(h.confirmed for h in listed)
                    and t.sponsor_country not in countries
                ):
                    confirmed = False
                why = (
                    [f"sponsor country {t.sponsor_country}"]
                    if t.sponsor_country in countries
                    else []
                )
                why += [_hit_text(h) for h in listed]
                ev.append(
                    f"{p.name}: '{t.name}' with action(s) {', '.join(a.value for a in t.actions)}; "
                    f"sponsor: {'; '.join(why)}"
                )
    missing = _ask_people(ctx, "talent-programme participation")
    if hit:
        return CheckResult(True, ev, confirmed=confirmed, missing=missing)
    if missing:
        return CheckResult(None, ev, missing=missing)
    return CheckResult(False, ev or ["no malign programme disclosed by any person"])


@check(
    "talent_any",
    "A person discloses a foreign talent recruitment programme (any sponsor in the given countries).",
    countries="sponsor countries (default: FCOC)",
    actions_only="true: only programmes with a §10638(4)(A) action",
)
def _talent_any(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    countries = params.get("countries") or list(FCOC)
    since = _window_start(ctx, years)
    ev = []
    for p in _people(ctx):
        if p.disclosures is None:
            continue
        for t in p.disclosures.talent_programmes:
            if t.sponsor_country not in countries or not _active(t.start, t.end, since, ctx.as_of):
                continue
            if params.get("actions_only") and not t.actions:
                continue
            acts = ", ".join(a.value for a in t.actions) or "none stated"
            ev.append(f"{p.name}: '{t.name}' ({t.sponsor_country}; actions: {acts})")
    missing = _ask_people(ctx, "talent-programme participation")
    return _found(ev, missing)


@check(
    "support_from_countries",
    "A person has current or prior funding (other support) from a funder in the given countries.",
    countries="funder countries (default: FCOC)",
)
def _support(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    countries = params.get("countries") or list(FCOC)
    since = _window_start(ctx, years)
    ev = [
        f"{p.name}: support from {s.funder} ({s.funder_country}"
        + (f", {s.start}–{s.end or 'current'}" if s.start else "")
        + ")"
        for p in _people(ctx)
        if p.disclosures is not None
        for s in p.disclosures.other_support
        if s.funder_country in countries and _active(s.start, s.end, since, ctx.as_of)
    ]
    missing = _ask_people(ctx, "other support")
    return _found(ev, missing)


@check(
    "patents_concern",
    "A person has a patent filed in, or assigned to an entity in, the given countries, or one not disclosed.",
    countries="countries (default: FCOC)",
)
def _patents(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    countries = params.get("countries") or list(FCOC)
    since = _window_start(ctx, years)
    ev = []
    for p in _people(ctx):
        if p.disclosures is None:
            continue
        for pt in p.disclosures.patents:
            if since and pt.filed and pt.filed < since:
                continue
            why = []
            if pt.office in countries:
                why.append(f"filed in {pt.office}")
            if pt.assignee_country in countries:
                why.append(f"assigned to {pt.assignee or 'an entity'} in {pt.assignee_country}")
            if pt.disclosed is False:
                why.append("not disclosed")
            if why:
                ev.append(f"{p.name}: patent '{pt.title or '?'}' " + ", ".join(why))
    missing = _ask_people(ctx, "patents")
    return _found(ev, missing)


@check(
    "affiliation_listed",
    "A person discloses an appointment (current, or within the window) at an organisation on the lists.",
    lists="list ids",
)
def _affiliation(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    lists = params.get("lists") or []
    since = _window_start(ctx, years)
    ev, confirmed = _listed(
        ctx,
        lists,
        [
            (f"{p.name}: {a.kind} at ", a.organisation, a.country)
            for p in _people(ctx)
            if p.disclosures is not None
            for a in p.disclosures.appointments
            if _active(a.start, a.end, since, ctx.as_of)
        ],
    )
    missing = _ask_people(ctx, "appointments") + [
        f"list {x} not loaded" for x in _lists_missing(ctx, lists)
    ]
    return _found(ev, missing, confirmed=confirmed)


@check(
    "support_listed",
    "A person receives support (funding or in-kind) from an organisation on the lists.",
    lists="list ids",
)
def _support_listed(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    lists = params.get("lists") or []
    since = _window_start(ctx, years)
    ev, confirmed = _listed(
        ctx,
        lists,
        [
            (f"{p.name}: support from ", s.funder, s.funder_country)
            for p in _people(ctx)
            if p.disclosures is not None
            for s in p.disclosures.other_support
            if _active(s.start, s.end, since, ctx.as_of)
        ],
    )
    missing = _ask_people(ctx, "other support") + [
        f"list {x} not loaded" for x in _lists_missing(ctx, lists)
    ]
    return _found(ev, missing, confirmed=confirmed)


@check(
    "covered_individuals_certified",
    "Every person is a covered individual who can certify not being party to a malign programme "
    "(asks when the disclosures are not stated or not complete).",
)
def _certify(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    missing = [
        f"{p.name}: certification that disclosures are complete not given"
        for p in _people(ctx)
        if p.disclosures is None or not p.disclosures.complete
    ]
    if not _people(ctx):
        missing = ["no people named in the proposal"]
    return CheckResult(None if missing else True, [], missing=missing)


# -- lists and co-publications ---------------------------------------------------------------


@check(
    "copublication_listed",
    "A person co-published, within the window, with an author whose institution was on the lists "
    "(the edition in force on the publication date).",
    lists="list ids",
)
def _copub(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    lists = set(params.get("lists") or [])
    if ctx.copublications is None:
        return CheckResult(
            None, [], missing=["co-publication look-back not run (`detente researcher`)"]
        )
    since = _window_start(ctx, years)
    works = [
        w
        for ws in ctx.copublications.values()
        for w in ws
        if w.list_id in lists
        and w.in_force_on_publication is not False
        and (since is None or w.year >= since.year)
        and w.year <= ctx.as_of.year
    ]
    if not works:
        return CheckResult(False, ["no co-publication with a listed institution in the window"])
    confirmed = any(
        w.confidence == "high" and w.attribution == "confirmed" and w.in_force_on_publication
        for w in works
    )
    return CheckResult(
        True, [w.describe() for w in works[:20]], confirmed=confirmed, works=works[:50]
    )


def _parties(ctx: Context, params: dict[str, Any]) -> list[Any]:
    only = params.get("party_countries")
    skip = params.get("exclude_party_countries") or []
    return [
        p for p in ctx.proposal.parties if (not only or p.country in only) and p.country not in skip
    ]


@check(
    "party_listed",
    "A party (optionally only parties of some countries) is on the lists in force on the as-of date.",
    lists="list ids",
    party_countries="only parties in these countries",
    exclude_party_countries="skip parties in these countries",
)
def _party(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    lists = params.get("lists") or []
    ev: list[str] = []
    confirmed = False
    for p in _parties(ctx, params):
        for name in dict.fromkeys([p.name, *(x for x in [p.name_native] if x), *p.aliases]):
            for h in _lookup(ctx, name, lists, p.country):
                confirmed = confirmed or h.confirmed
                ev.append(f"party {p.name} ({p.country}): {_hit_text(h)}")
    missing = [f"list {x} not loaded: not checked" for x in _lists_missing(ctx, lists)]
    if ev:
        return CheckResult(True, list(dict.fromkeys(ev)), confirmed=confirmed, missing=missing)
    return CheckResult(None if missing else False, [], missing=missing)


@check(
    "equipment_listed",
    "Equipment used in the project comes from a maker on the lists.",
    lists="list ids",
)
def _equipment(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    lists = params.get("lists") or []
    if rs is None:
        return CheckResult(None, [], missing=["equipment makers not stated"])
    ev, confirmed = _listed(
        ctx, lists, [("equipment maker ", m, None) for m in rs.equipment_makers]
    )
    missing = [f"list {x} not loaded" for x in _lists_missing(ctx, lists)]
    return _found(ev, missing, confirmed=confirmed)


@check(
    "collaborator_listed",
    "A collaborating institution (a party, or a person's disclosed appointment) is on the latest edition of the lists.",
    lists="list ids",
)
def _collaborator(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    a = _party(ctx, {"lists": params.get("lists")}, years)
    b = _affiliation(ctx, {"lists": params.get("lists")}, None)
    ev = a.evidence + b.evidence
    missing = list(dict.fromkeys(a.missing + b.missing))
    confirmed = (a.holds is True and a.confirmed) or (b.holds is True and b.confirmed)
    return _found(ev, missing, confirmed=confirmed)


# -- project facts ---------------------------------------------------------------------------


@check(
    "publication_restricted",
    "The researchers accepted a restriction on publication beyond the reviews §734.8(b) allows.",
)
def _pub(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    if rs is None:
        return CheckResult(None, [], missing=["publication restrictions not stated"])
    if rs.publication_restrictions and not rs.prepublication_review_only:
        return CheckResult(True, [f"restriction: {r}" for r in rs.publication_restrictions])
    if rs.fundamental is None and not rs.publication_restrictions:
        return CheckResult(
            None, [], missing=["whether the work is fundamental research not stated"]
        )
    return CheckResult(False, ["no publication restriction beyond §734.8(b) reviews"])


@check(
    "deemed_export",
    "Controlled technology or source code (an ECCN other than EAR99) is released to a foreign person "
    "in the United States, and the fundamental-research exclusion does not apply.",
)
def _deemed(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    if rs is None:
        return CheckResult(None, [], missing=["technology classification (ECCN) not stated"])
    controlled = [e for e in rs.eccns if e.strip().upper() != "EAR99"]
    if not controlled:
        return CheckResult(False, ["no controlled ECCN stated (EAR99 or none)"])
    if rs.fundamental and not rs.publication_restrictions:
        return CheckResult(
            False,
            [
                "fundamental research intended to be published: not subject to the EAR (§734.8)",
            ],
        )
    ev: list[str] = []
    missing: list[str] = []
    for p in _people(ctx):
        d = p.disclosures
        if d is None or d.in_us is None or not (d.citizenships or d.permanent_residency):
            missing.append(
                f"{p.name}: whether in the US and citizenship/permanent residency not stated"
            )
            continue
        if not d.in_us:
            continue
        if "US" in d.citizenships or "US" in d.permanent_residency:
            continue
        most_recent = (d.permanent_residency or d.citizenships)[-1]
        ev.append(
            f"{p.name}: release of {', '.join(controlled)} in the US would be a deemed export to "
            f"{most_recent} (§734.13(b): most recent citizenship or permanent residency)"
        )
    return _found(ev, missing)


def _us_and_concern(ctx: Context, countries: Sequence[str]) -> tuple[bool, bool]:
    us = any(p.country == "US" for p in ctx.proposal.parties)
    other = any(p.country in countries for p in ctx.proposal.parties)
    return us, other


@check(
    "outbound_ai",
    "A US person's equity or joint venture with a person of a country of concern in AI development "
    "above the compute threshold or for the listed end uses.",
    countries="countries of concern (default: CN, HK, MO)",
    flop_over="training-compute threshold (operations)",
    bio_flop_over="threshold when trained primarily on biological-sequence data",
    end_uses="end uses that trigger the clause",
)
def _outbound(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    countries = params.get("countries") or ["CN", "HK", "MO"]
    us, other = _us_and_concern(ctx, countries)
    if not (us and other):
        return CheckResult(False, ["no US party with a party in a country of concern"])
    if rs is None or rs.equity_or_joint_venture is None:
        return CheckResult(
            None, [], missing=["whether there is equity or a joint venture not stated"]
        )
    if not rs.equity_or_joint_venture:
        return CheckResult(False, ["no equity or joint venture: not a covered transaction"])
    ev = []
    flop = rs.training_compute_flop
    thr = params.get("flop_over")
    if thr is not None and flop is not None and flop > float(thr):
        ev.append(f"training compute {flop:.2g} > {float(thr):.0e} operations")
    bio = params.get("bio_flop_over")
    if (
        bio is not None
        and flop is not None
        and flop > float(bio)
        and any(d.type.value == "biological_sequence" for d in rs.data)
    ):
        ev.append(f"biological-sequence data and compute {flop:.2g} > {float(bio):.0e}")
    uses = set(params.get("end_uses") or [])
    ev += [f"end use: {u}" for u in rs.end_uses if u in uses]
    if ev:
        return CheckResult(True, ["equity or joint venture with a party of concern", *ev])
    if flop is None and thr is not None:
        return CheckResult(None, [], missing=["training compute of the AI system not stated"])
    return CheckResult(False, ["below the thresholds and no listed end use"])


@check(
    "weights_export",
    "Closed model weights trained above the threshold are released to a party outside the country.",
    flop_over="training-compute threshold (operations)",
)
def _weights(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    shares = ctx.proposal.model_access == ModelAccess.weights or any(
        Asset.model_weights in p.contributes or Asset.model_weights in p.receives
        for p in ctx.proposal.parties
    )
    if not shares:
        return CheckResult(False, ["no model weights are shared"])
    if rs is None or rs.closed_weights is None or rs.training_compute_flop is None:
        return CheckResult(
            None,
            [],
            missing=["whether the weights are unpublished, and the training compute, not stated"],
        )
    thr = float(params.get("flop_over") or 1e26)
    if rs.closed_weights and rs.training_compute_flop > thr:
        return CheckResult(
            True,
            [f"closed weights trained with {rs.training_compute_flop:.2g} > {thr:.0e} operations"],
        )
    return CheckResult(False, ["weights published, or training compute below the threshold"])


@check(
    "advances_sensitive_tech_with_listed",
    "The work advances a sensitive technology research area and a researcher is affiliated with "
    "(employed by, appointed at, or funded by) an organisation on the lists.",
    lists="list ids",
)
def _strac(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    if rs is None:
        return CheckResult(
            None, [], missing=["whether the work advances a sensitive technology area not stated"]
        )
    if not rs.advances_sensitive_technology:
        return CheckResult(
            False, ["the work does not advance a sensitive technology research area"]
        )
    lists = params.get("lists") or []
    c = _collaborator(ctx, {"lists": lists}, years)
    support, support_confirmed = _listed(
        ctx,
        lists,
        [
            (f"{p.name}: funding or in-kind support from ", s.funder, None)
            for p in _people(ctx)
            if p.disclosures is not None
            for s in p.disclosures.other_support
        ],
    )
    ev = c.evidence + support
    area = ", ".join(rs.advances_sensitive_technology)
    if ev:
        return CheckResult(
            True,
            [f"advances: {area}", *ev],
            confirmed=(c.holds is True and c.confirmed) or support_confirmed,
            missing=c.missing,
        )
    return CheckResult(None if c.missing else False, [f"advances: {area}"], missing=c.missing)


@check(
    "sanctions_clause",
    "The agreement has a clause applying one country's sanctions or lists to the other side's parties.",
)
def _clause(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    if rs is None:
        return CheckResult(None, [], missing=["agreement clauses on sanctions not stated"])
    if rs.sanctions_clauses:
        return CheckResult(True, [f"clause: {c}" for c in rs.sanctions_clauses])
    return CheckResult(False, ["no clause applying foreign sanctions is stated"])


@check(
    "cn_catalogue",
    "Technology on China's restricted-technology catalogue (or dual-use list) leaves China.",
    items="catalogue items that trigger the clause",
)
def _catalogue(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    if not any(p.country == "CN" and p.contributes for p in ctx.proposal.parties):
        return CheckResult(False, ["no Chinese party contributes technology"])
    if rs is None:
        return CheckResult(
            None, [], missing=["catalogue items of the technology transferred not stated"]
        )
    items = set(params.get("items") or [])
    ev = [f"catalogue item: {i}" for i in rs.cn_catalogue_items if not items or i in items]
    return CheckResult(bool(ev), ev or ["no catalogue item stated"])


@check(
    "cn_data_export",
    "Data leaving China contains personal information or important data (thresholds decide between a "
    "security assessment and a standard contract; academic data without either is exempt).",
    pi_subjects_over="people whose (non-sensitive) PI triggers the security assessment",
    spi_subjects_over="people whose sensitive PI triggers the security assessment",
)
def _cn_data(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    if rs is None or not rs.data:
        return CheckResult(None, [], missing=["data types and volumes not stated"])
    out = [d for d in rs.data if d.crosses_border_from == "CN"]
    if not out:
        return CheckResult(False, ["no data leaves China"])
    pi_thr = int(params.get("pi_subjects_over") or 1_000_000)
    spi_thr = int(params.get("spi_subjects_over") or 10_000)
    ev: list[str] = []
    severe = False
    missing: list[str] = []
    for d in out:
        t = d.type.value
        if t == "important_data":
            ev.append(f"{d.name or 'data'}: important data (security assessment)")
            severe = True
        elif t in ("personal_information", "sensitive_personal_information"):
            thr = spi_thr if t.startswith("sensitive") else pi_thr
            if d.subjects is None:
                missing.append(f"{d.name or 'data'}: number of people not stated")
                ev.append(f"{d.name or 'data'}: {t.replace('_', ' ')}")
            elif d.subjects > thr:
                severe = True
                ev.append(
                    f"{d.name or 'data'}: {t.replace('_', ' ')} of {d.subjects} people > {thr}"
                )
            else:
                ev.append(
                    f"{d.name or 'data'}: {t.replace('_', ' ')} of {d.subjects} people (standard contract or certification)"
                )
    if not ev:
        return CheckResult(
            False, ["academic cooperation data without personal or important data: exempt"]
        )
    return CheckResult(
        True,
        ev,
        missing=missing,
        outcome=None if severe or missing else Outcome.mitigation_suggested,
    )


@check(
    "cn_ethics",
    "The work involves human participants or personal data, or falls in a re-review category.",
    categories="categories that trigger the clause (empty: human participants / personal data)",
)
def _ethics(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    rs = _rs(ctx)
    if rs is None:
        return CheckResult(
            None, [], missing=["human participants and ethics categories not stated"]
        )
    cats = params.get("categories")
    if cats:
        ev = [f"re-review category: {c}" for c in rs.ethics_categories if c in cats]
        return CheckResult(bool(ev), ev)
    ev = []
    if rs.human_participants:
        ev.append("human participants")
    ev += [
        f"personal data: {d.name or d.type.value}"
        for d in rs.data
        if d.type.value in ("personal_information", "sensitive_personal_information")
    ]
    if ev:
        return CheckResult(True, ev)
    if rs.human_participants is None:
        return CheckResult(None, [], missing=["whether there are human participants not stated"])
    return CheckResult(False, ["no human participants or personal data"])


@check("always", "Holds whenever the pack applies (for notes that always apply).")
def _always(ctx: Context, params: dict[str, Any], years: int | None) -> CheckResult:
    return CheckResult(True, [])
