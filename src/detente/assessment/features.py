"""From a proposal to flags: the vocabulary that rules are written in.

A proposal becomes one frozenset of flag names *per side* (the parties of one
country, or of one declared side).  Flags that do not depend on the side
(``form.*``, ``activity.*``, ``strategic.*`` …) are the same for every side;
``self.*`` and ``other.*`` flags describe the side being assessed and the
other sides, because R2 and R3 are not symmetric: who leads, who gives what.

:data:`VOCABULARY` documents every flag; rule files are checked against it on
load, so a misspelt flag in a rule pack is an error, not a silently dead rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.assessment.proposal import (
    Activity,
    Asset,
    Form,
    FundingType,
    Governance,
    Hosting,
    Maturity,
    ModelAccess,
    OrgType,
    Proposal,
    Publication,
    Purpose,
    StrategicTech,
)

_GOVERNMENT = {OrgType.government_lab, OrgType.government_agency, OrgType.military_affiliated}


def _enum_flags(prefix: str, enum: type, what: str) -> dict[str, str]:
    return {f"{prefix}.{m.value}": f"{what}: {m.value.replace('_', ' ')}" for m in enum}  # type: ignore[attr-defined]


def _vocabulary() -> dict[str, str]:
    v: dict[str, str] = {}
    v.update(_enum_flags("form", Form, "form of cooperation"))
    v.update(_enum_flags("activity", Activity, "activity"))
    v.update(_enum_flags("model_access", ModelAccess, "model access granted across sides"))
    v.update(_enum_flags("strategic", StrategicTech, "intersects strategic technology"))
    v["strategic.any"] = "intersects any other strategic technology"
    v["strategic.cbrn"] = "intersects nuclear or biological/chemical technology"
    v.update(_enum_flags("maturity", Maturity, "maturity"))
    v["maturity.unstated"] = "maturity not stated"
    v.update(_enum_flags("publication", Publication, "publication plan"))
    v.update(_enum_flags("hosting", Hosting, "hosting of shared infrastructure"))
    v["infra.safety_specific"] = "infrastructure is narrowly safety-specific tooling"
    v["infra.general_purpose"] = (
        "infrastructure is general-purpose (compute, training or data pipelines)"
    )
    v["infra.national"] = "builds on national or government infrastructure"
    v.update(_enum_flags("governance", Governance, "governance of the process"))
    v.update(_enum_flags("purpose", Purpose, "stated purpose"))
    v.update(_enum_flags("funding", FundingType, "funding"))
    v["lead.parity"] = "the parties are at parity in the relevant capability"
    v["lead.unknown"] = "no side is declared to lead"
    v["lead.declared"] = "one side is declared to lead"
    v["sides.multiple"] = "parties on more than one side"
    v["party.military_affiliated"] = "a party is military-affiliated"
    for a in Asset:
        v[f"any.gives.{a.value}"] = f"some party contributes {a.value.replace('_', ' ')}"
        v[f"self.gives.{a.value}"] = f"the assessed side contributes {a.value.replace('_', ' ')}"
        v[f"other.gives.{a.value}"] = f"another side contributes {a.value.replace('_', ' ')}"
        v[f"self.receives.{a.value}"] = f"the assessed side receives {a.value.replace('_', ' ')}"
        v[f"other.receives.{a.value}"] = f"another side receives {a.value.replace('_', ' ')}"
    v["neutral.hosts"] = "a neutral third party hosts the shared infrastructure"
    v["neutral.administers"] = "a neutral third party operates or administers shared infrastructure"
    for who in ("self", "other"):
        label = "the assessed side" if who == "self" else "another side"
        v[f"{who}.leads"] = f"{label} leads in the relevant capability"
        v[f"{who}.administers"] = f"{label} operates or administers shared infrastructure"
        v[f"{who}.hosts"] = f"{label} hosts the shared infrastructure"
        v[f"{who}.military_affiliated"] = f"{label} includes a military-affiliated party"
        v[f"{who}.government"] = f"{label} includes a government or military body"
    return v


VOCABULARY: dict[str, str] = _vocabulary()
"""Every flag a rule may test, with its meaning (safeguard.*, dd.*, residual.* are added below)."""

SAFEGUARD_PREFIX = "safeguard."
DILIGENCE_FLAGS: dict[str, str] = {
    "dd.blocking_hit": "a party is a confirmed match on a blocking list (e.g. OFAC SDN)",
    "dd.restricting_hit": "a party is a confirmed match on a restricting list (Entity List, §1286, 1260H, MEU …)",
    "dd.possible_hit": "a party has a possible match awaiting review",
    "dd.related_entity": "a party is related to (parent or sibling of) a listed entity",
    "dd.not_checked": "some list could not be checked",
    "dd.stale": "some list snapshot is older than the configured age",
    "dd.controlled_tech": "the work touches export-controlled technology",
    "dd.investment_review": "the arrangement may trigger investment review (CFIUS, outbound rules)",
    # research-security rule packs (issue 13; see detente.packs.diligence.PACK_FLAGS)
    "pack.prohibited": "a research-security rule pack in force prohibits part of the cooperation",
    "pack.mitigation_required": "a research-security rule pack in force requires mitigation",
    "pack.mitigation_suggested": "a research-security rule pack suggests mitigation (or a possible match needs review)",
    "pack.cannot_tell": "a research-security clause could not be evaluated: facts not stated",
}
VERDICT_FLAGS: dict[str, str] = {
    "residual.two_or_more_high": "two or more risks are high after the planned safeguards",
    "residual.any_high": "some risk is high after the planned safeguards",
    "residual.any_moderate": "some risk is moderate after the planned safeguards",
    "residual.moderate_outside_endorsed": "some risk is moderate in an area the paper did not single out as suitable (§7)",
    "residual.all_low": "every risk is low after the planned safeguards",
    "inherent.above_residual": "the planned safeguards lowered at least one risk",
    "areas.inferred_none": "no area could be determined from the proposal",
}


@dataclass(frozen=True, slots=True)
class SideFeatures:
    side: str
    parties: tuple[str, ...]
    flags: frozenset[str]


def _global_flags(p: Proposal, safeguards: frozenset[str]) -> set[str]:
    f: set[str] = set()
    f.update(f"form.{x.value}" for x in p.forms)
    f.update(f"activity.{x.value}" for x in p.activities)
    f.add(f"model_access.{p.model_access.value}")
    f.update(f"strategic.{x.value}" for x in p.strategic_intersections)
    if p.strategic_intersections:
        f.add("strategic.any")
    if {StrategicTech.nuclear, StrategicTech.bio_chem} & set(p.strategic_intersections):
        f.add("strategic.cbrn")
    f.add(f"maturity.{p.maturity.value}" if p.maturity else "maturity.unstated")
    f.add(f"publication.{p.publication.value}")
    infra = p.infrastructure
    f.add(f"hosting.{infra.hosting.value}")
    if infra.scope is not None:
        f.add(f"infra.{infra.scope.value}")
    if infra.builds_on_national_infrastructure:
        f.add("infra.national")
    if p.governance is not None:
        f.add(f"governance.{p.governance.value}")
    f.update(f"purpose.{x.value}" for x in p.purposes)
    f.update(f"funding.{x.type.value}" for x in p.funding)
    lead = p.lead_side()
    if p.capability_lead == "parity":
        f.add("lead.parity")
    elif lead is None:
        f.add("lead.unknown")
    else:
        f.add("lead.declared")
    if len(p.sides) > 1:
        f.add("sides.multiple")
    if any(x.type is OrgType.military_affiliated for x in p.parties):
        f.add("party.military_affiliated")
    for party in p.parties:
        f.update(f"any.gives.{a.value}" for a in party.contributes)
    f.update(SAFEGUARD_PREFIX + s for s in safeguards)
    return f


def side_features(p: Proposal, safeguards: frozenset[str] | None = None) -> list[SideFeatures]:
    """One flag set per side, in the order sides first appear among the parties."""
    planned = frozenset(p.safeguards) if safeguards is None else safeguards
    base = _global_flags(p, planned)
    lead = p.lead_side()
    host = p.infrastructure.hosted_by
    any_partisan = any(not x.neutral for x in p.parties)
    # Each party's flags as seen from its own side ("self") and from the others ("other"),
    # computed once and combined per side.
    views: list[tuple[str, frozenset[str], frozenset[str]]] = []
    neutral: set[str] = set()
    for party in p.parties:
        if party.neutral and any_partisan:
            if party.administers_infrastructure:
                neutral.add("neutral.administers")
            if host and party.key == host:
                neutral.add("neutral.hosts")
            continue
        own = [f"gives.{a.value}" for a in party.contributes]
        own += [f"receives.{a.value}" for a in party.receives]
        if party.administers_infrastructure:
            own.append("administers")
        if host and party.key == host:
            own.append("hosts")
        if party.type is OrgType.military_affiliated:
            own.append("military_affiliated")
        if party.type in _GOVERNMENT:
            own.append("government")
        views.append(
            (
                party.side_key,
                frozenset("self." + x for x in own),
                frozenset("other." + x for x in own),
            )
        )
    base |= neutral
    out: list[SideFeatures] = []
    for side in p.sides:
        flags = set(base)
        for party_side, as_self, as_other in views:
            flags |= as_self if party_side == side else as_other
        if lead is not None:
            flags.add("self.leads" if lead == side else "other.leads")
        members = tuple(x.key for x in p.parties if x.side_key == side and not x.neutral)
        out.append(SideFeatures(side, members, frozenset(flags)))
    return out
