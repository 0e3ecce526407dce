"""The landscape section of an assessment: co-authorship between the proposal's countries."""

from __future__ import annotations

from pydantic import BaseModel


class LandscapeRow(BaseModel):
    """Co-authored AI-safety works of one pair of countries, overall (``area`` 'all') or in one area."""

    country_a: str
    country_b: str
    area: str
    coauthored_works: int
    share_of_a_pct: float
    share_of_b_pct: float
    works_a: int
    works_b: int


class LandscapeSection(BaseModel):
    """Co-authorship evidence for the parties of a proposal, ready for a report."""

    title: str
    countries: list[str]
    areas: list[str]
    year_from: int
    year_to: int
    definition: str
    columns: list[str]
    rows: list[LandscapeRow]
    explanation: str
