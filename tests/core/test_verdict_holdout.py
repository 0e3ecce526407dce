"""The hold-out case table (tests/cases/verdict_cases_holdout.yaml): proposals the rules were not
tuned on, whose expected verdict range and reason were written from framework.md and committed
before the tool was run (see the file's git history).

Modelled on test_verdict_cases.py. A case the tool gets wrong carries ``xfail: "<why the tool is
wrong>"`` and is marked xfail(strict=True): when the tool is fixed the case XPASSes and the mark
must be removed. The ``probes`` were written after the run, to pin down a defect the run showed;
they are not part of the out-of-sample count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from detente.assessment.engine import assess
from detente.assessment.proposal import Proposal
from detente.framework.model import VERDICTS, Framework

TABLE = Path(__file__).resolve().parents[1] / "cases" / "verdict_cases_holdout.yaml"
DOC: dict[str, Any] = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = DOC["cases"]
PROBES: list[dict[str, Any]] = DOC.get("probes") or []


def _params(cases: list[dict[str, Any]]) -> list[Any]:
    out = []
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


def test_the_holdout_table_is_well_formed() -> None:
    assert len(CASES) == 20
    ids = [c["id"] for c in CASES + PROBES]
    assert len(set(ids)) == len(ids)
    for c in CASES + PROBES:
        lo, hi = c["expect"]
        assert VERDICTS.index(lo) <= VERDICTS.index(hi), c["id"]
        assert c["reason"].strip(), c["id"]


def _check(fw: Framework, case: dict[str, Any]) -> None:
    a = assess(Proposal.model_validate(case["proposal"]), fw)
    lo, hi = (VERDICTS.index(x) for x in case["expect"])
    got = VERDICTS.index(a.verdict.level)
    residual = {r.risk: r.residual for r in a.risks}
    why = (
        f"{case['id']}: got {a.verdict.level} (residual {residual}); "
        f"expected {case['expect']} because {case['reason']}"
    )
    assert lo <= got <= hi, why
    served = {b.rule for b in a.benefits}
    for rule in case.get("benefits") or []:
        assert rule in served, f"{case['id']}: benefit {rule} expected, got {sorted(served)}"
    for rule in case.get("no_benefits") or []:
        assert rule not in served, f"{case['id']}: benefit {rule} must not count"
    assert a.statement, "every assessment opens with a benefit–risk statement"
    for text in case.get("statement_excludes") or []:
        assert text not in a.statement, f"{case['id']}: statement says {text!r}: {a.statement}"


@pytest.mark.parametrize("case", _params(CASES))
def test_holdout_case(fw: Framework, case: dict[str, Any]) -> None:
    _check(fw, case)


@pytest.mark.parametrize("case", _params(PROBES))
def test_holdout_probe(fw: Framework, case: dict[str, Any]) -> None:
    _check(fw, case)
