"""Invariants of the engine and the parser, checked on generated proposals (Hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.assessment.engine import assess
from detente.assessment.features import side_features
from detente.assessment.loader import parse_proposal
from detente.assessment.proposal import (
    Activity,
    Asset,
    Form,
    Governance,
    Hosting,
    InfraScope,
    Maturity,
    ModelAccess,
    OrgType,
    Proposal,
    Purpose,
    StrategicTech,
)
from detente.errors import ProposalError
from detente.framework.loader import get_framework
from detente.framework.model import LEVELS, VERDICTS
from detente.report import render_json

FW = get_framework()
ORDER = {lv: i for i, lv in enumerate(LEVELS)}


def _values(enum: Any) -> list[str]:
    return [m.value for m in enum]


party = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Alpha University", "Beta Lab", "Gamma Institute", "Delta AISI"]),
        "country": st.sampled_from(["US", "CN", "GB", "SG"]),
        "type": st.sampled_from(_values(OrgType)),
        "contributes": st.lists(st.sampled_from(_values(Asset)), max_size=4, unique=True),
        "receives": st.lists(st.sampled_from(_values(Asset)), max_size=3, unique=True),
        "administers_infrastructure": st.booleans(),
    }
)


@st.composite
def proposals(draw: st.DrawFn) -> Proposal:
    parties = draw(st.lists(party, min_size=1, max_size=4))
    for i, p in enumerate(parties):
        p["id"] = f"p{i}"
    sides = sorted({p["country"] for p in parties})
    data: dict[str, Any] = {
        "title": "Generated",
        "parties": parties,
        "areas": [
            {"id": a}
            for a in draw(
                st.lists(
                    st.sampled_from(["verification", "protocols", "infrastructure", "evaluations"]),
                    max_size=3,
                    unique=True,
                )
            )
        ],
        "forms": draw(st.lists(st.sampled_from(_values(Form)), max_size=4, unique=True)),
        "activities": draw(st.lists(st.sampled_from(_values(Activity)), max_size=4, unique=True)),
        "model_access": draw(st.sampled_from(_values(ModelAccess))),
        "strategic_intersections": draw(
            st.lists(st.sampled_from(_values(StrategicTech)), max_size=2, unique=True)
        ),
        "maturity": draw(st.none() | st.sampled_from(_values(Maturity))),
        "capability_lead": draw(st.sampled_from([None, "parity", "unknown", *sides])),
        "governance": draw(st.none() | st.sampled_from(_values(Governance))),
        "purposes": draw(st.lists(st.sampled_from(_values(Purpose)), max_size=3, unique=True)),
        "infrastructure": {
            "hosting": draw(
                st.sampled_from([h.value for h in Hosting if h is not Hosting.one_party])
            ),
            "scope": draw(st.none() | st.sampled_from(_values(InfraScope))),
            "builds_on_national_infrastructure": draw(st.booleans()),
        },
    }
    bare = Proposal.model_validate(data)
    allowed = compatible_safeguards(bare)
    if allowed:
        data["safeguards"] = draw(st.lists(st.sampled_from(allowed), max_size=5, unique=True))
    return Proposal.model_validate(data)


def compatible_safeguards(p: Proposal) -> list[str]:
    sides = side_features(p)
    return [
        s.id for s in FW.catalogue.safeguards if not any(s.contradicted_by(x.flags) for x in sides)
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposals())
def test_engine_invariants(p: Proposal) -> None:
    a = assess(p, FW)
    for cell in a.cells:
        for c in cell.cells.values():
            # safeguards never raise a level
            assert ORDER[c.residual] <= ORDER[c.inherent]
    for r in a.risks:
        assert ORDER[r.residual] <= ORDER[r.inherent]
        # the proposal level is the worst over sides and areas
        assert r.inherent == max((s.inherent[r.risk] for s in a.sides), key=ORDER.__getitem__)
    # every inherent change is explained by a trace step, and the trace replays to the final level
    for cell in a.cells:
        for risk, c in cell.cells.items():
            steps = [
                t
                for t in a.trace
                if t.stage == "rule"
                and t.area == cell.area
                and t.side == cell.side
                and t.risk == risk
            ]
            level = c.baseline
            for t in steps:
                assert t.before == level
                level = t.after
            assert level == c.inherent
    assert a.verdict.level in VERDICTS
    assert VERDICTS.index(a.verdict.best_reachable) <= VERDICTS.index(a.verdict.level)
    assert a.verdict.decisive
    # not checked is never presented as clean
    assert "dd.not_checked" in a.due_diligence_flags


@settings(max_examples=60, deadline=None)
@given(proposals())
def test_json_is_deterministic(p: Proposal) -> None:
    assert render_json(assess(p, FW)) == render_json(assess(p, FW))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_crashes_on_text(text: str) -> None:
    try:
        parse_proposal(text, "fuzz.yaml", FW)
    except ProposalError as exc:
        assert exc.problems, "every parse error names at least one problem"
        assert all(p.file == "fuzz.yaml" for p in exc.problems if p.file)


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12))
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["title", "parties", "areas", "forms", "safeguards", "x"]),
        yaml_values,
        max_size=5,
    )
)
def test_parser_never_crashes_on_structures(data: dict[str, Any]) -> None:
    import json

    try:
        parse_proposal(json.dumps(data), "fuzz.json", FW)
    except ProposalError as exc:
        assert exc.problems
