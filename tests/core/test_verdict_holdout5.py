"""The fifth hold-out case table (tests/cases/verdict_cases_holdout5.yaml): 20 proposals
(very short or vague ones, two or three areas at once, a three-sided rivalry, one cooperation
written up by each side's office, safeguards contradicted by other fields, funding-only and
data-only cooperation, a dialogue with a hypothetical phase 2), with the expected verdict range and
reason committed before the tool was run on them.

Modelled on test_verdict_holdout4.py. A case the tool gets wrong carries ``xfail: "<why>"`` and is
marked xfail(strict=True). Checks the tool gets wrong without changing the verdict are listed under
``known_defects`` and tested one by one as strict xfails. New here: ``conditions_include_words`` (a
phrase the verdict's conditions must contain), ``twins`` (pairs of cases describing one
cooperation, whose verdict and per-side residual levels must agree), and ``expect_error`` /
``error_mentions`` (the plan is rejected, with a message naming each given string: a safeguard the
fields contradict, docs/proposals.md "Safeguards that contradict the plan").
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from detente.assessment.engine import assess
from detente.assessment.proposal import Proposal
from detente.assessment.result import Assessment
from detente.errors import ProposalError
from detente.framework.model import VERDICTS, Framework

TABLE = Path(__file__).resolve().parents[1] / "cases" / "verdict_cases_holdout5.yaml"
DOC: dict[str, Any] = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = DOC["cases"]
PROBES: list[dict[str, Any]] = DOC.get("probes") or []
TWINS: list[dict[str, Any]] = [
    {"pair": pair, "xfail": None} if isinstance(pair, list) else pair
    for pair in DOC.get("twins") or []
]
BY_ID = {c["id"]: c for c in CASES + PROBES}


def _proposal(case: dict[str, Any]) -> dict[str, Any]:
    if "proposal" in case:
        return dict(case["proposal"])
    data = copy.deepcopy(BY_ID[case["base"]]["proposal"])
    data.update(copy.deepcopy(case.get("patch") or {}))
    return dict(data)


def _assess(fw: Framework, case: dict[str, Any]) -> Assessment:
    return assess(Proposal.model_validate(_proposal(case)), fw)


def _rejection(fw: Framework, case: dict[str, Any]) -> str | None:
    """The rejection message when the proposal is rejected, else None."""
    try:
        _assess(fw, case)
    except ProposalError as e:
        return str(e)
    return None


def _error_failures(fw: Framework, case: dict[str, Any], words: list[str]) -> list[str]:
    message = _rejection(fw, case)
    if message is None:
        return [f"{case['id']}: not rejected, expected a rejection naming {words}"]
    return [f"{case['id']}: rejection does not name {w!r}" for w in words if w not in message]


def _params(cases: list[dict[str, Any]]) -> list[Any]:
    out = []
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


def _failures(a: Assessment, cid: str, spec: dict[str, Any]) -> list[str]:
    """Every check of ``spec`` that ``a`` fails, in words."""
    bad: list[str] = []
    p = a.placement
    if "placement_status" in spec and (p is None or p.status != spec["placement_status"]):
        bad.append(f"placement {p.status if p else None}, expected {spec['placement_status']}")
    if "areas" in spec and (p is None or sorted(p.areas) != sorted(spec["areas"])):
        bad.append(f"areas {p.areas if p else None}, expected {spec['areas']}")
    residual = {r.risk: r.residual for r in a.risks}
    for risk, level in (spec.get("residual") or {}).items():
        if residual.get(risk) != level:
            bad.append(f"residual {risk} {residual.get(risk)}, expected {level}")
    sides = {s.side: s.residual for s in a.sides}
    for side, levels in (spec.get("side_residual") or {}).items():
        for risk, level in levels.items():
            got = sides.get(side, {}).get(risk)
            if got != level:
                bad.append(f"side {side} {risk} {got}, expected {level}")
    planned = {s.id: s for s in a.safeguards if s.planned}
    for sg in spec.get("credited") or []:
        if sg not in planned or not planned[sg].credited:
            bad.append(f"{sg} not credited")
    for sg in spec.get("not_credited") or []:
        if sg in planned and planned[sg].credited:
            bad.append(f"{sg} credited")
    counted = {b.rule for b in a.benefits}
    considered = {b.rule for b in a.benefits_considered}
    for rule in spec.get("benefits_counted") or []:
        if rule not in counted:
            bad.append(f"benefit {rule} not counted ({sorted(counted)})")
    for rule in spec.get("benefits_not_counted") or []:
        if rule in counted:
            bad.append(f"benefit {rule} counted")
    for rule in spec.get("benefits_considered") or []:
        if rule not in considered:
            bad.append(f"benefit {rule} not 'considered, not counted' ({sorted(considered)})")
    applied = {t.id for t in a.text_facts if t.applied}
    for fact in spec.get("text_facts_applied") or []:
        if fact not in applied:
            bad.append(f"text fact {fact} not applied")
    for fact in spec.get("text_facts_not_applied") or []:
        if fact in applied:
            bad.append(f"text fact {fact} applied")
    asked = {t.id for t in a.text_facts if t.question and not t.applied}
    for fact in spec.get("no_question_for") or []:
        if fact in asked:
            bad.append(f"text fact {fact} raises a question")
    conditions = " ".join(a.verdict.conditions)
    for rule in spec.get("conditions_include") or []:
        if f"[{rule};" not in conditions:
            bad.append(f"no condition {rule}")
    for word in spec.get("conditions_include_words") or []:
        if word not in conditions:
            bad.append(f"no condition mentions {word!r}")
    for word in spec.get("conditions_exclude_words") or []:
        if word in conditions:
            bad.append(f"condition mentions {word!r}")
    for text in spec.get("statement_excludes") or []:
        if text in a.statement:
            bad.append(f"statement says {text!r}")
    return [f"{cid}: {b}" for b in bad]


def _check(fw: Framework, case: dict[str, Any]) -> None:
    if case.get("expect_error"):
        failures = _error_failures(fw, case, case["expect_error"])
        assert not failures, failures
        return
    a = _assess(fw, case)
    lo, hi = (VERDICTS.index(x) for x in case["expect"])
    got = VERDICTS.index(a.verdict.level)
    residual = {r.risk: r.residual for r in a.risks}
    assert lo <= got <= hi, (
        f"{case['id']}: got {a.verdict.level} (residual {residual}); "
        f"expected {case['expect']} because {case['reason']}"
    )
    assert a.statement, "every assessment opens with a benefit–risk statement"
    assert not _failures(a, case["id"], case)


def test_the_holdout5_table_is_well_formed() -> None:
    assert len(CASES) == 20
    for twin in TWINS:
        assert all(cid in BY_ID for cid in twin["pair"]), twin
    ids = [c["id"] for c in CASES + PROBES]
    assert len(set(ids)) == len(ids)
    for c in CASES + PROBES:
        lo, hi = c["expect"]
        assert VERDICTS.index(lo) <= VERDICTS.index(hi), c["id"]
        assert c["reason"].strip(), c["id"]
        assert "§" in c["reason"], c["id"]
        assert ("proposal" in c) != ("base" in c), c["id"]
        for d in c.get("known_defects") or []:
            assert d["why"].strip() and d["check"], c["id"]


@pytest.mark.parametrize("case", _params(CASES))
def test_holdout5_case(fw: Framework, case: dict[str, Any]) -> None:
    _check(fw, case)


@pytest.mark.parametrize("case", _params(PROBES))
def test_holdout5_probe(fw: Framework, case: dict[str, Any]) -> None:
    _check(fw, case)


def _defects() -> list[Any]:
    out = []
    for case in CASES + PROBES:
        for n, d in enumerate(case.get("known_defects") or []):
            out.append(
                pytest.param(
                    case,
                    d["check"],
                    id=f"{case['id']}-{n}",
                    # a fixed defect stays as a regression check
                    marks=[]
                    if d.get("fixed")
                    else [pytest.mark.xfail(strict=True, reason=" ".join(d["why"].split()))],
                )
            )
    return out


@pytest.mark.parametrize(("case", "check"), _defects())
def test_holdout5_known_defect(fw: Framework, case: dict[str, Any], check: dict[str, Any]) -> None:
    """Each check here is what framework.md asks for and the tool does not do (strict xfail)."""
    if "error_mentions" in check:
        failures = _error_failures(fw, case, check["error_mentions"])
    else:
        failures = _failures(_assess(fw, case), case["id"], check)
    assert not failures, failures


def _twin_params() -> list[Any]:
    out = []
    for twin in TWINS:
        marks = [pytest.mark.xfail(strict=True, reason=twin["xfail"])] if twin.get("xfail") else []
        out.append(pytest.param(twin["pair"], id="-".join(twin["pair"]), marks=marks))
    return out


@pytest.mark.parametrize("pair", _twin_params())
def test_holdout5_twins_agree(fw: Framework, pair: list[str]) -> None:
    """One cooperation written up by each side's office: same facts, same verdict and levels."""
    a, b = (_assess(fw, BY_ID[cid]) for cid in pair)
    assert a.verdict.level == b.verdict.level, (pair, a.verdict.level, b.verdict.level)
    assert {r.risk: r.residual for r in a.risks} == {r.risk: r.residual for r in b.risks}
    sides_a = {s.side: dict(s.residual) for s in a.sides}
    sides_b = {s.side: dict(s.residual) for s in b.sides}
    assert sides_a == sides_b, (pair, sides_a, sides_b)
