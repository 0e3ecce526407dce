"""The landscape's enrichers: the co-authorship section and classifier placement.

Registered through the ``detente.enrichers`` entry points.  The section reads the landscape
database with DuckDB (a core dependency); placement by the trained classifier needs
scikit-learn and joblib, the ``landscape`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente.registry import Enricher

if TYPE_CHECKING:
    from detente.assessment.infer import AreaClassifier
    from detente.model.landscape import LandscapeSection
    from detente.model.proposal import Proposal


def _section(proposal: Proposal, options: Any) -> LandscapeSection | None:
    from detente.landscape.section import section_for

    countries = sorted({p.country for p in proposal.parties})
    areas = [a.id for a in proposal.areas]
    return section_for(countries, areas)


def _classifier(proposal: Proposal | None, options: Any) -> AreaClassifier | None:
    """The trained area classifier (loaded once per process), or None when none is trained."""
    from detente.landscape.classifier import Classifier
    from detente.landscape.taxonomy import FRAMEWORK_AREAS

    model = Classifier.load()
    if model is None:
        return None

    def classify(text: str) -> Any:
        return model.infer_areas(text, FRAMEWORK_AREAS) if text.strip() else []

    return classify


landscape = Enricher(
    run=_section,
    requires=("duckdb",),
    description="Co-authorship evidence between the parties' countries, overall and per area.",
)
placement = Enricher(
    run=_classifier,
    requires=("sklearn", "joblib"),
    extra="landscape",
    description="Places proposals that declare no area with the trained text classifier "
    "(`detente landscape classifier train`); keywords otherwise.",
)
