"""The engine's integration points: a text classifier for areas, and the landscape section."""

from __future__ import annotations

from dataclasses import dataclass, field

from detente.assessment.engine import assess
from detente.assessment.result import Assessment
from detente.framework.model import Framework
from detente.report import render, render_json

from .conftest import proposal


@dataclass
class Guess:
    area: str
    score: float
    evidence: list[str] = field(default_factory=list)


def test_classifier_guesses_place_the_proposal(fw: Framework) -> None:
    p = proposal(
        None,
        title="Something about chips",
        summary="We study location attestation of accelerators.",
    )
    a = assess(
        p,
        fw,
        area_classifier=lambda text: [
            Guess("verification", 0.91, ["attestation"]),
            Guess("nonsense", 0.5),
        ],
    )
    assert [x.id for x in a.areas] == ["verification"]
    assert "text classifier" in a.areas[0].method
    assert "classifier score 0.91: attestation" in a.areas[0].evidence
    assert a.placement is not None and a.placement.status == "placed"


def test_classifier_alone_does_not_place(fw: Framework) -> None:
    """A classifier score with no keyword or declared signal stays a candidate (issue 9)."""
    p = proposal(None, title="A project", summary="We meet twice a year.")
    a = assess(p, fw, area_classifier=lambda text: [Guess("verification", 0.9, ["meet"])])
    assert a.areas == [] and a.placement is not None and a.placement.status == "not_placed"
    assert [c.area for c in a.placement.candidates] == ["verification"]


def test_empty_classifier_falls_back_to_keywords(fw: Framework) -> None:
    p = proposal(
        None, title="A benchmark for honesty", summary="We design a benchmark and evaluations."
    )
    a = assess(p, fw, area_classifier=lambda text: [])
    assert [x.id for x in a.areas] == ["evaluations"]
    assert a.areas[0].method.startswith("inferred from keywords")


def test_declared_areas_ignore_the_classifier(fw: Framework) -> None:
    a = assess(
        proposal("protocols"), fw, area_classifier=lambda text: [Guess("infrastructure", 0.99)]
    )
    assert [x.id for x in a.areas] == ["protocols"] and not a.areas[0].inferred


def test_landscape_section_is_rendered(fw: Framework) -> None:
    from detente.model.landscape import LandscapeRow, LandscapeSection

    row = LandscapeRow(
        country_a="US",
        country_b="CN",
        area="all",
        coauthored_works=12,
        share_of_a_pct=8.1,
        share_of_b_pct=2.5,
        works_a=148,
        works_b=480,
    )
    land = LandscapeSection(
        title="US–CN co-authored AI-safety works",
        countries=["US", "CN"],
        areas=[],
        year_from=2015,
        year_to=2024,
        definition="A work counts when it has an author affiliated in each country.",
        columns=list(LandscapeRow.model_fields),
        rows=[row],
        explanation="From 38,392 records.",
    )
    a = assess(proposal("verification"), fw, landscape=land)
    md = render(a, "md")
    assert "## Collaboration landscape" in md and "| US | CN | all | 12 | 8.1 | 2.5 |" in md
    html = render(a, "html")
    assert "US–CN co-authored AI-safety works" in html and "<td>8.1</td>" in html
    # recorded as the same JSON and read back as the same section
    again = Assessment.model_validate_json(render_json(a))
    assert again.landscape == land and render_json(again) == render_json(a)
