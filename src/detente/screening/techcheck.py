"""Controlled-technology and investment-review flags, driven by ``data/controlled_tech.yaml``."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from detente.assessment.polarity import first_affirmed
from detente.model.diligence import GUIDANCE, RegFlag
from detente.model.proposal import Proposal


class _Cond(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    assets: list[str] = []
    forms: list[str] = []
    activities: list[str] = []
    strategic: list[str] = []
    model_access: list[str] = []
    funding_types: list[str] = []
    party_types: list[str] = []
    party_countries: list[str] = []
    foreign_and_us_parties: list[bool] = []
    keywords: list[str] = []


class TechRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    kind: str = Field(pattern="^(controlled_technology|investment_review)$")
    title: str
    legal_basis: str
    explanation: str
    status_note: str | None = None
    exclusions: list[str] = []
    any_of: _Cond | None = None
    all_of: _Cond | None = None


class TechRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    reviewed_on: str
    guidance: str
    exclusions: dict[str, str]
    rules: list[TechRule]


@lru_cache(maxsize=1)
def tech_rules() -> TechRules:
    import yaml

    text = (
        resources.files("detente.screening")
        .joinpath("data/controlled_tech.yaml")
        .read_text("utf-8")
    )
    return TechRules.model_validate(yaml.safe_load(text))


def _facts(p: Proposal) -> dict[str, set[str]]:
    assets = {a.value for party in p.parties for a in (*party.contributes, *party.receives)}
    countries = {party.country for party in p.parties}
    return {
        "assets": assets,
        "forms": {f.value for f in p.forms},
        "activities": {a.value for a in p.activities},
        "strategic": {s.value for s in p.strategic_intersections},
        "model_access": {p.model_access.value},
        "funding_types": {f.type.value for f in p.funding},
        "party_types": {party.type.value for party in p.parties},
        "party_countries": countries,
        "foreign_and_us_parties": {"True"} if "US" in countries and countries - {"US"} else set(),
    }


@lru_cache(maxsize=512)
def _keyword(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _check(cond: _Cond, facts: dict[str, set[str]], text: str) -> list[str]:
    """What in the proposal satisfies each clause (one string per satisfied clause)."""
    hits: list[str] = []
    data: dict[str, Any] = cond.model_dump()
    for key, wanted in data.items():
        if not wanted:
            continue
        if key == "keywords":
            # read with the same negation-aware matcher as the assessment's text facts:
            # "no access to model weights" or "CBRN tasks are excluded" state the opposite
            for pat in wanted:
                span = first_affirmed(_keyword(pat), text)
                if span is not None:
                    hits.append(f"text mentions '{span.matched}'")
                    break
            continue
        have = facts[key] & {str(w) for w in wanted}
        if have:
            label = key.replace("_", " ")
            hits.append(
                f"{label}: {', '.join(sorted(have))}"
                if key != "foreign_and_us_parties"
                else "US and non-US parties"
            )
    return hits


def _clauses(cond: _Cond) -> int:
    return sum(1 for v in cond.model_dump().values() if v)


def tech_flags(p: Proposal) -> tuple[list[RegFlag], list[RegFlag]]:
    rules = tech_rules()
    facts = _facts(p)
    text = p.text()
    ct: list[RegFlag] = []
    inv: list[RegFlag] = []
    for r in rules.rules:
        why: list[str] = []
        if r.all_of is not None:
            got = _check(r.all_of, facts, text)
            if len(got) < _clauses(r.all_of):
                continue
            why += got
        if r.any_of is not None:
            got = _check(r.any_of, facts, text)
            if not got:
                continue
            why += got
        flag = RegFlag(
            id=r.id,
            kind=r.kind,
            title=r.title,
            legal_basis=" ".join(r.legal_basis.split()),
            explanation=" ".join(r.explanation.split()),
            triggered_by=why,
            exclusions=[
                " ".join(rules.exclusions[e].split()) for e in r.exclusions if e in rules.exclusions
            ],
            status_note=" ".join(r.status_note.split()) if r.status_note else None,
            guidance=GUIDANCE,
        )
        (ct if r.kind == "controlled_technology" else inv).append(flag)
    return ct, inv
