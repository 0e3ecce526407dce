"""The nine held-out verdict case tables (tests/cases/verdict_cases_holdout*.yaml), through the one
harness in holdout.py: proposals the rules were not tuned on, whose expected verdict range and
reason were written from framework.md and committed before the tool was run on them (see each
file's git history). Test ids start with the table: ``holdout3-h3-04-…``.

- round 1 (``holdout``): realistic proposals, modelled on test_verdict_cases.py;
- round 2 (``holdout2``, commit 4c24ef7): Chinese-led proposals, a custom rivalry, allies only, a
  neutral third-country host, a multilateral process, tricky prose, the same fact in fields and in
  text, safeguards whose precondition fails, funding only, labels as benefits, incomplete fields;
- round 3 (``holdout3``, commit 6462f21): areas left undeclared (work outside the four areas, work
  without its area's keywords, two areas), every safeguard where its mechanism applies and where it
  does not, PAL-like sharing by the leader / the trailing side / under parity, nuclear and
  military-affiliated parties, track 1 vs track 2, personnel exchange, a CBRN evaluation through an
  API, neutral vs rival hosting and a standard one side controls;
- round 4 (``holdout4``, commit b74f20a): written as four kinds of real users would (a US university
  research-security office, a Chinese institute's international-cooperation office declaring the
  rivalry from its side, an AI lab policy team, an AI safety institute);
- round 5 (``holdout5``): very short or vague proposals, two or three areas at once, a three-sided
  rivalry, one cooperation written up by each side's office (``twins``), safeguards contradicted by
  other fields (``expect_error``), funding-only and data-only cooperation, a dialogue with a
  hypothetical phase 2;
- round 6 (``holdout6``, commit 1baff3d): a clean out-of-sample measurement of the rules as they
  stand (nothing tuned on it): five cases per area — low, moderate, senior review or worse,
  safeguards that change the verdict, incomplete information the tool must ask about;
- round 7 (``holdout7``): proposals as real offices write them — areas undeclared, a national lab
  on chip-location prototypes, a lab's non-public taxonomy, a multilateral agent evaluation with
  one rival lab, a visitor with checkpoint weights, cyber-offence tasks, a third-country compute
  host, vague prose, prose contradicting a safeguard, a phase-2 hypothetical, a military-affiliated
  party, a three-sided rivalry with one side holding the pen, a nuclear C2 dialogue, an open-source
  release, red-team transcripts, allies only, unreviewed joint verifier code, operational details;
- round 8 (``holdout8``): the voices of real offices (a Chinese academy's foreign-affairs office, UK
  university research-security teams, an Indian partner in a three-way rivalry, a Gulf convenor, US
  lab policy teams, the safety-institute network, a Track 2 think tank, a funder) — co-written
  verifier code reviewed independently, a leader's agent scaffold handed over, a safeguard the
  fields contradict, logged API access, red-teaming with access unstated, prose contradicting
  ``model_access: none``, allies only on a cluster, drug discovery, a biosecurity protocol, a
  title-and-two-parties proposal, on-site inspection of internals;
- round 9 (``holdout9``): a measurement of the final rules (nothing tuned on it), five per area each
  spanning the verdict scale — dialogue-only work in every area, co-written verifier code with and
  without review, chip details for a hardware mechanism, private runbooks, nuclear early-warning
  procedures, an unnamed secretariat, new research under pre-publication review, a cluster both
  sides administer, a registry the rival administers, a declared India–China rivalry, elicitation
  recipes handed over in the prose only, proposals with nothing stated, a firewall with no focus.

A case the tool gets wrong carries ``xfail: "<why>"`` and is marked xfail(strict=True); a known
defect is a strict xfail until it is ``fixed``. The keys a case may check are listed in holdout.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from detente.assessment.engine import assess
from detente.assessment.proposal import Proposal
from detente.framework.model import VERDICTS, Framework

from .holdout import (
    TABLES,
    Table,
    case_params,
    check_case,
    check_defect,
    check_twins,
    defect_params,
    table_params,
    twin_params,
    well_formed_problems,
)

H2 = TABLES["holdout2"]
H3 = TABLES["holdout3"]


@pytest.mark.parametrize("table", table_params())
def test_the_holdout_table_is_well_formed(table: Table) -> None:
    problems = well_formed_problems(table)
    assert not problems, problems


@pytest.mark.parametrize(("table", "case"), case_params("cases"))
def test_holdout_case(fw: Framework, table: Table, case: dict[str, Any]) -> None:
    check_case(table, fw, case)


@pytest.mark.parametrize(("table", "case"), case_params("probes"))
def test_holdout_probe(fw: Framework, table: Table, case: dict[str, Any]) -> None:
    check_case(table, fw, case)


@pytest.mark.parametrize(("table", "case", "check"), defect_params())
def test_holdout_known_defect(
    fw: Framework, table: Table, case: dict[str, Any], check: dict[str, Any]
) -> None:
    """Each check here is what framework.md asks for and the tool does not do (strict xfail)."""
    check_defect(table, fw, case, check)


@pytest.mark.parametrize(("table", "pair"), twin_params())
def test_holdout_twins_agree(fw: Framework, table: Table, pair: list[str]) -> None:
    """One cooperation written up by each side's office: same facts, same verdict and levels."""
    check_twins(table, fw, pair)


def test_fields_and_text_pair_agree(fw: Framework) -> None:
    """The same fact declared in the fields or stated only in the text gives the same result."""
    by_fields = H2.assess(fw, "h2-pair-joint-code-in-fields")
    by_text = H2.assess(fw, "h2-pair-joint-code-in-text")
    assert by_fields.verdict.level == by_text.verdict.level
    assert {r.risk: r.residual for r in by_fields.risks} == {
        r.risk: r.residual for r in by_text.risks
    }


def test_chinese_led_cases_are_mirror_symmetric(fw: Framework) -> None:
    """Swapping the US and CN parties' countries mirrors the per-side levels and keeps the verdict."""
    swap = {"US": "CN", "CN": "US"}
    for cid in (
        "h2-cn-led-compute-accounting-verification",
        "h2-cn-led-cyber-elicitation-handover",
        "h2-cn-led-api-access-to-us-evaluators",
    ):
        case = H2.by_id[cid]
        mirrored = yaml.safe_load(yaml.safe_dump(case["proposal"], allow_unicode=True))
        for party in mirrored["parties"]:
            party["country"] = swap.get(party["country"], party["country"])
        a = H2.assess(fw, case)
        b = assess(Proposal.model_validate(mirrored), fw)
        assert a.verdict.level == b.verdict.level, cid
        sa = {s.side: s.residual for s in a.sides}
        sb = {s.side: s.residual for s in b.sides}
        assert sa["US"] == sb["CN"] and sa["CN"] == sb["US"], cid


def test_track_does_not_move_levels(fw: Framework) -> None:
    """The same content as track 1 and as track 2 gives the same verdict and per-side levels."""
    t1 = H3.assess(fw, "h3-14-cyber-agent-eval-track1")
    t2 = H3.assess(fw, "h3-15-cyber-agent-eval-track2")
    assert t1.verdict.level == t2.verdict.level
    assert {s.side: s.residual for s in t1.sides} == {s.side: s.residual for s in t2.sides}


def test_neutral_host_is_no_worse_than_rival_host(fw: Framework) -> None:
    """Moving the cluster from the rival's lab to a neutral host never worsens verdict or R4."""
    rival = H3.assess(fw, "h3-07-eval-cluster-hosted-by-rival")
    neutral = H3.assess(fw, "h3-08-eval-cluster-hosted-by-neutral")
    assert VERDICTS.index(neutral.verdict.level) < VERDICTS.index(rival.verdict.level)
    levels = ["low", "moderate", "high"]
    r4_rival, r4_neutral = (
        {r.risk: r.residual for r in a.risks}["R4_harm_opportunity"] for a in (rival, neutral)
    )
    assert levels.index(r4_neutral) < levels.index(r4_rival)


# Fixed 2026-12-02 (was a strict xfail, tool wrong): rules applied in pack order with clamping lost
# X-R2-LEADER-GIVES on a cell already at high before INF-R2-SAFETY-SPECIFIC lowered it; every lower
# now precedes the raises of its risk (checked when the pack loads).
# Rules 2.4.0: the leader's source code alone no longer raises R2 (what the code is is asked), so the
# gift here is non-public know-how, which X-R2-LEADER-GIVES reads as it stands.
def test_leader_gift_is_not_lost(fw: Framework) -> None:
    """The leader giving a capability asset must score R2 higher than the same plan without it."""
    case = H3.by_id["h3-09-pal-leader-shares-agent-permission-layer"]
    gift = copy.deepcopy(case["proposal"])
    gift["parties"][0]["contributes"] = ["non_public_know_how", "expertise"]
    gift["parties"][1]["receives"] = ["non_public_know_how", "expertise"]
    with_gift = assess(Proposal.model_validate(gift), fw)
    no_gift = copy.deepcopy(case["proposal"])
    no_gift["parties"][0]["contributes"] = ["expertise"]
    no_gift["parties"][1]["receives"] = ["expertise"]
    without = assess(Proposal.model_validate(no_gift), fw)
    levels = ["low", "moderate", "high"]
    us_with = {s.side: s.residual for s in with_gift.sides}["US"]["R2_differential"]
    us_without = {s.side: s.residual for s in without.sides}["US"]["R2_differential"]
    assert levels.index(us_with) > levels.index(us_without)
