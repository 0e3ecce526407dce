"""Builders for core tests: minimal proposals with two sides, and frameworks with a piece removed."""

from __future__ import annotations

from typing import Any

import pytest

from detente.assessment.engine import assess
from detente.assessment.proposal import Proposal
from detente.assessment.result import Assessment
from detente.framework.loader import get_framework
from detente.framework.model import Framework


def proposal(area: str | list[str] | None = "verification", **fields: Any) -> Proposal:
    """A neutral two-sided proposal (US and CN universities) with ``fields`` overriding the defaults.

    ``us`` / ``cn`` keyword arguments are merged into the two parties.
    """
    us = {"id": "us-uni", "name": "Example University", "country": "US", "type": "university"}
    cn = {"id": "cn-uni", "name": "Example Daxue", "country": "CN", "type": "university"}
    us.update(fields.pop("us", {}))
    cn.update(fields.pop("cn", {}))
    data: dict[str, Any] = {"title": "Test proposal", "parties": [us, cn]}
    if area is not None:
        areas = [area] if isinstance(area, str) else area
        data["areas"] = [{"id": a} for a in areas]
    data.update(fields)
    return Proposal.model_validate(data)


def without(
    fw: Framework,
    *,
    rule: str | None = None,
    safeguard: str | None = None,
    verdict: str | None = None,
    benefit: str | None = None,
) -> Framework:
    """A copy of ``fw`` with one rule, safeguard, verdict rule or benefit rule removed."""
    rules = fw.rules
    if rule:
        rules = rules.model_copy(update={"rules": [r for r in rules.rules if r.id != rule]})
    if verdict:
        rules = rules.model_copy(
            update={"verdicts": [v for v in rules.verdicts if v.id != verdict]}
        )
    if benefit:
        rules = rules.model_copy(
            update={"benefits": [b for b in rules.benefits if b.id != benefit]}
        )
    cat = fw.catalogue
    if safeguard:
        cat = cat.model_copy(
            update={"safeguards": [s for s in cat.safeguards if s.id != safeguard]}
        )
    return Framework(doc=fw.doc, rules=rules, catalogue=cat, stamps=fw.stamps)


def side_level(a: Assessment, side: str, risk: str, which: str = "inherent") -> str:
    for s in a.sides:
        if s.side == side:
            levels: dict[str, str] = getattr(s, which)
            return levels[risk]
    raise KeyError(side)


@pytest.fixture(scope="session")
def fw() -> Framework:
    return get_framework()


__all__ = ["assess", "proposal", "side_level", "without"]
