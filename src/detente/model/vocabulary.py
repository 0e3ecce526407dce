"""The flag vocabulary: every flag a rule may test, with its meaning.

The framework's loader checks rule files against it (a misspelt flag in a rule pack is an error,
not a silently dead rule); the engine (:mod:`detente.assessment.features`) computes the flags of a
proposal.  It lives in the contracts layer because both the data layer (``detente.framework``) and
the engine read it: the data must not depend on the engine.
"""

from __future__ import annotations

from detente.model.proposal import (
    AccessLevel,
    AccessOf,
    Activity,
    Asset,
    CodeKind,
    Form,
    FundingType,
    Governance,
    Hosting,
    Maturity,
    ModelAccess,
    Publication,
    Purpose,
    StrategicTech,
    Track,
)


def _enum_flags(prefix: str, enum: type, what: str) -> dict[str, str]:
    return {f"{prefix}.{m.value}": f"{what}: {m.value.replace('_', ' ')}" for m in enum}  # type: ignore[attr-defined]


def _vocabulary() -> dict[str, str]:
    v: dict[str, str] = {}
    v.update(_enum_flags("form", Form, "form of cooperation"))
    v.update(_enum_flags("activity", Activity, "activity"))
    v.update(
        _enum_flags(
            "model_access",
            ModelAccess,
            "model access across sides (from model_access, access grants or model assets exchanged)",
        )
    )
    for of in AccessOf:
        for lv in AccessLevel:
            if lv is AccessLevel.none:
                continue
            v[f"access.{of.value}.{lv.value}"] = (
                f"some party gets {lv.value.replace('_', ' ')} access to another side's {of.value}"
            )
            v[f"other.gets.{of.value}.{lv.value}"] = (
                f"another side gets {lv.value.replace('_', ' ')} access to the assessed side's {of.value}"
            )
    v["access.hands_on"] = (
        "hands-on access to a system across sides (supervised on-site, internals or weights, "
        "or joint red-teaming)"
    )
    v["other.gets.hands_on"] = "another side gets hands-on access to the assessed side's models"
    v["form.dialogue_only"] = (
        "the cooperation only talks and writes (dialogue, workshop, statement, publication, "
        "standards drafting): no system touched, no access, nothing but knowledge exchanged"
    )
    v["form.people_move"] = "researchers visit or are exchanged between the parties"
    v["unstated.forms"] = "the proposal declares no form of cooperation"
    v["unstated.focus"] = (
        "the proposal does not say whether the work touches strategic technology "
        "(strategic_intersections not given; an empty list says none)"
    )
    v["unstated.controller"] = (
        "one party controls the process (governance one_party_controls) but the proposal does not "
        "say which (controlled_by)"
    )
    v["unstated.access"] = (
        "the proposal does not say what access to models or systems anyone gets (no model_access, "
        "no access grants, no model asset exchanged, not dialogue only; joint red-teaming alone "
        "does not say whose model is probed)"
    )
    v["unstated.code_relevance"] = (
        "the leading side gives source code, and nothing declared says whether it carries strategic "
        "AI capability (no source_code kind declared; no capability work, code.capability_relevant; "
        "no other capability asset given by the leader; not declared narrowly safety-specific "
        "tooling, infra.safety_specific)"
    )
    v["code.capability_relevant"] = (
        "the code given is capability code: declared so (source_code: capability), or the declared "
        "work trains or improves models, builds data pipelines or does elicitation research, or the "
        "infrastructure is general-purpose"
    )
    v.update(_enum_flags("source_code", CodeKind, "declared kind of the source code given"))
    v.update(_enum_flags("track", Track, "diplomatic track"))
    v["costs.pooled"] = (
        "costs are pooled: parties on two or more sides fund or contribute compute (a stated "
        "purpose of cost sharing alone does not pool anything)"
    )
    v["purpose.stability_aim"] = (
        "the stated purpose is restraint or confidence-building (verification of commitments, "
        "reducing uncertainty, crisis communication, accident prevention)"
    )
    v["shared.sensitive"] = (
        "something shared cannot be explained without revealing sensitive detail "
        "(weights, internals, data, elicitation techniques, hardware, operational or non-public know-how)"
    )
    v["leader.shares"] = "the side that leads in the capability contributes to the other side"
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
    v["self.funds_only"] = (
        "the assessed side only funds or is funded: no joint form (`forms: []`), no access across "
        "sides, and it gives and receives nothing but funding"
    )
    v["compute.frontier_scale"] = (
        "declared training compute (research_security.training_compute_flop) at or above the "
        "frontier-scale threshold of the safeguard catalogue (`thresholds`)"
    )
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
    v["neutral.hosts"] = "a neutral or third party hosts the shared infrastructure"
    v["neutral.administers"] = (
        "a neutral or third party operates or administers shared infrastructure"
    )
    for who in ("self", "other"):
        label = "the assessed side" if who == "self" else "another side"
        v[f"{who}.leads"] = f"{label} leads in the relevant capability"
        v[f"{who}.administers"] = f"{label} operates or administers shared infrastructure"
        v[f"{who}.hosts"] = f"{label} hosts the shared infrastructure"
        v[f"{who}.military_affiliated"] = f"{label} includes a military-affiliated party"
        v[f"{who}.government"] = f"{label} includes a government or military body"
        v[f"{who}.controls_process"] = f"{label} controls the drafting or decision (controlled_by)"
    return v


VOCABULARY: dict[str, str] = _vocabulary()
"""Every flag a rule may test, with its meaning (safeguard.*, dd.*, residual.* are added below)."""

SAFEGUARD_PREFIX = "safeguard."
DILIGENCE_FLAGS: dict[str, str] = {
    "dd.blocking_hit": "a party is a hit on a blocking list (e.g. OFAC SDN; corroborated by evidence or a reviewer)",
    "dd.restricting_hit": "a party is a hit on a restricting list (Entity List, §1286, 1260H, MEU …; corroborated by evidence or a reviewer)",
    "dd.potential_match": "a party or person has a potential (unconfirmed) list match: a review "
    "item for a reviewer's disposition, never a worse verdict by itself",
    "dd.informational_hit": "a party is a hit on an informational list (another "
    "jurisdiction's list, no legal effect for the side): a review item",
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
    "residual.all_low": "every risk is low after the planned safeguards",
    "inherent.above_residual": "the planned safeguards lowered at least one risk",
    "areas.undetermined": "no area was declared and none could be placed with confidence: a reviewer must classify",
    "areas.outside": "the work is outside the paper's four areas (interpretability, alignment research, governance dialogue)",
    "benefit.none": "no motive of framework.md §2 is served with its precedent's conditions met",
    "benefit.some": "at least one motive of framework.md §2 is served with its conditions met",
    "benefit.strong": "two or more distinct motives of framework.md §2 are served with their conditions met",
}
