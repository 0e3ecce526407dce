"""Every rule, safeguard, verdict rule and benefit rule is exercised by a case that fails without it.

The case tables are the specification: adding a rule to a data file without a
case here fails ``test_every_*_has_a_case``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from detente.assessment.engine import assess
from detente.assessment.proposal import Proposal
from detente.errors import ProposalError
from detente.framework.model import Framework
from detente.model.diligence import DueDiligence

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
    "X-R2-OPEN-PUBLICATION": (
        "verification",
        {"publication": "open"},
        US,
        "R2_differential",
        "low",
        "moderate",
    ),
    "X-R3-DIALOGUE-ONLY": (
        "verification",
        {"forms": ["workshop", "joint_statement"]},
        US,
        "R3_sensitive_info",
        "low",
        "moderate",
    ),
    "X-R4-DIALOGUE-ONLY": (
        "evaluations",
        {"forms": ["dialogue"]},
        US,
        "R4_harm_opportunity",
        "low",
        "moderate",
    ),
    "X-R3-FUNDS-ONLY": (
        "evaluations",
        {
            "forms": [],
            "activities": ["run_evaluations"],
            "us": {"contributes": ["funding"]},
            "cn": {"receives": ["funding"]},
        },
        US,
        "R3_sensitive_info",
        "low",
        "moderate",
    ),
    "X-R4-FUNDS-ONLY": (
        "evaluations",
        {
            "forms": [],
            "activities": ["run_evaluations"],
            "us": {"contributes": ["funding"]},
            "cn": {"receives": ["funding"]},
        },
        US,
        "R4_harm_opportunity",
        "low",
        "moderate",
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
        # source code counts where the declared work makes it capability code (rules 2.5.0)
        {
            "capability_lead": "US",
            "us": {"contributes": ["source_code"]},
            "activities": ["build_data_pipeline"],
        },
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
    "EVA-R4-JOINT-RED-TEAMING": (
        "evaluations",
        {"model_access": "api", "forms": ["joint_red_teaming"]},
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
        "moderate",
        "high",
    ),
    "results-only-disclosure": ("verification", {}, US, "R3_sensitive_info", "low", "moderate"),
    "no-internals-access": (
        "evaluations",
        {"model_access": "supervised_on_site"},
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
    "third-party-hosting": (
        "infrastructure",
        {"forms": ["shared_infrastructure"]},
        US,
        "R4_harm_opportunity",
        "moderate",
        "high",
    ),
    "separate-deployments": (
        "infrastructure",
        {"activities": ["build_tooling"]},
        US,
        "R2_differential",
        "moderate",
        "high",
    ),
    "no-elicitation-exchange": ("evaluations", {}, US, "R2_differential", "low", "moderate"),
    "strategic-tech-firewall": (
        "evaluations",
        {"strategic_intersections": ["cyber"]},
        US,
        "R3_sensitive_info",
        "moderate",
        "high",
    ),
    "logged-access": (
        "evaluations",
        {"model_access": "api"},
        US,
        "R4_harm_opportunity",
        "low",
        "moderate",
    ),
    "capability-scope-limit": (
        "verification",
        {"activities": ["train_models"]},
        US,
        "R1_frontier",
        "low",
        "moderate",
    ),
    "pre-publication-review": (
        "evaluations",
        {"activities": ["elicitation_research"], "publication": "open"},
        US,
        "R1_frontier",
        "low",
        "moderate",
    ),
}


def fake_diligence() -> DueDiligence:
    """Stands in for a screening result: only the flags (passed beside it) matter to the verdict."""
    return DueDiligence(
        as_of=date(2026, 1, 1),
        index_built=True,
        threshold=0.9,
        possible_threshold=0.8,
        rules_version="test",
        registry_version="test",
        max_age_days=90,
    )


# verdict rule id -> (area, fields, diligence flags, verdict with the rule, verdict without it)
VERDICT_CASES: dict[str, tuple[str | None, dict[str, Any], tuple[str, ...], str, str]] = {
    "V-BLOCKING-HIT": ("protocols", {}, ("dd.blocking_hit",), "not_advisable", "suitable"),
    "V-TWO-HIGH": (
        "infrastructure",
        {"safeguards": []},
        (),
        "not_advisable",
        "needs_senior_review",
    ),
    "V-TWO-HIGH-WEIGHED": (
        "verification",
        {
            "forms": ["joint_hardware"],
            "us": {"contributes": ["chip_details"]},
            "purposes": ["restraint", "cross_border_risk"],
        },
        (),
        "needs_senior_review",
        "not_advisable",
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
    "V-POTENTIAL-MATCH": ("protocols", {}, ("dd.potential_match",), "suitable", "suitable"),
    "V-NO-BENEFIT": (
        "verification",
        {},
        (),
        "suitable_with_safeguards",
        "suitable_with_safeguards",
    ),
    "V-DEEMED-EXPORT": ("protocols", {"forms": ["personnel_exchange"]}, (), "suitable", "suitable"),
    # what the proposal does not say: asked, the level unchanged (the area's baseline)
    "V-UNSTATED-FORMS": (
        "evaluations",
        {},
        (),
        "suitable_with_safeguards",
        "suitable_with_safeguards",
    ),
    "V-UNSTATED-ACCESS": (
        "evaluations",
        {"forms": ["shared_benchmarks"], "strategic_intersections": []},
        (),
        "suitable_with_safeguards",
        "suitable_with_safeguards",
    ),
    "V-UNSTATED-CONTROLLER": (
        "protocols",
        {"governance": "one_party_controls"},
        (),
        "suitable_with_safeguards",
        "suitable_with_safeguards",
    ),
    "V-UNSTATED-FOCUS": (
        "evaluations",
        {"model_access": "none"},
        (),
        "suitable_with_safeguards",
        "suitable_with_safeguards",
    ),
    "V-UNSTATED-CODE": (
        "verification",
        {"capability_lead": "US", "us": {"contributes": ["source_code"]}},
        (),
        "suitable_with_safeguards",
        "suitable_with_safeguards",
    ),
    "V-INVESTMENT": ("protocols", {}, ("dd.investment_review",), "needs_senior_review", "suitable"),
    "V-MODERATE": ("verification", {}, (), "suitable_with_safeguards", "suitable"),
    "V-SAFEGUARDS-NEEDED": (
        "protocols",
        {"activities": ["train_models"], "safeguards": ["capability-scope-limit"]},
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
    # no area declared, none placed: no level is read, a reviewer must classify (issue 9)
    "V-AREAS-UNDETERMINED": (
        None,
        {"summary": "The two teams meet twice a year."},
        (),
        "needs_senior_review",
        "suitable",
    ),
    "V-OUTSIDE-AREAS": (
        None,
        {"summary": "A joint study of mechanistic interpretability and activation patching."},
        (),
        "needs_senior_review",
        "needs_senior_review",  # V-AREAS-UNDETERMINED still holds
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
    "BEN-NUCLEAR-C2": (
        "protocols",
        {"strategic_intersections": ["nuclear"], "purposes": ["restraint"]},
    ),
    "BEN-UNILATERAL": (
        "protocols",
        {
            "purposes": ["share_safety_technique"],
            "capability_lead": "US",
            "us": {"contributes": ["published_knowledge"]},
        },
    ),
    "BEN-STABILITY-VERIFY": ("verification", {"purposes": ["confidence_building"]}),
    "BEN-STABILITY-CRISIS": (
        "protocols",
        {"activities": ["incident_reporting"], "purposes": ["accident_prevention"]},
    ),
    "BEN-STABILITY-INTEROP": (
        "evaluations",
        {"forms": ["shared_benchmarks"], "purposes": ["confidence_building"]},
    ),
    "BEN-COST-POOLING": (
        "infrastructure",
        {
            "forms": ["shared_compute"],
            "us": {"contributes": ["compute"]},
            "cn": {"contributes": ["funding"]},
        },
    ),
    "BEN-COST-POOLING-RESEARCH": (
        "evaluations",
        {
            "purposes": ["cost_sharing"],
            "maturity": "new_research",
            "us": {"contributes": ["funding"]},
            "cn": {"contributes": ["funding"]},
        },
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


# safeguards whose case is a change of plan: what the recommendation says must be dropped
PLAN_CHANGES: dict[str, list[str]] = {"open-standards-process": ["governance.one_party_controls"]}


@pytest.mark.parametrize("sg", sorted(SAFEGUARD_CASES))
def test_safeguard_lowers_residual(fw: Framework, sg: str) -> None:
    area, fields, side, risk, with_sg, without_sg = SAFEGUARD_CASES[sg]
    unplanned = assess(proposal(area, **fields), fw)
    if sg in PLAN_CHANGES:
        # the plan contradicts it (e.g. an open process while one party controls it): planning it
        # is refused, and it is recommended as a change of plan that names what must go
        with pytest.raises(ProposalError, match=sg):
            assess(proposal(area, safeguards=[sg], **fields), fw)
        rec = next(s for s in unplanned.safeguards if s.id == sg)
        assert rec.applicable and rec.requires_dropping == PLAN_CHANGES[sg]
        assert rec.residual_if_added is not None and rec.residual_if_added[risk] == with_sg
        assert side_level(unplanned, side, risk, "residual") == without_sg
        return
    planned = assess(proposal(area, safeguards=[sg], **fields), fw)
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
    a = assess(p, fw, diligence=fake_diligence(), diligence_flags=flags)
    assert a.verdict.level == with_rule
    b = assess(p, without(fw, verdict=vid), diligence=fake_diligence(), diligence_flags=flags)
    assert b.verdict.level == without_rule
    if fw.rules.verdicts[[v.id for v in fw.rules.verdicts].index(vid)].op == "condition":
        # a condition rule adds a condition (a review item), never a worse verdict
        assert any(f"[{vid};" in c for c in a.verdict.conditions), a.verdict.conditions
        assert not any(f"[{vid};" in c for c in b.verdict.conditions)
    else:
        assert vid in [d.rule for d in a.verdict.decisive]


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
            "forms": ["shared_infrastructure"],
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
    base = proposal("infrastructure").model_dump(by_alias=True, exclude_unset=True)
    base["parties"].append(neutral)
    base.update(fields)
    a = assess(Proposal.model_validate(base), fw)
    assert [s.side for s in a.sides] == ["US", "CN"]
    assert not any(t.rule in ("INF-R2-RIVAL-ACCESS", "INF-R4-RIVAL-ADMIN") for t in a.trace)
    assert side_level(a, "US", "R4_harm_opportunity") == "moderate"


def test_r2_is_not_symmetric(fw: Framework) -> None:
    a = assess(
        proposal("verification", capability_lead="US", us={"contributes": ["training_data"]}), fw
    )
    assert side_level(a, "US", "R2_differential") == "high"
    assert side_level(a, "CN", "R2_differential") == "low"


# The leader's source code (rules 2.5.0, holdout7 h7-02): it raises R2 where the declared work makes
# it capability code; where nothing says what it is, R2 is neither raised nor lowered and the
# verdict asks; narrowly safety-specific tooling, or another capability asset given, needs no answer.
LEADER_CODE_CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    # (area, fields besides the leader's code, the leader's R2, asked)
    ("verification", {}, "moderate", True),
    ("verification", {"activities": ["develop_verification"]}, "moderate", True),
    ("verification", {"activities": ["train_models"]}, "high", False),
    ("evaluations", {"activities": ["elicitation_research"]}, "high", False),
    ("evaluations", {"activities": ["agent_evaluation"]}, "moderate", True),
    ("infrastructure", {"infrastructure": {"scope": "general_purpose"}}, "high", False),
    ("infrastructure", {"infrastructure": {"scope": "safety_specific"}}, "moderate", False),
    ("verification", {"us": {"contributes": ["source_code", "compute"]}}, "high", False),
]


@pytest.mark.parametrize(("area", "fields", "r2", "asked"), LEADER_CODE_CASES)
def test_leader_source_code_raises_r2_only_as_capability_code(
    fw: Framework, area: str, fields: dict[str, Any], r2: str, asked: bool
) -> None:
    fields = {"capability_lead": "US", "us": {"contributes": ["source_code"]}, **fields}
    a = assess(proposal(area, **fields), fw)
    assert side_level(a, "US", "R2_differential") == r2
    assert any("[V-UNSTATED-CODE;" in c for c in a.verdict.conditions) is asked
    # the same code from the trailing side, or under parity, is never asked about
    b = assess(proposal(area, **{**fields, "capability_lead": "CN"}), fw)
    c = assess(proposal(area, **{**fields, "capability_lead": "parity"}), fw)
    for x in (b, c):
        assert not any("[V-UNSTATED-CODE;" in cond for cond in x.verdict.conditions)


# The declared answer (rules 2.7.0): the proposal's `source_code` says what the code given is.
# `capability` raises the leader's R2 as capability work does; `safety_tooling` answers without a
# raise; either clears V-UNSTATED-CODE. What the declared work says still stands (a declared
# `safety_tooling` does not undo training work), and the trailing side's code moves nothing.
DECLARED_CODE_CASES: list[tuple[str, dict[str, Any], str | None, str, bool]] = [
    # (area, fields besides the leader's code, declared kind, the leader's R2, asked)
    ("verification", {}, None, "moderate", True),
    ("verification", {}, "capability", "high", False),
    ("verification", {}, "safety_tooling", "moderate", False),
    ("evaluations", {"activities": ["agent_evaluation"]}, None, "moderate", True),
    ("evaluations", {"activities": ["agent_evaluation"]}, "capability", "high", False),
    ("evaluations", {"activities": ["agent_evaluation"]}, "safety_tooling", "moderate", False),
    (
        "infrastructure",
        {"infrastructure": {"scope": "safety_specific"}},
        "capability",
        "high",
        False,
    ),
    ("verification", {"activities": ["train_models"]}, "safety_tooling", "high", False),
    ("protocols", {}, "capability", "moderate", False),  # protocols' R2 baseline is low
    ("protocols", {}, "safety_tooling", "low", False),
]


@pytest.mark.parametrize(("area", "fields", "kind", "r2", "asked"), DECLARED_CODE_CASES)
def test_declared_source_code_answers_the_code_question(
    fw: Framework, area: str, fields: dict[str, Any], kind: str | None, r2: str, asked: bool
) -> None:
    fields = {"capability_lead": "US", "us": {"contributes": ["source_code"]}, **fields}
    if kind is not None:
        fields["source_code"] = kind
    a = assess(proposal(area, **fields), fw)
    assert side_level(a, "US", "R2_differential") == r2
    assert any("[V-UNSTATED-CODE;" in c for c in a.verdict.conditions) is asked
    raised = any(
        t.rule == "X-R2-LEADER-GIVES" and t.side == "US" and t.stage == "rule" for t in a.trace
    )
    assert raised is (kind == "capability" or "train_models" in fields.get("activities", ()))
    # the trailing side is unaffected: the same proposal with CN leading, so US's code is the
    # follower's, never raises US's R2 nor asks
    b = assess(proposal(area, **{**fields, "capability_lead": "CN"}), fw)
    assert not any("[V-UNSTATED-CODE;" in c for c in b.verdict.conditions)
    assert not any(t.rule == "X-R2-LEADER-GIVES" and t.side == "US" for t in b.trace)


def test_declared_source_code_is_the_givers_not_the_receivers(fw: Framework) -> None:
    """`capability` raises only the side that gives the code: CN leads and receives US code."""
    a = assess(
        proposal(
            "verification",
            capability_lead="CN",
            source_code="capability",
            us={"contributes": ["source_code"]},
            cn={"receives": ["source_code"]},
        ),
        fw,
    )
    assert side_level(a, "CN", "R2_differential") == "moderate"
    assert not any(t.rule == "X-R2-LEADER-GIVES" for t in a.trace)


def test_a_declared_source_code_kind_is_recorded_and_reproduces(fw: Framework) -> None:
    """A declared kind is kept in the recorded proposal and an undeclared one stays out of it, so
    re-validating the record (as `reproduce` does) reads the same answer, or the same question."""
    from detente.assessment.engine import reproduce
    from detente.assessment.result import Assessment
    from detente.report import render_json

    base = {"capability_lead": "US", "us": {"contributes": ["source_code"]}}
    for kind in (None, "capability", "safety_tooling"):
        fields = base if kind is None else {**base, "source_code": kind}
        a = assess(proposal("verification", **fields), fw)
        assert a.proposal.get("source_code") == kind
        assert ("source_code" in a.proposal) is (kind is not None)
        filed = Assessment.model_validate_json(render_json(a))
        again, diffs = reproduce(filed, fw)
        assert not diffs
        assert render_json(again) == render_json(a)


def test_leader_capability_assets_match_the_rule(fw: Framework) -> None:
    """features.LEADER_CAPABILITY_ASSETS (the leader's gifts that make the code question moot) are
    the assets X-R2-LEADER-GIVES reads besides source code."""
    from detente.assessment.features import LEADER_CAPABILITY_ASSETS

    rule = next(r for r in fw.rules.rules if r.id == "X-R2-LEADER-GIVES")
    flags = {
        x
        for x in str(rule.when).replace("'", " ").split()
        if x.startswith("self.gives.") and x != "self.gives.source_code"
    }
    assert flags == {f"self.gives.{a.value}" for a in LEADER_CAPABILITY_ASSETS}


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


def test_no_areas_found_assesses_no_area_and_asks(fw: Framework) -> None:
    """Issue 9: placement no longer fails closed into every area (and the worst verdict)."""
    a = assess(proposal(None, title="Meeting"), fw)
    assert a.areas == [] and a.risks == []
    assert a.placement is not None and a.placement.status == "not_placed"
    assert a.verdict.level == "needs_senior_review"
    assert [d.rule for d in a.verdict.decisive] == ["V-AREAS-UNDETERMINED"]


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


# ---- preconditions: a benefit rule counts only where its precedent's condition holds -------------
# benefit rule id -> (area, fields where `when` holds but `requires` does not)
BENEFIT_UNMET_CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "BEN-CROSS-BORDER": (
        "evaluations",
        {"purposes": ["misuse_prevention"], "cn": {"country": "US"}},
    ),
    "BEN-NUCLEAR-C2": ("evaluations", {"strategic_intersections": ["nuclear"]}),
    "BEN-UNILATERAL": (
        "protocols",
        {
            "purposes": ["share_safety_technique"],
            "capability_lead": "US",
            "us": {"contributes": ["model_weights"]},
        },
    ),
    "BEN-STABILITY-VERIFY": ("verification", {}),
    "BEN-STABILITY-CRISIS": ("protocols", {"activities": ["incident_reporting"]}),
    "BEN-STABILITY-INTEROP": ("evaluations", {"forms": ["shared_benchmarks"]}),
    # cost sharing declared, but only one side brings compute: the applicant's label pools nothing
    "BEN-COST-POOLING": (
        "infrastructure",
        {
            "forms": ["shared_compute"],
            "purposes": ["cost_sharing"],
            "us": {"contributes": ["compute"]},
        },
    ),
    "BEN-COST-POOLING-RESEARCH": (
        "evaluations",
        {
            "purposes": ["cost_sharing"],
            "maturity": "new_research",
            "us": {"contributes": ["funding"]},
            "cn": {"country": "US", "contributes": ["funding"]},
        },
    ),
}


def test_every_benefit_rule_has_an_unmet_case(fw: Framework) -> None:
    assert {b.id for b in fw.rules.benefits if b.requires is not None} == set(BENEFIT_UNMET_CASES)


@pytest.mark.parametrize("bid", sorted(BENEFIT_UNMET_CASES))
def test_benefit_precondition_not_met_is_considered_not_counted(fw: Framework, bid: str) -> None:
    area, fields = BENEFIT_UNMET_CASES[bid]
    a = assess(proposal(area, **fields), fw)
    assert bid not in {b.rule for b in a.benefits}
    considered = [b for b in a.benefits_considered if b.rule == bid]
    assert considered and considered[0].requires, "an unmet precedent says what it needs"


# ---- preconditions: a safeguard is credited only where its mechanism reaches ----------------------
# safeguard id -> (area, fields where its precondition fails, risk it would otherwise lower)
UNCREDITED_CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    "logged-access": ("evaluations", {}, "R4_harm_opportunity"),
    "strategic-tech-firewall": ("evaluations", {}, "R3_sensitive_info"),
    "independent-code-review": ("verification", {}, "R4_harm_opportunity"),
    "third-party-hosting": ("infrastructure", {}, "R4_harm_opportunity"),
    "separate-deployments": ("infrastructure", {}, "R2_differential"),
    "capability-scope-limit": ("verification", {}, "R1_frontier"),
    "pre-publication-review": (
        "evaluations",
        {"activities": ["elicitation_research"], "publication": "none"},
        "R1_frontier",
    ),
    "results-only-disclosure": ("protocols", {}, "R3_sensitive_info"),
    "hardware-info-minimisation": ("verification", {}, "R3_sensitive_info"),
    "no-internals-access": ("protocols", {}, "R2_differential"),
    "common-knowledge-only": ("evaluations", {}, "R2_differential"),
    "open-standards-process": ("evaluations", {}, "R4_harm_opportunity"),
    "no-elicitation-exchange": ("protocols", {}, "R2_differential"),
}


def test_every_precondition_has_a_case(fw: Framework) -> None:
    assert {s.id for s in fw.catalogue.safeguards if s.requires is not None} == set(
        UNCREDITED_CASES
    )


@pytest.mark.parametrize("sg", sorted(UNCREDITED_CASES))
def test_safeguard_without_its_precondition_is_not_credited(fw: Framework, sg: str) -> None:
    area, fields, risk = UNCREDITED_CASES[sg]
    planned = assess(proposal(area, safeguards=[sg], **fields), fw)
    unplanned = assess(proposal(area, **fields), fw)
    res = {r.risk: r.residual for r in planned.risks}
    assert res == {r.risk: r.residual for r in unplanned.risks}
    rec = next(s for s in planned.safeguards if s.id == sg)
    assert rec.planned and not rec.credited and rec.not_credited_because
    assert not any(t.rule == sg for t in planned.trace)
    assert res[risk] == {r.risk: r.inherent for r in planned.risks}[risk]


def test_pre_publication_review_never_lowers_r3(fw: Framework) -> None:
    p = dict(strategic_intersections=["bio_chem"], publication="open")
    a = assess(proposal("evaluations", safeguards=["pre-publication-review"], **p), fw)
    assert {r.risk: r.residual for r in a.risks}["R3_sensitive_info"] == "high"


def test_double_credit_is_a_load_error(tmp_path: Any) -> None:
    import shutil

    from detente.errors import FrameworkError
    from detente.framework.loader import default_framework_path, load_framework

    for f in default_framework_path().parent.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    cat = tmp_path / "safeguards.yaml"
    text = cat.read_text(encoding="utf-8").replace(
        "    counters: [X-R3-STRATEGIC, EVA-R3-FOCUS]\n",
        "    counters: [X-R3-STRATEGIC, EVA-R3-FOCUS]\n"
        "    lowers:\n"
        "      - {risk: R3_sensitive_info, areas: [evaluations], effect: {op: lower}}\n",
    )
    cat.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as exc:
        load_framework(tmp_path / "framework.yaml")
    assert any("double credit" in p.message for p in exc.value.problems)


# ---- sides from the rivalry, never from nationality or script --------------------------------------
def _with_parties(area: str, parties: list[dict[str, Any]], **fields: Any) -> Proposal:
    data: dict[str, Any] = {"title": "T", "areas": [{"id": area}], "parties": parties}
    data.update(fields)
    return Proposal.model_validate(data)


def test_allies_form_one_side_and_third_parties_none(fw: Framework) -> None:
    parties = [
        {"id": c.lower(), "name": f"Institute {c}", "country": c, "type": "safety_institute"}
        for c in ("US", "GB", "JP", "CA", "CN", "SG")
    ]
    a = assess(_with_parties("evaluations", parties), fw)
    assert [s.side for s in a.sides] == ["US", "CN"]
    assert a.sides[0].parties == ["us", "gb", "jp", "ca"]


def test_rivalry_declared_in_the_proposal(fw: Framework) -> None:
    parties = [
        {"id": "a", "name": "Uni A", "country": "IN", "type": "university"},
        {"id": "b", "name": "Uni B", "country": "PK", "type": "university"},
        {"id": "c", "name": "Uni C", "country": "US", "type": "university"},
    ]
    rivalry = {"sides": [{"id": "IN", "countries": ["IN"]}, {"id": "PK", "countries": ["PK"]}]}
    a = assess(_with_parties("verification", parties, rivalry=rivalry), fw)
    assert [s.side for s in a.sides] == ["IN", "PK"]


def test_rivalry_declared_in_the_framework_file(tmp_path: Any) -> None:
    import shutil

    from detente.framework.loader import default_framework_path, load_framework

    for f in default_framework_path().parent.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    fw_file = tmp_path / "framework.yaml"
    text = fw_file.read_text(encoding="utf-8")
    head, tail = text.split("rivalry:\n", 1)
    tail = tail[tail.index("\nrisks:") :]
    fw_file.write_text(
        head
        + 'rivalry:\n  id: gb-fr\n  sides:\n    - {id: GB, countries: ["GB"]}\n'
        + '    - {id: FR, countries: ["FR"]}\n'
        + tail,
        encoding="utf-8",
    )
    alt = load_framework(fw_file)
    parties = [
        {"id": "g", "name": "Uni G", "country": "GB"},
        {"id": "f", "name": "Uni F", "country": "FR"},
        {"id": "u", "name": "Uni U", "country": "US"},
    ]
    a = assess(_with_parties("protocols", parties), alt)
    assert [s.side for s in a.sides] == ["GB", "FR"]


def test_name_script_and_nationality_are_never_risk_signals(fw: Framework) -> None:
    base = proposal("evaluations", model_access="api")
    data = base.model_dump(by_alias=True)
    data["parties"][1]["name"] = "Example University of the West"
    data["parties"][1].pop("name_native", None)
    data["people"] = [{"name": "Wang Wei", "name_native": "王伟", "affiliation": "us-uni"}]
    other = Proposal.model_validate(data)
    a, b = assess(base, fw), assess(other, fw)
    assert [r.residual for r in a.risks] == [r.residual for r in b.risks]
    assert a.verdict.level == b.verdict.level


# ---- one fact, several fields: the result does not depend on which the writer filled ----------------
REDUNDANT: list[dict[str, Any]] = [
    {"model_access": "weights"},
    {"cn": {"receives": ["model_weights"]}},
    {"us": {"contributes": ["model_weights"]}},
    {"access": [{"to": "cn-uni", "of": "model", "level": "weights", "owner": "us-uni"}]},
]


@pytest.mark.parametrize("area", ["verification", "evaluations"])
def test_redundant_fields_give_the_same_levels(fw: Framework, area: str) -> None:
    seen = set()
    for fields in REDUNDANT:
        a = assess(proposal(area, **fields), fw)
        seen.add(tuple(r.residual for r in a.risks))
    # model_access is undirected (both sides' models); the others name a direction, but the
    # combined levels of the proposal are the same
    assert len(seen) == 1, seen


def test_visiting_researcher_raises_one_risk_per_fact(fw: Framework) -> None:
    p = proposal(
        ["verification", "evaluations"],
        forms=["visiting_researchers"],
        access=[{"to": "cn-uni", "of": "model", "level": "internals", "owner": "us-uni"}],
    )
    a = assess(p, fw)
    fired = {(t.rule, t.risk) for t in a.trace if t.stage == "rule" and t.before != t.after}
    assert ("VER-R2-MODEL-ACCESS", "R2_differential") in fired  # §6.1 R2 names model access
    assert ("EVA-R4-HANDS-ON", "R4_harm_opportunity") in fired  # §6.4 R4 names hands-on access
    assert not any(risk == "R3_sensitive_info" for _r, risk in fired)  # §5 R3: non-AI tech


def test_access_grants_to_infrastructure_and_data_are_read(fw: Framework) -> None:
    grant = [{"to": "cn-uni", "of": "infrastructure", "level": "api", "owner": "us-uni"}]
    a = assess(proposal("infrastructure", access=grant), fw)
    assert any(t.rule == "INF-R2-RIVAL-ACCESS" and t.side == "US" for t in a.trace)
    data = [{"to": "cn-uni", "of": "data", "level": "api", "owner": "us-uni"}]
    b = assess(proposal("evaluations", access=data, cn={"type": "military_affiliated"}), fw)
    assert any(t.rule == "X-R4-MILITARY-COUNTERPART" and t.side == "US" for t in b.trace)


# A field never given is unknown; the same field given empty (or "none") is an answer.
UNSTATED_CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("evaluations", {}, {"V-UNSTATED-FORMS", "V-UNSTATED-ACCESS", "V-UNSTATED-FOCUS"}),
    (
        "evaluations",
        {"forms": ["shared_benchmarks"], "model_access": "none", "strategic_intersections": []},
        set(),
    ),
    ("evaluations", {"forms": ["shared_benchmarks"], "access": []}, {"V-UNSTATED-FOCUS"}),
    # weights given: access is stated through the asset, whatever field says it
    (
        "evaluations",
        {
            "forms": ["shared_benchmarks"],
            "strategic_intersections": [],
            "us": {"contributes": ["model_weights"]},
        },
        set(),
    ),
    # dialogue only: no access to declare
    ("verification", {"forms": ["dialogue", "joint_statement"]}, set()),
    # joint red-teaming with no access declared: whose model is probed is asked (rules 2.4.0;
    # rules 2.6.0: meanwhile no side is raised, the baseline is read)
    (
        "evaluations",
        {"forms": ["joint_red_teaming"], "strategic_intersections": []},
        {"V-UNSTATED-ACCESS"},
    ),
    # the same with the access declared: nothing to ask
    (
        "evaluations",
        {"forms": ["joint_red_teaming"], "strategic_intersections": [], "model_access": "api"},
        set(),
    ),
    # declared as none (holdout8 h8-p1): an answer, nothing to ask
    (
        "evaluations",
        {
            "forms": ["joint_red_teaming"],
            "strategic_intersections": [],
            "model_access": "none",
            "access": [],
        },
        set(),
    ),
    # protocols (every risk low at baseline): nothing to ask
    ("protocols", {}, set()),
]


@pytest.mark.parametrize(("area", "fields", "asked"), UNSTATED_CASES)
def test_what_the_proposal_does_not_say_is_asked(
    fw: Framework, area: str, fields: dict[str, Any], asked: set[str]
) -> None:
    a = assess(proposal(area, **fields), fw)
    got = {
        v
        for v in ("V-UNSTATED-FORMS", "V-UNSTATED-ACCESS", "V-UNSTATED-FOCUS")
        if any(f"[{v};" in c for c in a.verdict.conditions)
    }
    assert got == asked


# One side only (allies among themselves): the same features raise R1 but no risk toward a rival.
ONE_SIDE_CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (area, fields, risk, level with a rival side, level with one side)
    (
        "verification",
        {"us": {"contributes": ["model_weights"]}},
        "R2_differential",
        "high",
        "moderate",
    ),
    (
        "evaluations",
        {"strategic_intersections": ["cyber"]},
        "R3_sensitive_info",
        "high",
        "moderate",
    ),
    ("verification", {"forms": ["joint_software"]}, "R4_harm_opportunity", "high", "moderate"),
    ("verification", {"activities": ["train_models"]}, "R1_frontier", "moderate", "moderate"),
]


@pytest.mark.parametrize(("area", "fields", "risk", "rivals", "allies"), ONE_SIDE_CASES)
def test_risks_toward_a_rival_need_a_rival_side(
    fw: Framework, area: str, fields: dict[str, Any], risk: str, rivals: str, allies: str
) -> None:
    two = assess(proposal(area, **fields), fw)
    one = assess(proposal(area, **{**fields, "cn": {"country": "GB"}}), fw)
    assert len(two.sides) == 2 and len(one.sides) == 1
    assert {r.risk: r.residual for r in two.risks}[risk] == rivals
    assert {r.risk: r.residual for r in one.risks}[risk] == allies
    if allies != rivals:
        assert "No rival side takes part" in one.statement


def test_capture_is_a_risk_to_the_sides_that_do_not_control_the_process(fw: Framework) -> None:
    p = proposal("protocols", governance="one_party_controls", controlled_by="cn-uni")
    a = assess(p, fw)
    r4 = {s.side: s.residual["R4_harm_opportunity"] for s in a.sides}
    assert r4 == {"US": "moderate", "CN": "low"}
    assert not any("[V-UNSTATED-CONTROLLER;" in c for c in a.verdict.conditions)
    # not said which party: both sides raised, and the verdict asks
    b = assess(proposal("protocols", governance="one_party_controls"), fw)
    assert {s.side: s.residual["R4_harm_opportunity"] for s in b.sides} == {
        "US": "moderate",
        "CN": "moderate",
    }
    assert any("[V-UNSTATED-CONTROLLER;" in c for c in b.verdict.conditions)


def test_no_benefit_is_not_asked_when_no_area_was_assessed(fw: Framework) -> None:
    """With no area, no level is known: "some risk remains" cannot be said (V-NO-BENEFIT)."""
    a = assess(proposal(None), fw)
    assert not a.areas and a.verdict.level == "needs_senior_review"
    assert not any("[V-NO-BENEFIT;" in c for c in a.verdict.conditions)


# capability-scope-limit ("small research models well below the frontier") against the declared
# training compute (safeguards 2.2.0 `thresholds`, holdout5 h5-15): credited below the frontier-scale
# threshold (10^25 operations, EU AI Act Art. 51(2)) or when no compute is declared; not credited at
# or above it. Each row: declared training compute (None: not declared), credited.
SCOPE_LIMIT_COMPUTE: list[tuple[float | None, bool]] = [
    (None, True),
    (1e22, True),
    (9.9e24, True),
    (1e25, False),  # the boundary counts as frontier scale
    (3e25, False),  # h5-15
    (2e26, False),
]


@pytest.mark.parametrize(("flop", "credited"), SCOPE_LIMIT_COMPUTE)
def test_scope_limit_is_not_credited_at_frontier_scale_compute(
    fw: Framework, flop: float | None, credited: bool
) -> None:
    fields: dict[str, Any] = {
        "activities": ["train_models"],
        "safeguards": ["capability-scope-limit"],
    }
    if flop is not None:
        fields["research_security"] = {"training_compute_flop": flop}
    a = assess(proposal("verification", **fields), fw)
    rec = next(s for s in a.safeguards if s.id == "capability-scope-limit")
    assert rec.planned and rec.credited is credited, rec.not_credited_because
    r1 = {r.risk: r.residual for r in a.risks}["R1_frontier"]
    assert r1 == ("low" if credited else "moderate")
    if not credited:
        assert "10^25" in (rec.not_credited_because or "")


def test_a_threshold_flag_must_be_in_the_vocabulary(tmp_path: Any) -> None:
    import shutil

    from detente.errors import FrameworkError
    from detente.framework.loader import default_framework_path, load_framework

    for f in default_framework_path().parent.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    cat = tmp_path / "safeguards.yaml"
    text = cat.read_text(encoding="utf-8")
    assert "flag: compute.frontier_scale" in text
    cat.write_text(text.replace("flag: compute.frontier_scale", "flag: compute.big"), "utf-8")
    with pytest.raises(FrameworkError) as exc:
        load_framework(tmp_path / "framework.yaml")
    assert any("compute.big" in p.message for p in exc.value.problems)


# A side that only funds or is funded (rules 2.2.0, holdout5 h5-16): no joint form declared, no
# access across sides, nothing but money given or received by that side. Each row: the fields, and
# per side whether `self.funds_only` is set. Written from the fields' meaning before running.
_GRANT = {
    "forms": [],
    "activities": ["design_benchmarks", "run_evaluations"],
    "us": {"contributes": ["funding"]},
    "cn": {"receives": ["funding"]},
}
FUNDS_ONLY_CASES: list[tuple[dict[str, Any], dict[str, bool]]] = [
    (_GRANT, {US: True, CN: True}),
    # forms not stated: unknown, not "no joint form"
    ({k: v for k, v in _GRANT.items() if k != "forms"}, {US: False, CN: False}),
    # a joint form
    ({**_GRANT, "forms": ["joint_red_teaming"]}, {US: False, CN: False}),
    # access across sides
    ({**_GRANT, "model_access": "api"}, {US: False, CN: False}),
    # the funded side also gives data (deemed received by the funder): neither side is funding only
    (
        {**_GRANT, "cn": {"receives": ["funding"], "contributes": ["evaluation_data"]}},
        {US: False, CN: False},
    ),
    # the funder also gives expertise: not funding only for it
    ({**_GRANT, "us": {"contributes": ["funding", "expertise"]}}, {US: False, CN: True}),
]


@pytest.mark.parametrize(("fields", "expected"), FUNDS_ONLY_CASES)
def test_a_side_that_only_funds(
    fw: Framework, fields: dict[str, Any], expected: dict[str, bool]
) -> None:
    from detente.assessment.features import side_features

    sides = {s.side: s.flags for s in side_features(proposal("evaluations", **fields))}
    assert {side: "self.funds_only" in sides[side] for side in expected} == expected


# API-only joint red-teaming (rules 2.3.0, holdout6 h6-e2): the form raises R4 (§6.4 R4 "depends
# largely on the form of cooperation") through EVA-R4-JOINT-RED-TEAMING, which `no-internals-access`
# does not counter — the plan already is what it promises (no weights or internals held), so planning
# it changes nothing; `logged-access` lowers it. With hands-on access EVA-R4-HANDS-ON fires instead,
# and `no-internals-access` counters that as before.
@pytest.mark.parametrize(
    ("fields", "rule", "safeguards", "r4"),
    [
        ({"model_access": "api"}, "EVA-R4-JOINT-RED-TEAMING", [], "high"),
        ({"model_access": "api"}, "EVA-R4-JOINT-RED-TEAMING", ["no-internals-access"], "high"),
        ({"model_access": "api"}, "EVA-R4-JOINT-RED-TEAMING", ["logged-access"], "moderate"),
        ({"model_access": "supervised_on_site"}, "EVA-R4-HANDS-ON", [], "high"),
        (
            {"model_access": "supervised_on_site"},
            "EVA-R4-HANDS-ON",
            ["no-internals-access"],
            "moderate",
        ),
    ],
)
def test_joint_red_teaming_through_an_api_is_not_countered_by_no_internals_access(
    fw: Framework, fields: dict[str, Any], rule: str, safeguards: list[str], r4: str
) -> None:
    p = proposal("evaluations", forms=["joint_red_teaming"], safeguards=safeguards, **fields)
    a = assess(p, fw)
    fired = {t.rule for t in a.trace if t.stage == "rule" and t.before != t.after}
    assert rule in fired
    assert len(fired & {"EVA-R4-HANDS-ON", "EVA-R4-JOINT-RED-TEAMING"}) == 1  # one fact, one raise
    assert side_level(a, US, "R4_harm_opportunity", "residual") == r4


# Per side (rules 2.4.0, safeguards 2.3.0; holdout5 h5-08-p1): joint red-teaming raises R4 for a
# side whose model another side reaches. With no model access declared no side is raised (rules
# 2.6.0, holdout8 h8-05, h8-p1): access unstated reads the §6.4 baseline and the verdict asks (the
# worst case is not filled in), access declared none reaches nobody's model. `logged-access` is
# credited for the side whose model is reached, and for a side nobody reaches only when all access
# is API access (no hands-on, no red-teaming); with no model access declared it is credited to no
# side (safeguards 2.4.0: no session is known to log, so nothing goes below the baseline on an
# assumption). A side whose systems nobody reaches never ends above the side whose model is reached.
_US_MODEL = {"to": "cn-uni", "of": "model", "owner": "us-uni"}
_SG = {"id": "sg-inst", "name": "Example Institute", "country": "SG", "type": "research_institute"}
PER_SIDE_R4_CASES: list[tuple[str, dict[str, Any], list[str], tuple[str, str]]] = [
    (
        "red-teaming, no access declared",
        {"forms": ["joint_red_teaming"]},
        [],
        ("moderate", "moderate"),
    ),
    (
        "red-teaming, no access declared, logged (not credited: the baseline stays)",
        {"forms": ["joint_red_teaming"]},
        ["logged-access"],
        ("moderate", "moderate"),
    ),
    (
        "red-teaming, access declared none (holdout8 h8-p1)",
        {"forms": ["joint_red_teaming"], "model_access": "none", "access": []},
        [],
        ("moderate", "moderate"),
    ),
    (
        "red-teaming, access declared none, logged (nothing to log)",
        {"forms": ["joint_red_teaming"], "model_access": "none", "access": []},
        ["logged-access"],
        ("moderate", "moderate"),
    ),
    (
        "red-teaming, no access declared, military-affiliated CN party (no side reached)",
        {"forms": ["joint_red_teaming"], "cn": {"type": "military_affiliated"}},
        [],
        ("moderate", "moderate"),
    ),
    (
        "red-teaming of the US model through an API",
        {"forms": ["joint_red_teaming"], "access": [{**_US_MODEL, "level": "api"}]},
        [],
        ("high", "moderate"),
    ),
    (
        "red-teaming of the US model through an API, logged",
        {"forms": ["joint_red_teaming"], "access": [{**_US_MODEL, "level": "api"}]},
        ["logged-access"],
        ("moderate", "moderate"),
    ),
    (
        "red-teaming of the US model by a military-affiliated US side's partner: CN not probed",
        {
            "forms": ["joint_red_teaming"],
            "access": [{**_US_MODEL, "level": "api"}],
            "us": {"type": "military_affiliated"},
        },
        [],
        ("high", "moderate"),
    ),
    (
        "red-teaming of the US model on site",
        {"forms": ["joint_red_teaming"], "access": [{**_US_MODEL, "level": "supervised_on_site"}]},
        [],
        ("high", "moderate"),
    ),
    (
        "red-teaming of the US model on site, logged",
        {"forms": ["joint_red_teaming"], "access": [{**_US_MODEL, "level": "supervised_on_site"}]},
        ["logged-access"],
        ("moderate", "moderate"),
    ),
    (
        "red-teaming of a third party's model through an API",
        {
            "forms": ["joint_red_teaming"],
            "access": [{"to": "cn-uni", "of": "model", "owner": "sg-inst", "level": "api"}],
            "parties": [
                {
                    "id": "us-uni",
                    "name": "Example University",
                    "country": "US",
                    "type": "university",
                },
                {"id": "cn-uni", "name": "Example Daxue", "country": "CN", "type": "university"},
                _SG,
            ],
        },
        [],
        ("moderate", "moderate"),
    ),
    (
        "evaluation of the US model through an API",
        {"access": [{**_US_MODEL, "level": "api"}]},
        [],
        ("moderate", "moderate"),
    ),
    (
        "evaluation of the US model through a logged API (holdout4 h4-12)",
        {"access": [{**_US_MODEL, "level": "api"}]},
        ["logged-access"],
        ("low", "low"),
    ),
    (
        "evaluation of the US model on site, logged (supervised-on-site-evaluation-logged)",
        {"access": [{**_US_MODEL, "level": "supervised_on_site"}]},
        ["logged-access"],
        ("moderate", "moderate"),
    ),
]


@pytest.mark.parametrize(
    ("fields", "safeguards", "expected"),
    [pytest.param(f, s, e, id=name) for name, f, s, e in PER_SIDE_R4_CASES],
)
def test_red_teaming_and_logged_access_are_per_side(
    fw: Framework, fields: dict[str, Any], safeguards: list[str], expected: tuple[str, str]
) -> None:
    a = assess(proposal("evaluations", safeguards=safeguards, **fields), fw)
    got = tuple(side_level(a, s, "R4_harm_opportunity", "residual") for s in (US, CN))
    assert got == expected
    order = ["low", "moderate", "high"]
    if fields.get("access") and fields["access"][0]["owner"] == "us-uni":
        # CN's systems are reached by nobody: never riskier than the US side whose model is reached
        assert order.index(got[1]) <= order.index(got[0])


# Safeguards 2.4.0 (holdout8 h8-05, h8-p1): joint red-teaming with no model access declared gives
# `logged-access` no session to act on, so it is not credited (the report says why) and no level
# goes below the §6.4 baseline; with access unstated the verdict asks for it instead.
@pytest.mark.parametrize(
    ("fields", "asked"),
    [
        pytest.param({}, True, id="access unstated"),
        pytest.param({"model_access": "none", "access": []}, False, id="access none"),
    ],
)
def test_logged_access_is_not_credited_without_declared_model_access(
    fw: Framework, fields: dict[str, Any], asked: bool
) -> None:
    p = proposal(
        "evaluations",
        forms=["joint_red_teaming"],
        strategic_intersections=[],
        safeguards=["logged-access"],
        **fields,
    )
    a = assess(p, fw)
    (sg,) = [s for s in a.safeguards if s.id == "logged-access"]
    assert sg.planned and not sg.credited and sg.not_credited_because
    for side in (US, CN):
        assert side_level(a, side, "R4_harm_opportunity", "residual") == "moderate"
    assert any("V-UNSTATED-ACCESS" in c for c in a.verdict.conditions) is asked
