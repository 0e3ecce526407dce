"""One pipeline: load → placement → screening → landscape → engine.

The CLI (``detente assess``), the web app and the REST API (``Workflow.assess_text``) all call
:func:`run_assessment` with the same :class:`AssessOptions`, so the same proposal gets the same
assessment — byte for byte — whichever door it comes through.

Placement happens inside the engine (:func:`detente.assessment.engine.assess`, with the optional
area classifier); screening, when it cannot run, is reported as *not checked* with the reason,
never as clean.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

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
        mod = importlib.import_module("detente.screening")
    except ImportError:
        return None, "the screening capability is not installed"
    fn = getattr(mod, "diligence_for", None)
    if fn is None:
        return None, "the screening capability is not available in this version"
    kwargs: dict[str, Any] = {"as_of": options.as_of, "max_age_days": options.max_list_age_days}
    if options.dispositions is not None:
        kwargs["dispositions"] = options.dispositions
    try:
        dd: DueDiligence = fn(proposal, **kwargs)
        from detente.packs.diligence import with_packs

        # research-security rule packs in force on the as-of date, as pack.* flags (issue 13)
        return with_packs(dd, proposal, options.as_of), ""
    except DetenteError as exc:
        return None, f"screening could not run: {exc.message}"


def landscape_section(proposal: Proposal) -> LandscapeSection | None:
    """The co-authorship landscape for the proposal's countries and areas, when available."""
    try:
        from detente import landscape as land
    except ImportError:  # pragma: no cover
        return None
    fn = getattr(land, "section_for", None)
    if fn is None:
        return None
    countries = sorted({p.country for p in proposal.parties})
    areas = [a.id for a in proposal.areas]
    section: LandscapeSection | None = fn(countries, areas)
    return section


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
    diligence, reason = screen(proposal, opts)
    land = landscape_section(proposal) if opts.landscape else None
    a = assess(
        proposal,
        fw,
        diligence=diligence,
        landscape=land,
        analyse_safeguards=opts.analyse_safeguards,
        area_classifier=opts.area_classifier,
    )
    return PipelineResult(proposal, a, reason)
