"""Acceptance: the report of an example with a listed party shows the hit, its meaning, its list
version and the changed verdict."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from detente.assessment.engine import assess
from detente.assessment.loader import load_proposal
from detente.framework.loader import get_framework
from detente.report import render
from detente.screening import diligence_for

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "17-compute-verification-hit.yaml"


@pytest.mark.shared
def test_listed_party_changes_the_verdict_in_the_report(real_home: Path) -> None:
    fw = get_framework()
    proposal = load_proposal(EXAMPLE, fw)
    without = assess(proposal, fw)
    dd = diligence_for(proposal, home=real_home, as_of=date(2026, 11, 28))
    with_dd = assess(proposal, fw, diligence=dd)

    assert without.verdict.level == "suitable_with_safeguards"
    assert with_dd.verdict.level == "needs_senior_review"
    assert "V-RESTRICTING-HIT" in [d.rule for d in with_dd.verdict.decisive]

    hit = next(p for p in dd.parties if p.key == "hit")
    assert hit.status == "hit"
    top = hit.matches[0]
    assert top.severity == "restricting" and "Entity List" in top.list_name
    assert top.snapshot_id

    for fmt in ("md", "html"):
        text = render(with_dd, fmt)
        assert "Harbin Institute of Technology" in text
        assert top.list_name in text  # which list
        assert top.meaning.split(".")[0] in text  # what a hit on it means
        assert top.snapshot_id in text  # the list version
        assert "Needs senior review" in text  # the changed verdict
        assert "V-RESTRICTING-HIT" in text
