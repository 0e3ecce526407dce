"""Where a proposal sits in the framework's areas: the placement result an assessment records.

Computed by :mod:`detente.assessment.placement` (declared areas, keywords, declared signals and
an optional classifier); recorded in ``Assessment.placement`` and read by the reports.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Out):
    kind: Literal["keyword", "phrase", "generic", "signal", "classifier"]
    text: str = Field(description="The keyword, the declared field, or the classifier's terms.")
    quote: str | None = Field(None, description="The sentence the keyword was found in.")
    weight: float


class AreaCandidate(_Out):
    area: str
    name: str
    confidence: float = Field(description="Calibrated probability that the area applies (0–1).")
    placed: bool
    evidence: list[Evidence]
    why_not: str | None = Field(None, description="Why a candidate was not placed.")


class OutsideTopic(_Out):
    topic: str
    name: str
    evidence: list[Evidence]
    nearest_area: str
    nearest_applied: bool
    why: str


class Placement(_Out):
    """Where the proposal sits in the framework, and how sure the tool is."""

    status: Literal["declared", "placed", "not_placed", "outside"]
    method: str
    areas: list[str] = Field(description="The areas assessed (declared, or placed by inference).")
    candidates: list[AreaCandidate] = Field(
        default_factory=list, description="Every area with evidence, placed or not, best first."
    )
    outside: list[OutsideTopic] = Field(default_factory=list)
    threshold: float
    message: str

    @property
    def undetermined(self) -> bool:
        return not self.areas
