"""Fixtures of the report tests: the framework, every example assessed, and a home with the shared lists."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from detente.assessment.engine import assess
from detente.assessment.loader import load_proposal
from detente.assessment.result import Assessment
from detente.framework.loader import get_framework
from detente.framework.model import Framework

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
HIT_EXAMPLE = ROOT / "examples" / "17-compute-verification-hit.yaml"
FIXED_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 30)


@pytest.fixture(scope="session")
def fw() -> Framework:
    return get_framework()


@pytest.fixture(scope="session")
def assessed(fw: Framework) -> dict[str, Assessment]:
    """Every example, screening off (as in the golden files)."""
    return {e.stem: assess(load_proposal(e, fw), fw) for e in EXAMPLES}


@pytest.fixture(scope="session")
def lists_home(shared_lists_home: Path) -> Path:
    """The shared lists loaded as in tests/screening (the session's one load, tests/conftest.py)."""
    return shared_lists_home


@pytest.fixture(scope="session")
def hit_assessment(fw: Framework, lists_home: Path) -> Assessment:
    """Example 17 screened against the shared lists: Harbin Institute of Technology is listed."""
    from detente.screening import diligence_for

    p = load_proposal(HIT_EXAMPLE, fw)
    dd = diligence_for(p, home=lists_home, as_of=AS_OF)
    a = assess(p, fw, diligence=dd)
    rules = [v.rule for v in (*a.verdict.decisive, *a.verdict.also)]
    assert "V-RESTRICTING-HIT" in rules, f"no restricting hit for example 17 (rules {rules})"
    return a
