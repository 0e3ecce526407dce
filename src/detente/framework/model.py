"""The framework, the rule pack and the safeguard catalogue as validated data.

Three versioned files make up what an assessment is computed from:

* the **framework** (areas with sub-topics, the four risks, the four motives
  with their historical cases, and each area's baseline level of every risk
  with its reasoning and the conditions that move it) — framework.md §2, §5, §6;
* the **rule pack** (rules that move levels from a proposal's features, benefit
  rules that say which motive a proposal serves, and verdict rules);
* the **safeguard catalogue** (which safeguard counters which rule and lowers
  which risk).

Each file carries an id, a version and provenance; the loader records a
SHA-256 of each so an assessment can name exactly what produced it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from detente.framework.conditions import Condition, Predicate, compile_condition
from detente.model.proposal import DEFAULT_RIVALRY, Rivalry

LEVELS: tuple[str, ...] = ("low", "moderate", "high")
Level = Literal["low", "moderate", "high"]
VERDICTS: tuple[str, ...] = (
    "suitable",
    "suitable_with_safeguards",
    "needs_senior_review",
    "not_advisable",
)
Verdict = Literal["suitable", "suitable_with_safeguards", "needs_senior_review", "not_advisable"]
ALL_AREAS = "*"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(_Data):
    source: str
    reference: str | None = None
    note: str | None = None


class RiskDef(_Data):
    id: str
    short: str
    name: str
    meaning: str
    symmetric: bool = Field(description="True when the risk is the same from every side (R1).")
    toward_rival: bool = Field(
        False,
        description="True when the risk is one toward a rival (R2–R4): the proposal's features "
        "raise it only when a rival side takes part; with one side it stays at the area's "
        "baseline (Détente's reading of framework.md §5).",
    )
    ref: str


class Case(_Data):
    id: str
    name: str
    when: str
    description: str


class MotiveDef(_Data):
    id: str
    name: str
    description: str
    cases: list[Case]
    ref: str


class Subtopic(_Data):
    id: str
    name: str
    keywords: list[str] = Field(default_factory=list)


class Cell(_Data):
    level: Level
    reasoning: str
    moves_up: str
    moves_down: str | None = None
    ref: str


class AreaDef(_Data):
    id: str
    name: str
    description: str
    ref: str
    paper_conclusion: Literal["well_suited", "not_singled_out"]
    conclusion_ref: str
    keywords: list[str]
    signals: list[str] = Field(
        default_factory=list, description="Flags that place a proposal in this area."
    )
    subtopics: list[Subtopic]
    baseline: dict[str, Cell]


class FrameworkDoc(_Data):
    kind: Literal["framework"]
    id: str
    version: str
    title: str
    provenance: Provenance
    scale: list[Level]
    scale_note: str
    risks: list[RiskDef]
    motives: list[MotiveDef]
    areas: list[AreaDef]
    rivalry: dict[str, Any] | None = Field(
        None,
        description="The default rivalry (sides as sets of countries) for proposals that declare none.",
    )
    rules: str = Field(description="Path of the rule pack, relative to this file.")
    safeguards: str = Field(description="Path of the safeguard catalogue, relative to this file.")

    @model_validator(mode="after")
    def _complete(self) -> FrameworkDoc:
        risk_ids = [r.id for r in self.risks]
        for area in self.areas:
            missing = set(risk_ids) - set(area.baseline)
            extra = set(area.baseline) - set(risk_ids)
            if missing or extra:
                raise ValueError(
                    f"area {area.id!r} baseline must give every risk exactly once "
                    f"(missing {sorted(missing)}, unknown {sorted(extra)})"
                )
        for name, ids in (
            ("risk", risk_ids),
            ("area", [a.id for a in self.areas]),
            ("motive", [m.id for m in self.motives]),
        ):
            if len(ids) != len(set(ids)):
                raise ValueError(f"duplicate {name} id")
        return self


class Effect(_Data):
    op: Literal["raise", "lower", "at_least", "at_most"]
    steps: int = 1
    level: Level | None = None

    @model_validator(mode="after")
    def _shape(self) -> Effect:
        if self.op in ("at_least", "at_most") and self.level is None:
            raise ValueError(f"effect '{self.op}' needs a 'level'")
        if self.op in ("raise", "lower") and not 1 <= self.steps <= 2:
            raise ValueError("'steps' must be 1 or 2")
        return self

    def apply(self, index: int) -> int:
        top = len(LEVELS) - 1
        if self.op == "raise":
            return min(top, index + self.steps)
        if self.op == "lower":
            return max(0, index - self.steps)
        target = LEVELS.index(self.level or "low")
        if self.op == "at_least":
            return max(index, target)
        return min(index, target)

    def compiled(self) -> Callable[[int], int]:
        """The effect as a plain function of the level index (for the engine's hot loop)."""
        table = tuple(self.apply(i) for i in range(len(LEVELS)))
        return table.__getitem__

    def describe(self) -> str:
        if self.op in ("raise", "lower"):
            return f"{self.op} {self.steps} step{'s' if self.steps > 1 else ''}"
        return f"{self.op.replace('_', ' ')} {self.level}"


class _Conditioned(_Data):
    """A data record with a ``when`` condition, compiled once when the record is loaded."""

    _pred: Predicate = PrivateAttr()

    def model_post_init(self, __context: Any) -> None:
        self._pred = compile_condition(getattr(self, "when", None))

    def holds(self, flags: frozenset[str]) -> bool:
        return self._pred(flags)


class Rule(_Conditioned):
    id: str
    title: str
    risk: str
    areas: list[str]
    when: Condition
    effect: Effect
    reason: str
    ref: str

    def applies_to(self, area: str) -> bool:
        return ALL_AREAS in self.areas or area in self.areas


class BenefitRule(_Conditioned):
    id: str
    motive: str
    case: str
    when: Condition
    requires: Condition | None = Field(
        None,
        description="The precedent's own condition (why the historical case worked); the benefit "
        "counts only when it holds.",
    )
    requires_text: str = ""
    reason: str
    ref: str
    _req: Predicate = PrivateAttr()

    def model_post_init(self, __context: Any) -> None:
        super().model_post_init(__context)
        self._req = compile_condition(self.requires)

    def met(self, flags: frozenset[str]) -> bool:
        return self._req(flags)


VerdictBasis = Literal[
    "risk", "benefit", "diligence", "placement", "safeguards", "form", "unstated"
]


class VerdictRule(_Conditioned):
    id: str
    verdict: Verdict
    when: Condition
    reason: str
    ref: str
    basis: VerdictBasis = Field(
        "risk",
        description="What the rule reads: risk, benefit, diligence, placement, safeguards, form, "
        "unstated (facts the proposal does not give).",
    )
    op: Literal["at_least", "at_most", "condition"] = Field(
        "at_least",
        description="at_least: the verdict is at least this bad; at_most: caps the risk-and-benefit "
        "verdict (never due diligence); condition: adds a condition, the level is unchanged.",
    )


class RulePackDoc(_Data):
    kind: Literal["rules"]
    id: str
    version: str
    framework: str = Field(description="Framework id this pack is written for.")
    provenance: Provenance
    combination: str = Field(
        description="How levels of several areas and sides are combined (documented)."
    )
    rules: list[Rule]
    benefits: list[BenefitRule]
    verdict_policy: str = Field(
        "",
        description="The documented decision rule combining residual risk, benefit and diligence.",
    )
    verdicts: list[VerdictRule]

    @model_validator(mode="after")
    def _lowers_before_raises(self) -> RulePackDoc:
        """Rules apply in file order and levels are clamped, so a raise that meets the top of the
        scale and is followed by a lower of the same risk would be lost (the proposal with the raise
        would end where the one without it does). A lower is a change to the starting level (a
        "moves down" condition, dialogue only, open publication): it must come before every raise
        of its risk in the areas both rules apply to."""
        raised: dict[str, list[Rule]] = {}
        for r in self.rules:
            if r.effect.op != "lower":
                raised.setdefault(r.risk, []).append(r)
                continue
            for prior in raised.get(r.risk, []):
                if (
                    ALL_AREAS in prior.areas
                    or ALL_AREAS in r.areas
                    or set(prior.areas) & set(r.areas)
                ):
                    raise ValueError(
                        f"rule {r.id} lowers {r.risk} after rule {prior.id} raises it: move "
                        f"{r.id} before {prior.id} (a raise clamped at the top would be lost)"
                    )
        return self


class Lowering(_Conditioned):
    risk: str
    areas: list[str]
    effect: Effect
    when: Condition | None = None

    def applies_to(self, area: str) -> bool:
        return ALL_AREAS in self.areas or area in self.areas


class Safeguard(_Data):
    id: str
    name: str
    description: str
    counters: list[str] = Field(
        default_factory=list, description="Rule ids whose effect this safeguard cancels."
    )
    lowers: list[Lowering] = Field(default_factory=list)
    mechanism: str = Field(
        "",
        description="How it works: the mechanism through which it reduces the risks it addresses.",
    )
    addresses: list[str] = Field(
        default_factory=list,
        description="The risks it addresses: exactly the risks of the rules it counters and of its "
        "lowerings (checked on load).",
    )
    requires: Condition | None = Field(
        None,
        description="Precondition: where it does not hold (e.g. logged access without any model "
        "access), the safeguard is not credited.",
    )
    requires_text: str = ""
    incompatible_when: Condition | None = Field(
        None,
        description="The proposal's own facts contradict this safeguard (e.g. 'no elicitation exchange' "
        "while a party contributes elicitation techniques): it cannot be planned or recommended.",
    )
    ref: str
    cost: Literal["low", "medium", "high"] = "medium"
    _incompatible: Predicate = PrivateAttr()
    _requires: Predicate = PrivateAttr()

    def model_post_init(self, __context: Any) -> None:
        self._incompatible = (
            compile_condition(self.incompatible_when)
            if self.incompatible_when
            else (lambda f: False)
        )
        self._requires = compile_condition(self.requires)

    def credited_on(self, flags: frozenset[str]) -> bool:
        """Its precondition holds for these features."""
        return self._private("_requires")(flags)

    def contradicted_by(self, flags: frozenset[str]) -> bool:
        return self._private("_incompatible")(flags)

    def _private(self, name: str) -> Predicate:
        # read from the private-attribute slot: ``self._requires`` goes through pydantic's
        # ``__getattr__`` (~1.6 µs a call; these are read for every planned safeguard and side)
        private = self.__pydantic_private__
        assert private is not None  # set by model_post_init
        pred: Predicate = private[name]
        return pred


class Threshold(_Data):
    """A declared number of the proposal turned into a flag that preconditions read: the flag is
    set when the number is given and at or above ``at_least``."""

    flag: str
    field: Literal["research_security.training_compute_flop"]
    at_least: float
    source: str = Field(description="Where the threshold comes from, and why it was chosen.")

    def holds(self, value: float | None) -> bool:
        return value is not None and value >= self.at_least


class CatalogueDoc(_Data):
    kind: Literal["safeguards"]
    id: str
    version: str
    framework: str
    provenance: Provenance
    thresholds: list[Threshold] = []
    safeguards: list[Safeguard]


class VersionStamp(_Data):
    id: str
    version: str
    sha256: str


class Framework(BaseModel):
    """The loaded, cross-checked bundle an assessment is computed from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    doc: FrameworkDoc
    rules: RulePackDoc
    catalogue: CatalogueDoc
    stamps: dict[str, VersionStamp]

    @property
    def id(self) -> str:
        return self.doc.id

    @property
    def version(self) -> str:
        return self.doc.version

    @cached_property
    def rivalry(self) -> Rivalry:
        """The framework's default rivalry (US and treaty allies – PRC unless the file says otherwise)."""
        if self.doc.rivalry is None:
            return DEFAULT_RIVALRY
        return Rivalry.model_validate(self.doc.rivalry)

    @cached_property
    def area_index(self) -> dict[str, AreaDef]:
        return {a.id: a for a in self.doc.areas}

    @cached_property
    def risk_index(self) -> dict[str, RiskDef]:
        return {r.id: r for r in self.doc.risks}

    @cached_property
    def motive_index(self) -> dict[str, MotiveDef]:
        return {m.id: m for m in self.doc.motives}

    @cached_property
    def rule_index(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules.rules}

    @cached_property
    def safeguard_index(self) -> dict[str, Safeguard]:
        return {s.id: s for s in self.catalogue.safeguards}

    @cached_property
    def countered_by(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for s in self.catalogue.safeguards:
            for rid in s.counters:
                out.setdefault(rid, []).append(s.id)
        return out

    def risk_ids(self) -> list[str]:
        return [r.id for r in self.doc.risks]
