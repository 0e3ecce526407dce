"""The research-security rule-pack format (validated on load; see docs/packs.md).

A *pack* is one regime (a funder's rule, a statute, a regulation, a guidance document) with dated
*versions*; the version in force on an as-of date is the one an assessment applies.  Each version
holds *clauses*: what the clause needs (person disclosures, project facts, list matches,
co-publications), its condition (a named test with parameters, plus the condition in words), an
optional look-back window, and its outcome on a normalised scale, keeping the regime's own wording.

Honesty rules enforced by :func:`effective_outcome` (not by the data):

* a clause not verified from the primary text never yields ``prohibited`` (capped at
  ``mitigation_required`` and shown as an unverified rule);
* a possible (unconfirmed) list match yields at most ``mitigation_suggested``;
* a version that is not enforced, pending or superseded yields at most ``note``.
"""

from __future__ import annotations

import itertools
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from detente.model.packs import OUTCOME_RANK as OUTCOME_RANK
from detente.model.packs import Outcome as Outcome
from detente.model.packs import Source as Source
from detente.model.packs import Status as Status
from detente.model.packs import Verification as Verification

PACK_SCHEMA_VERSION = "detente.pack/1"


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def cap(outcome: Outcome, ceiling: Outcome) -> Outcome:
    return outcome if outcome.rank <= ceiling.rank else ceiling


class Need(StrEnum):
    person_disclosures = "person_disclosures"
    project_facts = "project_facts"
    list_matches = "list_matches"
    co_publications = "co_publications"


class Clause(_M):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: str = Field(min_length=1)
    needs: list[Need] = Field(min_length=1)
    condition: str = Field(min_length=1, description="The condition in words.")
    check: str = Field(
        description="The named check that evaluates the condition (see packs.checks)."
    )
    params: dict[str, Any] = Field(default_factory=dict)
    window_years: int | None = Field(
        None, ge=1, le=50, description="Look-back window in years (None: no window or not stated)."
    )
    window_verified: bool = Field(
        True, description="False when the look-back window or key date is not verified."
    )
    outcome: Outcome = Field(description="Outcome when the condition holds (before honesty caps).")
    wording: str = Field(min_length=1, description="The regime's own wording of the outcome.")
    otherwise: Outcome = Field(
        Outcome.none, description="Outcome when the condition does not hold."
    )
    source: Source
    effective_from: date | None = Field(
        None, description="The clause applies only from this date (within its version)."
    )

    @property
    def verified(self) -> bool:
        return self.source.verification == Verification.verified


class PackVersion(_M):
    version: str = Field(min_length=1)
    valid_from: date
    valid_to: date | None = Field(None, description="First day no longer in force (exclusive).")
    dates_verified: bool = Field(
        True, description="False when valid_from/valid_to are not verified from the primary text."
    )
    status: Status = Status.in_force
    basis: Source
    summary: str = ""
    clauses: list[Clause] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> PackVersion:
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        ids = [c.id for c in self.clauses]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"clause id {dup[0]!r} appears twice")
        return self

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class AppliesIf(_M):
    """When the pack applies to a proposal (all stated conditions must hold)."""

    funders: list[str] = Field(
        default_factory=list,
        description="Funder ids (any of); empty = any funder. Compared case-insensitively.",
    )
    fundamental: bool | None = Field(
        None, description="True: only fundamental research; None: any."
    )
    party_country: list[str] = Field(
        default_factory=list,
        description="The pack applies to (the view of) a party in one of these countries.",
    )
    transaction: bool = Field(
        False, description="Only when the proposal includes equity or a joint venture."
    )


class Pack(_M):
    schema_version: str = Field(PACK_SCHEMA_VERSION, alias="schema")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: str = Field(min_length=1)
    jurisdiction: str = Field(min_length=2, max_length=2, description="ISO country of the regime.")
    view: str = Field(
        min_length=2,
        max_length=2,
        description="Whose obligation it is: the side (country) whose view shows the outcome.",
    )
    kind: str = Field(description="funder_rule | statute | regulation | guidance")
    applies_if: AppliesIf = Field(default_factory=AppliesIf)
    versions: list[PackVersion] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("schema_version")
    @classmethod
    def _schema(cls, v: str) -> str:
        if v != PACK_SCHEMA_VERSION:
            raise ValueError(f"unsupported pack schema {v!r} (expected {PACK_SCHEMA_VERSION})")
        return v

    @model_validator(mode="after")
    def _order(self) -> Pack:
        vs = [v.version for v in self.versions]
        if len(set(vs)) != len(vs):
            raise ValueError("two versions share a version label")
        enforced = sorted(
            (v for v in self.versions if v.status != Status.pending), key=lambda v: v.valid_from
        )
        for a, b in itertools.pairwise(enforced):
            if a.valid_to is None or a.valid_to > b.valid_from:
                raise ValueError(
                    f"versions {a.version!r} and {b.version!r} overlap: give {a.version!r} a valid_to "
                    f"on or before {b.valid_from}"
                )
        return self

    def version_at(self, day: date) -> PackVersion | None:
        """The version in force (or not enforced, but on the books) on *day*; pending ones excluded."""
        for v in self.versions:
            if v.status != Status.pending and v.in_force_on(day):
                return v
        return None

    def pending_at(self, day: date) -> list[PackVersion]:
        return [v for v in self.versions if v.status == Status.pending and v.in_force_on(day)]


def effective_outcome(
    clause: Clause, raw: Outcome, *, status: Status, confirmed: bool = True
) -> tuple[Outcome, list[str]]:
    """Apply the honesty caps; returns the outcome and the reasons for each cap applied."""
    out = raw
    why: list[str] = []
    if not clause.verified and out.rank > Outcome.mitigation_required.rank:
        out = Outcome.mitigation_required
        why.append("unverified rule: not read in the primary text, so it never yields 'prohibited'")
    if not confirmed and out.rank > Outcome.mitigation_suggested.rank:
        out = Outcome.mitigation_suggested
        why.append("possible (unconfirmed) match: at most 'mitigation suggested' until confirmed")
    if status != Status.in_force and out.rank > Outcome.note.rank:
        out = Outcome.note
        why.append(f"the version is {status.value.replace('_', ' ')}: shown as a note only")
    return out, why
