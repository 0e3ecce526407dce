"""The research-security packs' result: what an assessment records of the packs in force.

The outcome scale, the pack status and a clause's source are shared by the pack file format
(:mod:`detente.packs.model`) and the result (:class:`PacksReport`, stored in the due diligence
under ``research_security``), so the report and the store read them without importing the packs.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Outcome(StrEnum):
    """The normalised outcome scale, most severe first."""

    prohibited = "prohibited"
    mitigation_required = "mitigation_required"
    mitigation_suggested = "mitigation_suggested"
    note = "note"
    none = "none"

    @property
    def rank(self) -> int:
        return OUTCOME_RANK[self]


OUTCOME_RANK: dict[Outcome, int] = {
    Outcome.none: 0,
    Outcome.note: 1,
    Outcome.mitigation_suggested: 2,
    Outcome.mitigation_required: 3,
    Outcome.prohibited: 4,
}


class Status(StrEnum):
    in_force = "in_force"
    not_enforced = "not_enforced"
    pending = "pending"
    superseded = "superseded"


class Verification(StrEnum):
    """How a clause (or a date) was checked: read in the primary text, second-hand, or not at all."""

    verified = "verified"
    reported = "reported"
    unverified = "unverified"


class Source(_M):
    citation: str = Field(min_length=1, description="The legal or funder text, as cited.")
    url: str | None = Field(None, description="Where the text (or the copy read) can be found.")
    verification: Verification = Field(
        description="verified: read in the primary text; reported: second-hand; unverified: not checked."
    )
    note: str = ""


ClauseState = Literal["holds", "does_not_hold", "cannot_tell", "not_yet_in_effect"]
Applicability = Literal["applies", "not_applicable", "undetermined", "not_in_force"]


class WorkEvidence(_M):
    person: str
    work_id: str
    title: str
    year: int
    venue: str
    coauthor: str
    raw_affiliation: str
    list_id: str
    entry_name: str
    edition: str
    in_force_on_publication: bool | None
    confidence: str
    attribution: str


class ClauseResult(_M):
    id: str
    title: str
    state: ClauseState
    outcome: Outcome
    stated_outcome: Outcome = Field(description="The pack's outcome before the honesty caps")
    wording: str
    condition: str
    needs: list[str]
    verified: bool
    verification: str
    window_years: int | None
    window_verified: bool
    caps: list[str] = []
    evidence: list[str] = []
    missing: list[str] = []
    works: list[WorkEvidence] = []
    source: Source


class PackResult(_M):
    pack_id: str
    title: str
    jurisdiction: str
    view: str
    kind: str
    applicability: Applicability
    reason: str
    version: str | None = None
    status: Status | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    dates_verified: bool | None = None
    basis: Source | None = None
    outcome: Outcome = Outcome.none
    clauses: list[ClauseResult] = []
    pending: list[str] = []

    @property
    def cannot_tell(self) -> list[ClauseResult]:
        return [c for c in self.clauses if c.state == "cannot_tell"]


class PacksReport(_M):
    as_of: date
    packs: list[PackResult]
    lists_loaded: list[str]
    lookback_run: bool
    notes: list[str] = []

    def applicable(self) -> list[PackResult]:
        return [p for p in self.packs if p.applicability == "applies"]

    def flags(self) -> set[str]:
        """Flags for the verdict rules (pack.prohibited, pack.mitigation_required, …)."""
        out: set[str] = set()
        for p in self.applicable():
            for c in p.clauses:
                if c.state == "holds" and c.outcome.rank >= Outcome.mitigation_suggested.rank:
                    out.add(f"pack.{c.outcome.value}")
                if c.state == "cannot_tell":
                    out.add("pack.cannot_tell")
        return out

    def reasons(self) -> list[str]:
        """One line per clause that fired: pack, version, clause, outcome, basis."""
        out = []
        for p in self.applicable():
            for c in p.clauses:
                if c.state == "holds" and c.outcome.rank >= Outcome.mitigation_suggested.rank:
                    out.append(
                        f"{p.title} ({p.version}), {c.title}: {c.outcome.value.replace('_', ' ')} — "
                        f"{c.wording} [{c.source.citation}]"
                    )
        return out
