"""Facts read from a proposal's text: the result an assessment records.

Computed by :mod:`detente.assessment.textfacts` with the polarity reader of
:mod:`detente.assessment.polarity`; recorded in ``Assessment.text_facts`` and
``Assessment.safeguards_not_credited`` and read by the reports.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Polarity(StrEnum):
    affirmed = "affirmed"
    negated = "negated"
    hypothetical = "hypothetical"
    ambiguous = "ambiguous"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Mention(_Out):
    field: Literal["title", "summary", "description"]
    quote: str = Field(description="The sentence the fact was read in.")
    matched: str
    polarity: Polarity
    cue: str | None = Field(None, description="The word(s) that decided the polarity.")


class TextFact(_Out):
    """A fact read from the proposal's text."""

    id: str
    label: str
    target: str = Field(description="The proposal field it maps onto, e.g. 'asset:model_weights'.")
    quote: str = Field(description="The sentence that decided the fact.")
    polarity: Polarity
    declared: bool = Field(description="The proposal's fields already state it.")
    applied: bool = Field(description="Added to the features the rules read.")
    applied_as: list[str] = Field(default_factory=list)
    question: str | None = None
    mentions: list[Mention] = Field(default_factory=list)

    @property
    def status(self) -> str:
        if self.applied:
            return "stated in the text, not declared"
        if self.polarity is Polarity.negated:
            return "ruled out by the text"
        return "question for the reviewer"


class ContradictedSafeguard(_Out):
    """A planned safeguard that facts stated in the text contradict: not credited."""

    safeguard: str
    name: str
    contradicted_by: list[str] = Field(description="Features from the text that contradict it.")
    facts: list[str]
    quotes: list[str]
