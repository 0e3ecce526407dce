"""Every rule, safeguard, verdict rule and benefit rule is exercised by a case that fails without it.

The case tables are the specification: adding a rule to a data file without a
case here fails ``test_every_*_has_a_case``.
"""

from __future__ import annotations

from typing import Any

import pytest

from detente.assessment.engine import assess
from detente.assessment.proposal import Proposal
from detente.framework.model import Framework

from .conftest import proposal, side_level, without

US, CN = "US", "CN"

# rule id -> (area, proposal fields, side, risk, level with the rule, level without it)
RULE_CASES: dict[str, tuple[str, dict[str, Any], str, str, str, str]] = {
    "X-R1-TRAINS": (
        "verification",
        {"activities": ["train_models"]},
        US,
        "R1_frontier",
        "moderate",
        "low",
    ),
    "PRO-R1-NEW-RESEARCH": (
        "protocols",
        {"maturity": "new_research"},
        US,
        "R1_frontier",
        "moderate",
        "low",
    ),
    "INF-R1-SAFETY-SPECIFIC": (
        "infrastructure",
        {"infrastructure": {"scope": "safety_specific"}},
        US,
        "R1_frontier",
        "moderate",
        "high",
    ),
    "EVA-R1-ELICITATION": (
        "evaluations",
        {"activities": ["elicitation_research"]},
        US,
        "R1_frontier",
        "moderate",
        "low",
    ),
    "X-R2-FOLLOWER": (
        "verification",
        {"capability_lead": "US"},
        CN,
        "R2_differential",
        "low",
        "moderate",
    ),
    "X-R2-LEADER-GIVES": (
        "verification",
        {"capability_lead": "US", "us": {"contributes": ["source_code"]}},
        US,
        "R2_differential",
        "high",
        "moderate",
    ),
    "VER-R2-MODEL-ACCESS": (
        "verification",
        {"us": {"contributes": ["model_internals"]}},
        US,
        "R2_differential",
        "high",
        "moderate",
    ),
    "PRO-R2-NONPUBLIC": (
        "protocols",
        {"us": {"contributes": ["non_public_know_how"]}},
        US,
        "R2_differential",
        "moderate",
        "low",
    ),
    "INF-R2-SAFETY-SPECIFIC": (
        "infrastructure",
        {"infrastructure": {"scope": "safety_specific"}},
        US,
        "R2_differential",
        "moderate",
        "high",
    ),
    "INF-R2-RIVAL-ACCESS": (
        "infrastructure",
        {
            "infrastructure": {
                "scope": "safety_specific",
                "hosting": "one_party",
                "hosted_by": "cn-uni",
            }
        },
        US,
        "R2_differential",
        "high",
        "moderate",
    ),
    "EVA-R2-ELICIT-SHARE": (
        "evaluations",
        {"us": {"contributes": ["elicitation_techniques"]}},
        US,
        "R2_differential",
        "high",
        "moderate",
    ),
    "X-R3-STRATEGIC": (
        "verification",
        {"strategic_intersections": ["semiconductors"]},
        US,
        "R3_sensitive_info",
        "high",
        "moderate",
    ),
    "VER-R3-DISCLOSE-HW": (
        "verification",
        {"us": {"contributes": ["chip_details"]}},
        US,
        "R3_sensitive_info",
        "high",
        "moderate",
    ),
    "PRO-R3-OPERATIONAL": (
        "protocols",
        {"us": {"contributes": ["operational_details"]}},
        US,
        "R3_sensitive_info",
        "moderate",
        "low",
    ),
    "INF-R3-NATIONAL": (
        "infrastructure",
        {"infrastructure": {"builds_on_national_infrastructure": True}},
        US,
        "R3_sensitive_info",
        "high",
        "moderate",
    ),
    "EVA-R3-FOCUS": (
        "evaluations",
        {"strategic_intersections": ["cyber"]},
        US,
        "R3_sensitive_info",
        "high",
        "moderate",
    ),
    "VER-R4-JOINT-CODE": (
        "verification",
        {"forms": ["joint_software"]},
        US,
        "R4_harm_opportunity",
        "high",
        "moderate",
    ),
    "PRO-R4-CAPTURE": (
        "protocols",
        {"governance": "one_party_controls"},
        US,
        "R4_harm_opportunity",
        "moderate",
        "low",
    ),
    "INF-R4-SAFETY-SPECIFIC": (
        "infrastructure",
        {"infrastructure": {"scope": "safety_specific"}},
        US,
        "R4_harm_opportunity",
        "moderate",
        "high",
    ),
    "INF-R4-RIVAL-ADMIN": (
        "infrastructure",
        {
            "infrastructure": {"scope": "safety_specific"},
            "cn": {"administers_infrastructure": True},
        },
        US,
        "R4_harm_opportunity",
        "high",
        "moderate",
    ),
    "X-R4-WEIGHTS-ON-RIVAL": (
        "verification",
        {"us": {"contributes": ["model_weights"]}, "cn": {"administers_infrastructure": True}},
        US,
        "R4_harm_opportunity",
        "high",
        "moderate",
    ),
    "EVA-R4-HANDS-ON": (
        "evaluations",
        {"model_access": "weights"},
        US,
        "R4_harm_opportunity",
        "high",
        "moderate",
    ),
    "X-R4-MILITARY-COUNTERPART": (
        "evaluations",
        {"model_access": "api", "cn": {"type": "military_affiliated"}},
        US,
        "R4_harm_opportunity",
        "high",
        "moderate",
    ),
}

# safeguard id -> (area, proposal fields, side, risk, residual with it planned, residual without)
SAFEGUARD_CASES: dict[str, tuple[str, dict[str, Any], str, str, str, str]] = {
    "independent-code-review": (
        "verification",
        {"forms": ["joint_software"]},
        US,
        "R4_harm_opportunity",
        "low",
        "high",
    ),
    "results-only-disclosure": ("verification", {}, US, "R3_sensitive_info", "low", "moderate"),
    "no-internals-access": (
        "evaluations",
        {"model_access": "api", "forms": ["joint_red_teaming"]},
        US,
        "R4_harm_opportunity",
        "moderate",
        "high",
    ),
    "hardware-info-minimisation": (
        "verification",
        {"us": {"contributes": ["chip_details"]}},
        US,
        "R3_sensitive_info",
        "moderate",
        "high",
    ),
    "common-knowledge-only": (
        "protocols",
        {"us": {"receives": ["operational_details"]}, "cn": {"receives": ["operational_details"]}},
        US,
        "R3_sensitive_info",
        "low",
        "moderate",
    ),
    "open-standards-process": (
        "protocols",
        {"governance": "one_party_controls"},
        US,
        "R4_harm_opportunity",
        "low",
        "moderate",
    ),
    "third-party-hosting": ("infrastructure", {}, US, "R4_harm_opportunity", "moderate", "high"),
    "separate-deployments": ("infrastructure", {}, US, "R2_differential", "moderate", "high"),
    "no-elicitation-exchange": ("evaluations", {}, US, "R2_differential", "low", "moderate"),
    "strategic-tech-firewall": (
        "evaluations",
        {"strategic_intersections": ["cyber"]},
        US,
        "R3_sensitive_info",
        "low",
        "high",
    ),
    "logged-access": ("evaluations", {}, US, "R4_harm_opportunity", "low", "moderate"),
    "capability-scope-limit": (
        "verification",
        {"activities": ["train_models"]},
        US,
        "R1_frontier",
        "low",
        "moderate",
    ),
    "pre-publication-review": (
        "verification",
        {"strategic_intersections": ["semiconductors"]},
        US,
        "R3_sensitive_info",
        "moderate",
        "high",
    ),
}


class FakeDiligence:
    """Stands in for a screening result: only the flags matter to the verdict rules."""

    def __init__(self, *flags: str) -> None:
        self._flags = set(flags)

    def flags(self) -> set[str]:
        return set(self._flags)

    def model_dump(self, *, mode: str = "python") -> dict[str, Any]:
        return {"parties": [], "people": [], "flags": sorted(self._flags)}


# verdict rule id -> (area, fields, diligence flags, verdict with the rule, verdict without it)
VERDICT_CASES: dict[str, tuple[str, dict[str, Any], tuple[str, ...], str, str]] = {
    "V-BLOCKING-HIT": ("protocols", {}, ("dd.blocking_hit",), "not_advisable", "suitable"),
    "V-TWO-HIGH": (
        "infrastructure",
        {"safeguards": []},
        (),
        "not_advisable",
        "needs_senior_review",
    ),
    "V-RESTRICTING-HIT": (
        "protocols",
        {},
        ("dd.restricting_hit",),
        "needs_senior_review",
        "suitable",
    ),
    "V-ANY-HIGH": (
        "verification",
        {"forms": ["joint_software"]},
        (),
        "needs_senior_review",
        "suitable_with_safeguards",
    ),
    "V-UNENDORSED-MODERATE": (
        "evaluations",
        {},
        (),
        "needs_senior_review",
        "suitable_with_safeguards",
    ),
    "V-POSSIBLE-HIT": ("protocols", {}, ("dd.possible_hit",), "needs_senior_review", "suitable"),
    "V-INVESTMENT": ("protocols", {}, ("dd.investment_review",), "needs_senior_review", "suitable"),
    "V-MODERATE": ("verification", {}, (), "suitable_with_safeguards", "suitable"),
    "V-SAFEGUARDS-NEEDED": (
        "protocols",
        {"governance": "one_party_controls", "safeguards": ["open-standards-process"]},
        (),
        "suitable_with_safeguards",
        "suitable",
    ),
    "V-CONTROLLED-TECH": (
        "protocols",
        {},
        ("dd.controlled_tech",),
        "suitable_with_safeguards",
        "suitable",
    ),
    # research-security rule packs (issue 13)
    "V-PACK-PROHIBITED": ("protocols", {}, ("pack.prohibited",), "not_advisable", "suitable"),
    "V-PACK-MITIGATION": (
        "protocols",
        {},
        ("pack.mitigation_required",),
        "suitable_with_safeguards",
        "suitable",
    ),
}

# benefit rule id -> (area, fields)
BENEFIT_CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "BEN-CROSS-BORDER": ("evaluations", {"purposes": ["misuse_prevention"]}),
    "BEN-NUCLEAR-C2": ("protocols", {"strategic_intersections": ["nuclear"]}),
    "BEN-UNILATERAL": ("protocols", {"purposes": ["share_safety_technique"]}),
    "BEN-STABILITY-VERIFY": ("verification", {}),
    "BEN-STABILITY-CRISIS": ("protocols", {"activities": ["incident_reporting"]}),
    "BEN-STABILITY-INTEROP": ("evaluations", {"forms": ["shared_benchmarks"]}),
    "BEN-COST-POOLING": ("infrastructure", {"forms": ["shared_compute"]}),
    "BEN-COST-POOLING-RESEARCH": (
        "evaluations",
        {"purposes": ["cost_sharing"], "maturity": "new_research"},
    ),
}


def test_every_rule_has_a_case(fw: Framework) -> None:
    assert {r.id for r in fw.rules.rules} == set(RULE_CASES)


def test_every_safeguard_has_a_case(fw: Framework) -> None:
    assert {s.id for s in fw.catalogue.safeguards} == set(SAFEGUARD_CASES)


def test_every_verdict_rule_has_a_case(fw: Framework) -> None:
    assert {v.id for v in fw.rules.verdicts} == set(VERDICT_CASES)


def test_every_benefit_rule_has_a_case(fw: Framework) -> None:
    assert {b.id for b in fw.rules.benefits} == set(BENEFIT_CASES)


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_moves_level_and_is_traced(fw: Framework, rule_id: str) -> None:
    area, fields, side, risk, with_rule, without_rule = RULE_CASES[rule_id]
    p = proposal(area, **fields)
    a = assess(p, fw)
    assert side_level(a, side, risk) == with_rule
    steps = [t for t in a.trace if t.rule == rule_id and t.side == side and t.risk == risk]
    assert steps, f"{rule_id} fired but left no trace"
    assert steps[0].fired_on, "the trace must name the features that fired the rule"
    assert steps[0].reason and steps[0].ref
    b = assess(p, without(fw, rule=rule_id))
    assert side_level(b, side, risk) == without_rule
    assert all(t.rule != rule_id for t in b.trace)


@pytest.mark.parametrize("sg", sorted(SAFEGUARD_CASES))
def test_safeguard_lowers_residual(fw: Framework, sg: str) -> None:
    area, fields, side, risk, with_sg, without_sg = SAFEGUARD_CASES[sg]
    planned = assess(proposal(area, safeguards=[sg], **fields), fw)
    unplanned = assess(proposal(area, **fields), fw)
    assert side_level(planned, side, risk, "residual") == with_sg
    assert side_level(unplanned, side, risk, "residual") == without_sg
    # the inherent level does not depend on the plan
    assert side_level(planned, side, risk) == side_level(unplanned, side, risk)
    assert any(s.id == sg and s.planned for s in planned.safeguards)
    # and the unplanned assessment recommends it with the residual it would give
    rec = next(s for s in unplanned.safeguards if s.id == sg)
    assert not rec.planned and rec.applicable and rec.residual_if_added is not None


@pytest.mark.parametrize("vid", sorted(VERDICT_CASES))
def test_verdict_rule(fw: Framework, vid: str) -> None:
    area, fields, flags, with_rule, without_rule = VERDICT_CASES[vid]
    p = proposal(area, **fields)
    a = assess(p, fw, diligence=FakeDiligence(*flags))
    assert a.verdict.level == with_rule
    assert vid in [d.rule for d in a.verdict.decisive]
    b = assess(p, without(fw, verdict=vid), diligence=FakeDiligence(*flags))
    assert b.verdict.level == without_rule


@pytest.mark.parametrize("bid", sorted(BENEFIT_CASES))
def test_benefit_rule(fw: Framework, bid: str) -> None:
    area, fields = BENEFIT_CASES[bid]
    p = proposal(area, **fields)
    a = assess(p, fw)
    hit = [b for b in a.benefits if b.rule == bid]
    assert hit and hit[0].case["name"]
    b = assess(p, without(fw, benefit=bid))
    assert all(x.rule != bid for x in b.benefits)


# Plan-change safeguards: the rule they counter fires on exactly the fact they rule out, so they are
# recommended as a change of plan (never planned next to the contradicting fact).
PLAN_CHANGE_CASES: dict[str, tuple[str, dict[str, Any], str, str, str]] = {
    "no-elicitation-exchange": (
        "evaluations",
        {"us": {"contributes": ["elicitation_techniques"]}},
        "R2_differential",
        "high",
        "moderate",
    ),
    "common-knowledge-only": (
        "protocols",
        {"us": {"contributes": ["non_public_know_how"]}},
        "R2_differential",
        "moderate",
        "low",
    ),
    "no-internals-access": (
        "verification",
        {"us": {"contributes": ["model_internals"]}},
        "R2_differential",
        "high",
        "moderate",
    ),
    "third-party-hosting": (
        "infrastructure",
        {
            "infrastructure": {"scope": "safety_specific"},
            "cn": {"administers_infrastructure": True},
        },
        "R4_harm_opportunity",
        "high",
        "moderate",
    ),
}


@pytest.mark.parametrize("sg", sorted(PLAN_CHANGE_CASES))
def test_plan_change_safeguards(fw: Framework, sg: str) -> None:
    from detente.errors import ProposalError

    area, fields, risk, before, after = PLAN_CHANGE_CASES[sg]
    a = assess(proposal(area, **fields), fw)
    assert next(r for r in a.risks if r.risk == risk).residual == before
    rec = next(s for s in a.safeguards if s.id == sg)
    assert rec.requires_dropping, "the recommendation must say what the plan has to drop"
    assert rec.residual_if_added is not None and rec.residual_if_added[risk] == after
    with pytest.raises(ProposalError, match="contradicts the proposal itself"):
        assess(proposal(area, safeguards=[sg], **fields), fw)


def test_neutral_host_is_not_rival_access(fw: Framework) -> None:
    neutral = {
        "id": "sg-host",
        "name": "Neutral Foundation",
        "country": "SG",
        "neutral": True,
        "administers_infrastructure": True,
    }
    fields: dict[str, Any] = {
        "infrastructure": {
            "scope": "safety_specific",
            "hosting": "one_party",
            "hosted_by": "sg-host",
        }
    }
    base = proposal("infrastructure").model_dump(by_alias=True)
    base["parties"].append(neutral)
    base.update(fields)
    a = assess(Proposal.model_validate(base), fw)
    assert [s.side for s in a.sides] == ["US", "CN"]
    assert not any(t.rule in ("INF-R2-RIVAL-ACCESS", "INF-R4-RIVAL-ADMIN") for t in a.trace)
    assert side_level(a, "US", "R4_harm_opportunity") == "moderate"


def test_r2_is_not_symmetric(fw: Framework) -> None:
    a = assess(
        proposal("verification", capability_lead="US", us={"contributes": ["source_code"]}), fw
    )
    assert side_level(a, "US", "R2_differential") == "high"
    assert side_level(a, "CN", "R2_differential") == "low"


def test_multi_area_takes_the_most_exposed_area(fw: Framework) -> None:
    a = assess(proposal(["protocols", "infrastructure"]), fw)
    levels = {r.risk: r.inherent for r in a.risks}
    assert levels == {
        "R1_frontier": "high",
        "R2_differential": "high",
        "R3_sensitive_info": "moderate",
        "R4_harm_opportunity": "high",
    }
    r1 = next(r for r in a.risks if r.risk == "R1_frontier")
    assert all(d.startswith("infrastructure/") for d in r1.driven_by)


def test_missing_safeguards_that_change_the_verdict(fw: Framework) -> None:
    a = assess(proposal("verification", forms=["joint_software"]), fw)
    assert a.verdict.level == "needs_senior_review"
    assert "independent-code-review" in a.verdict.safeguards_to_reach_best
    rec = {s.id: s for s in a.safeguards}
    assert rec["independent-code-review"].verdict_if_added == "suitable_with_safeguards"


def test_no_areas_found_assesses_all_areas(fw: Framework) -> None:
    a = assess(proposal(None, title="Meeting"), fw)
    assert [p.id for p in a.areas] == [x.id for x in fw.doc.areas]
    assert all(p.inferred for p in a.areas)


def test_areas_are_inferred_with_evidence(fw: Framework) -> None:
    p = proposal(
        None,
        title="Joint benchmark for dangerous capability evaluations",
        summary="We design a benchmark and red-teaming protocol for agent evaluations.",
    )
    a = assess(p, fw)
    ids = [x.id for x in a.areas]
    assert "evaluations" in ids
    ev = next(x for x in a.areas if x.id == "evaluations")
    assert ev.inferred and any("benchmark" in e for e in ev.evidence)


def test_reported_safeguard_set_is_the_shortest_prefix_reaching_the_best_verdict(
    fw: Framework,
) -> None:
    p = proposal("verification", forms=["joint_software"], strategic_intersections=["nuclear"])
    a = assess(p, fw)
    best = a.verdict.safeguards_to_reach_best
    assert best, "a safeguard should improve this verdict"
    with_all = assess(
        proposal(
            "verification",
            forms=["joint_software"],
            strategic_intersections=["nuclear"],
            safeguards=best,
        ),
        fw,
    )
    assert with_all.verdict.level == a.verdict.best_reachable
    if len(best) > 1:
        fewer = assess(
            proposal(
                "verification",
                forms=["joint_software"],
                strategic_intersections=["nuclear"],
                safeguards=best[:-1],
            ),
            fw,
        )
        assert fewer.verdict.rank > with_all.verdict.rank
