"""The assessment result: the documented, versioned JSON every report is rendered from.

``schema`` names the version of this shape (``detente.assessment/1``); the
stamps name the framework, rule-pack and catalogue versions (with SHA-256) and
the tool version that produced it, so a stored assessment can be re-rendered
and re-computed exactly.  There are no wall-clock times in it: the same input
and versions give byte-identical JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializationInfo, field_serializer

from detente.framework.model import Level, Verdict
from detente.model.diligence import DueDiligence
from detente.model.landscape import LandscapeSection
from detente.model.placement import Placement
from detente.model.textfacts import ContradictedSafeguard, TextFact
from detente.registry import ProviderStamp

ASSESSMENT_SCHEMA_VERSION = "detente.assessment/1"

DISCLAIMER = (
    "Where this comes from: the four risks and the per-area reasoning are those of a Chinese summary of "
    "Bucknall, Siddiqui et al. (2025), 'In Which Areas of Technical AI Safety Could Geopolitical Rivals "
    "Cooperate?' (arXiv 2504.12914; FAccT 2025), rendered in English in framework.md (§5 risks, §6 "
    "areas); the paper's abstract names three dimensions (advancing dangerous capabilities, sharing "
    "sensitive information, openings for malicious action). References 'framework.md §N' point to that "
    "rendering, not to the paper's own sections. The cell levels, the rules and the verdict policy are "
    "Détente's reading of the reasoning: the summary gives the reasoning but not Figure 2's scale. This "
    "report supports a decision; it is not a legal determination."
)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TraceStep(_Out):
    stage: Literal["rule", "countered", "safeguard"]
    rule: str = Field(description="Rule id, or safeguard id for stage 'safeguard'.")
    title: str
    area: str
    side: str
    risk: str
    before: Level
    after: Level
    effect: str
    fired_on: list[str] = Field(
        description="The proposal features (flags) that made the rule fire."
    )
    reason: str
    ref: str
    countered_by: list[str] = Field(default_factory=list)


class AreaPlacement(_Out):
    id: str
    name: str
    inferred: bool
    method: str
    evidence: list[str]
    subtopics: list[str]
    paper_conclusion: str
    confidence: float | None = Field(
        None, description="Calibrated confidence of an inferred area (None when declared)."
    )


class Cell(_Out):
    baseline: Level
    inherent: Level
    residual: Level


class AreaSideResult(_Out):
    area: str
    side: str
    cells: dict[str, Cell]


class SideView(_Out):
    side: str
    parties: list[str]
    leads: bool
    gives: list[str]
    receives: list[str]
    inherent: dict[str, Level]
    residual: dict[str, Level]
    notes: list[str]


class RiskResult(_Out):
    risk: str
    short: str
    name: str
    baseline: Level
    inherent: Level
    residual: Level
    driven_by: list[str] = Field(description="'area/side' pairs that set the inherent level.")
    reasons: list[str]


class BenefitResult(_Out):
    motive: str
    name: str
    rule: str
    reason: str
    requires: str = Field("", description="The precedent's condition, in words.")
    case: dict[str, str]
    ref: str


class SafeguardResult(_Out):
    id: str
    name: str
    planned: bool
    applicable: bool = Field(
        description="It counters a rule that fired or lowers a level above low."
    )
    counters_fired: list[str]
    lowers: list[str]
    verdict_if_added: Verdict | None = None
    residual_if_added: dict[str, Level] | None = None
    requires_dropping: list[str] = Field(
        default_factory=list,
        description="Features of the current plan this safeguard rules out: adopting it is a change of plan.",
    )
    cost: str
    mechanism: str = ""
    credited: bool = Field(
        True,
        description="Its precondition holds somewhere in the proposal and, if planned, the text "
        "does not contradict it (else not credited: `not_credited_because` says why).",
    )
    not_credited_because: str | None = None

    @property
    def relied_on(self) -> bool:
        """A planned safeguard the levels rely on (a condition of the verdict)."""
        return relied_on(self.planned, self.credited, self.counters_fired, self.lowers)


def relied_on(
    planned: bool, credited: bool, counters_fired: Sequence[str], lowers: Sequence[str]
) -> bool:
    """A planned safeguard the levels rely on: credited, and countering a rule that fired or
    lowering a level; a planned safeguard that changes nothing is no condition."""
    return planned and credited and bool(counters_fired or lowers)


class VerdictReason(_Out):
    rule: str
    verdict: Verdict
    reason: str
    ref: str
    basis: str = "risk"


class VerdictResult(_Out):
    level: Verdict
    label: str
    rank: int
    decisive: list[VerdictReason]
    also: list[VerdictReason]
    conditions: list[str]
    best_reachable: Verdict
    safeguards_to_reach_best: list[str]


class Stamp(_Out):
    id: str
    version: str
    sha256: str


class Assessment(_Out):
    schema_version: str = Field(ASSESSMENT_SCHEMA_VERSION, alias="schema")
    tool_version: str
    framework: Stamp
    rules: Stamp
    safeguards_catalogue: Stamp
    proposal_id: str
    proposal_title: str
    proposal_sha256: str
    statement: str = Field(
        "", description="The benefit–risk statement: one paragraph in plain language, shown first."
    )
    # The proposal as it was assessed, recorded as plain JSON on purpose: it is the input's record
    # (hashed into ``proposal_sha256``) and must load even when a later schema would reject it;
    # ``reproduce`` validates it again as a Proposal.  Free-form by design, not a typed seam.
    proposal: dict[str, Any]
    areas: list[AreaPlacement]
    placement: Placement | None = Field(
        None,
        description="How the areas were determined: declared, placed (with confidence and "
        "evidence), not placed (a reviewer must classify) or outside the paper's areas.",
    )
    text_facts: list[TextFact] = Field(
        default_factory=list,
        description="Facts read from the title, summary and description that the fields do not "
        "declare: applied (stated in the text), ruled out, or raised as questions.",
    )
    safeguards_not_credited: list[ContradictedSafeguard] = Field(
        default_factory=list,
        description="Planned safeguards that facts stated in the text contradict: not credited.",
    )
    sides: list[SideView]
    risks: list[RiskResult]
    cells: list[AreaSideResult]
    trace: list[TraceStep]
    benefits: list[BenefitResult]
    benefits_considered: list[BenefitResult] = Field(
        default_factory=list,
        description="Precedents the proposal resembles whose condition is not met: not counted.",
    )
    safeguards: list[SafeguardResult]
    verdict: VerdictResult
    due_diligence: DueDiligence | None
    due_diligence_flags: list[str]
    landscape: LandscapeSection | None = None
    providers: list[ProviderStamp] = Field(
        default_factory=list,
        description="The registered providers (enrichers, rule-pack sources) that ran, with the "
        "distribution and version that provided them (detente.registry).",
    )
    disclaimer: str = DISCLAIMER

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_serializer("due_diligence")
    def _recorded_diligence(
        self, dd: DueDiligence | None, info: SerializationInfo
    ) -> dict[str, Any] | None:
        # recorded as screening has always written it (field names such as ``schema_``, no
        # ``research_security`` when the packs did not run): stored JSON stays byte-identical
        return dd.recorded(mode=info.mode) if dd is not None else None
