"""parse_proposal records on the instance it validated that it passed the framework check;
assess() trusts the record for that instance and that framework only.  Every other proposal — built without parse, copied with changed fields, unpickled, or
assessed under another framework — is checked by the engine as before."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

from detente.assessment.engine import assess
from detente.assessment.loader import parse_checked, parse_proposal
from detente.assessment.proposal import Proposal
from detente.errors import ProposalError
from detente.framework.model import Framework
from detente.report import render_json

from .conftest import without

# the safeguard third-party-hosting contradicts a proposal in which a party of a side administers
# the shared infrastructure (tests/core/test_rules.py, PLAN_CHANGE_CASES)
CONTRADICTING = "third-party-hosting"


def _doc(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "title": "Parse record",
        "description": "The teams will exchange their tuned agent scaffolds.",
        "areas": [{"id": "infrastructure"}],
        "forms": ["shared_infrastructure"],
        "infrastructure": {"scope": "safety_specific"},
        "parties": [
            {"id": "us-uni", "name": "Example University", "country": "US", "type": "university"},
            {"id": "cn-uni", "name": "Example Daxue", "country": "CN", "type": "university"},
        ],
    }
    doc.update(fields)
    return doc


def _admin_cn(doc: dict[str, Any]) -> dict[str, Any]:
    parties = [dict(x) for x in doc["parties"]]
    parties[1]["administers_infrastructure"] = True
    return {**doc, "parties": parties}


def test_parsed_instance_carries_the_check(fw: Framework) -> None:
    assert parse_checked(
        parse_proposal(json.dumps(_doc(safeguards=["logged-access"])), "x.json", fw), fw
    )
    assert parse_checked(parse_proposal(json.dumps(_doc()), "x.json", fw), fw)
    # without a framework nothing is checked, nothing recorded
    assert not parse_checked(parse_proposal(json.dumps(_doc()), "x.json"), fw)


def test_the_record_is_not_part_of_the_proposal(fw: Framework) -> None:
    doc = _doc(safeguards=["logged-access"])
    parsed = parse_proposal(json.dumps(doc), "x.json", fw)
    built = Proposal.model_validate(doc)
    assert not parse_checked(built, fw)
    assert parsed == built and built == parsed
    assert repr(parsed) == repr(built)
    assert parsed.model_dump() == built.model_dump()
    assert parsed.model_dump_json() == built.model_dump_json()
    assert render_json(assess(parsed, fw)) == render_json(assess(built, fw))


def test_a_proposal_built_without_parse_is_checked(fw: Framework) -> None:
    doc = _admin_cn(_doc(safeguards=[CONTRADICTING]))
    with pytest.raises(ProposalError, match="contradicts the proposal itself"):
        parse_proposal(json.dumps(doc), "x.json", fw)
    with pytest.raises(ProposalError, match="contradicts the proposal itself"):
        assess(Proposal.model_validate(doc), fw)


def test_a_copy_with_changed_fields_is_checked_again(fw: Framework) -> None:
    p = parse_proposal(json.dumps(_admin_cn(_doc())), "x.json", fw)
    assess(p, fw)  # fits
    changed = p.model_copy(update={"safeguards": [CONTRADICTING]})
    assert not parse_checked(changed, fw)
    with pytest.raises(ProposalError, match="contradicts the proposal itself"):
        assess(changed, fw)
    # an unchanged copy is checked (and fits) and assessed the same
    for same in (p.model_copy(), copy.copy(p), copy.deepcopy(p)):
        assert not parse_checked(same, fw)
        assert render_json(assess(same, fw)) == render_json(assess(p, fw))


def test_pickling_drops_the_record(fw: Framework) -> None:
    p = parse_proposal(json.dumps(_doc(safeguards=["logged-access"])), "x.json", fw)
    again = pickle.loads(pickle.dumps(p))
    assert again == p
    assert not parse_checked(again, fw)
    assert render_json(assess(again, fw)) == render_json(assess(p, fw))


def test_another_framework_checks_again(fw: Framework) -> None:
    p = parse_proposal(json.dumps(_doc(safeguards=["logged-access"])), "x.json", fw)
    other = without(fw, safeguard="logged-access")
    assert not parse_checked(p, other)
    with pytest.raises(ProposalError, match="unknown safeguard 'logged-access'"):
        assess(p, other)
