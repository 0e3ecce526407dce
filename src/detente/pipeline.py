"""One pipeline: load → placement → screening → landscape → engine.

The CLI (``detente assess``), the web app and the REST API (``Workflow.assess_text``) all call
:func:`run_assessment` with the same :class:`AssessOptions`, so the same proposal gets the same
assessment — byte for byte — whichever door it comes through.

Placement happens inside the engine (:func:`detente.assessment.engine.assess`, with the optional
area classifier); screening, when it cannot run, is reported as *not checked* with the reason,
never as clean.

The stages besides the engine are enrichers looked up by name in :mod:`detente.registry`
(``screening``, ``landscape``, ``placement``); the assessment records the ones that ran, with
the distribution and version that provided them, in ``providers``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from detente import registry
from detente.assessment.engine import assess
from detente.assessment.loader import parse_proposal
from detente.assessment.result import Assessment
from detente.errors import DetenteError
from detente.framework.loader import get_framework
from detente.framework.model import Framework
from detente.model.diligence import DueDiligence
from detente.model.landscape import LandscapeSection
from detente.model.proposal import Proposal

if TYPE_CHECKING:
    from detente.assessment.infer import AreaClassifier

DEFAULT_MAX_LIST_AGE_DAYS = 90


@dataclass(frozen=True)
class AssessOptions:
    """Everything besides the proposal and the framework that the assessment depends on."""

    as_of: date | None = None
    """Date the due diligence is stated as of (list staleness); default today."""
    max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS
    """List snapshots older than this are flagged stale."""
    screen: bool = True
    """Screen parties and people against the loaded restricted-party lists."""
    landscape: bool = False
    """Add the co-authorship landscape section."""
    dispositions: Any = None
    """Reviewers' dispositions of earlier screening matches (passed to screening when given)."""
    area_classifier: AreaClassifier | None = field(default=None, compare=False)
    """Optional text classifier for placement (keywords otherwise)."""
    infer_areas: str = "keywords"
    """How to place a proposal that declares no area: ``keywords``, or ``classifier`` (the
    ``placement`` enricher, which needs the landscape extra; keywords when no model is trained)."""
    analyse_safeguards: bool = True


@dataclass(frozen=True)
class PipelineResult:
    proposal: Proposal
    assessment: Assessment
    not_checked_reason: str
    """Why screening did not run ('' when it ran; a partial run is in the assessment's flags)."""


def screen(proposal: Proposal, options: AssessOptions) -> tuple[DueDiligence | None, str]:
    """Due diligence for a proposal, or (None, why) when it cannot run: reported as NOT CHECKED."""
    if not options.screen:
        return None, "screening was switched off"
    try:
        return registry.get("enricher", "screening").run(proposal, options), ""
    except DetenteError as exc:
        return None, f"screening could not run: {exc.message}"


def landscape_section(
    proposal: Proposal, options: AssessOptions | None = None
) -> LandscapeSection | None:
    """The co-authorship landscape for the proposal's countries and areas, when available."""
    section: LandscapeSection | None = registry.get("enricher", "landscape").run(
        proposal, options or AssessOptions()
    )
    return section


def area_classifier(options: AssessOptions) -> AreaClassifier | None:
    """The classifier placement uses: the one given, the ``placement`` enricher's or None.

    Raises :class:`~detente.errors.MissingExtraError` when ``infer_areas="classifier"`` and the
    landscape extra is not installed.  Call it once per batch: the model loads once.
    """
    if options.area_classifier is not None or options.infer_areas != "classifier":
        return options.area_classifier
    clf: AreaClassifier | None = registry.get("enricher", "placement").run(None, options)
    return clf


def run_assessment(
    source: str | Proposal,
    framework: Framework | None = None,
    options: AssessOptions | None = None,
    *,
    source_name: str = "proposal.yaml",
) -> PipelineResult:
    """Parse (when given text), screen, add the landscape and assess one proposal."""
    fw = framework or get_framework()
    opts = options or AssessOptions()
    proposal = source if isinstance(source, Proposal) else parse_proposal(source, source_name, fw)
    ran: list[registry.ProviderStamp] = []
    diligence, reason = screen(proposal, opts)
    if diligence is not None:
        ran.append(registry.stamp("enricher", "screening"))
        ran.extend(registry.stamp("pack", name) for name in registry.names("pack"))
    land = None
    if opts.landscape:
        land = landscape_section(proposal, opts)
        ran.append(registry.stamp("enricher", "landscape"))
    classifier = area_classifier(opts)
    if classifier is not None and opts.infer_areas == "classifier":
        ran.append(registry.stamp("enricher", "placement"))
    a = assess(
        proposal,
        fw,
        diligence=diligence,
        landscape=land,
        analyse_safeguards=opts.analyse_safeguards,
        area_classifier=classifier,
    )
    return PipelineResult(proposal, a.model_copy(update={"providers": ran}), reason)
