"""Fixtures of the report tests: the framework, every example assessed, and a home with the shared lists."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from detente.assessment.engine import assess
from detente.assessment.loader import load_proposal
from detente.assessment.result import Assessment
from detente.errors import DetenteError
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
def lists_home(shared_lists: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared lists loaded as in tests/screening (one source folder at a time).

    A folder whose format the loader does not read is left out with a warning, and shows in the
    reports as not checked; the test that needs a list skips if it is missing.
    """
    from detente.screening.store import load_paths

    home = tmp_path_factory.mktemp("detente-report-home")
    for folder in sorted(p for p in shared_lists.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.iterdir() if p.name != "SOURCE.md")
        try:
            load_paths(files, source=None, retrieved_at=FIXED_NOW, home=home)
        except DetenteError as exc:
            warnings.warn(f"{folder.name} not loaded: {str(exc).splitlines()[0]}", stacklevel=1)
    return home


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
