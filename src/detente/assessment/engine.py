"""The assessment engine: baseline → rules → safeguards → verdict, every step traced.

For each area the proposal is in and each side of the cooperation, the engine
starts from the area's baseline (framework.md §6) and applies the rule pack in
order; each rule that fires is recorded with its id, the flags that fired it,
its reason and its framework reference.  The planned safeguards then cancel
the rules they counter and apply their own lowerings, which gives the residual
levels.  Levels combine by maximum over areas and then over sides (see the
rule pack's ``combination`` text).  Verdict rules read the residual levels and
the due-diligence flags; the worst verdict that fires wins, and its rules are
the decisive reasons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import gt
from typing import Any

import orjson

from detente._construct import construct_from
from detente._version import __version__
from detente.assessment.features import SideFeatures, side_features
from detente.assessment.infer import AreaClassifier, area_placements
from detente.assessment.loader import check_against_framework, parse_checked
from detente.assessment.placement import UNDETERMINED, place
from detente.assessment.result import (
    AreaSideResult,
    Assessment,
    BenefitResult,
    Cell,
    RiskResult,
    SafeguardResult,
    SideView,
    Stamp,
    TraceStep,
    VerdictReason,
    VerdictResult,
    relied_on,
)
from detente.assessment.statement import benefit_risk_statement
from detente.assessment.textfacts import read_text
from detente.framework.conditions import (
    Condition,
    Predicate,
    compile_condition,
    compile_first,
    compile_select,
    fired_flags,
    flags_used,
    positive_flags,
)
from detente.framework.loader import get_framework
from detente.framework.model import (
    LEVELS,
    VERDICTS,
    BenefitRule,
    Framework,
    Lowering,
    Rule,
    Safeguard,
)
from detente.model.diligence import DueDiligence
from detente.model.landscape import LandscapeSection
from detente.model.proposal import Asset, Proposal

_ASSET_VALUE = {a: a.value for a in Asset}

VERDICT_LABELS = {
    "suitable": "Suitable",
    "suitable_with_safeguards": "Suitable with safeguards",
    "needs_senior_review": "Needs senior review",
    "not_advisable": "Not advisable",
}


@dataclass(frozen=True, slots=True)
class _CRule:
    """A rule flattened for the hot loop (no pydantic attribute access)."""

    rule: Rule
    id: str
    risk: int
    apply: Callable[[int], int]
    effect: str  # the effect described once, for the trace
    positive: tuple[str, ...]  # the flags that can fire it, for the trace (see positive_flags)


@dataclass(frozen=True, slots=True)
class _CLower:
    lowering: Lowering
    risk: int
    apply: Callable[[int], int]
    positive: tuple[str, ...]


_BenefitEntry = tuple[dict[str, Any], BenefitResult]


def _all_of(a: Condition | None, b: Condition | None) -> Condition | None:
    """The condition that both hold (None: always)."""
    return b if a is None else a if b is None else {"all": [a, b]}


@dataclass(frozen=True, slots=True)
class _Compiled:
    risks: tuple[str, ...]
    rules_by_area: dict[str, tuple[_CRule, ...]]
    safeguards: dict[str, Safeguard]
    # per area, per safeguard with a lowering there: the lowerings that hold on a side's flags
    # (generated code, see compile_select)
    lowers_by_area: dict[str, dict[str, Callable[[frozenset[str]], tuple[_CLower, ...]]]]
    baseline: dict[str, tuple[int, ...]]
    verdicts: tuple[tuple[int, str, str, Predicate], ...]  # (rank, op, basis, holds)
    counters: dict[str, frozenset[str]]
    incompatible: dict[str, Predicate | None]
    countered_by: dict[str, tuple[str, ...]]
    # the benefit rules whose condition (``when``) holds on the flags, as (result as data for the
    # statement, the same as a frozen model for the Assessment), in rule order: those whose
    # ``requires`` holds too (served) and those where it does not (considered)
    benefits_met: Callable[[frozenset[str]], tuple[_BenefitEntry, ...]]
    benefits_unmet: Callable[[frozenset[str]], tuple[_BenefitEntry, ...]]
    verdict_vocab: frozenset[str]  # the flags verdict rules read
    stamps: tuple[Stamp, Stamp, Stamp]  # framework, rules, safeguards: static, built once
    # per safeguard: (mechanism, why not credited when planned): static texts of its result
    sg_texts: dict[str, tuple[str, str]]
    baseline_reasons: dict[str, tuple[str, ...]]  # per area, per risk: the baseline's reason
    verdict_ids_unique: bool  # then two verdict rules are equal only if they are the same object
    # the verdict rules' reasons as frozen result models (static), in rule order
    verdict_reasons: tuple[VerdictReason, ...]
    # every (baseline, inherent, residual) cell of the result, indexed by the three levels
    cell_results: tuple[tuple[tuple[Cell, ...], ...], ...]
    # Conditions as generated code (one function each, see compile_select, compile_first): per
    # area the rules that fire on a side's flags (rules_by_area order); the safeguards credited
    # on them (catalogue order); the verdict rank of each group of levelled verdict rules (the
    # first that holds, the most decisive first: at_least, the at_most cap, due diligence's
    # at_least); the indices of the verdict rules that fire.
    fired_in: dict[str, Callable[[frozenset[str]], tuple[_CRule, ...]]]
    credited_on: Callable[[frozenset[str]], tuple[str, ...]]
    rank_at_least: Callable[[frozenset[str]], int]
    rank_at_most: Callable[[frozenset[str]], int]
    rank_at_least_dd: Callable[[frozenset[str]], int]
    verdicts_fired: Callable[[frozenset[str]], tuple[int, ...]]


_COMPILED: dict[int, tuple[Framework, _Compiled]] = {}


def _compile(fw: Framework) -> _Compiled:
    hit = _COMPILED.get(id(fw))
    if hit is not None and hit[0] is fw:
        return hit[1]
    compiled = _compile_uncached(fw)
    if len(_COMPILED) > 16:
        _COMPILED.clear()
    _COMPILED[id(fw)] = (fw, compiled)
    return compiled


def _compile_uncached(fw: Framework) -> _Compiled:
    risks = tuple(fw.risk_ids())
    pos = {r: i for i, r in enumerate(risks)}
    areas = [a.id for a in fw.doc.areas]
    # risks toward a rival (R2–R4): with one side only, no feature raises them (framework.yaml)
    toward_rival = {r.id for r in fw.doc.risks if r.toward_rival}

    def when(r: Rule) -> Condition | None:
        """When ``r`` fires: its condition; a rule raising a risk toward a rival only when a
        rival side takes part."""
        if r.effect.op in ("raise", "at_least") and r.risk in toward_rival:
            return "sides.multiple" if r.when is None else {"all": ["sides.multiple", r.when]}
        return r.when

    rules_by_area = {
        a: tuple(
            _CRule(
                r,
                r.id,
                pos[r.risk],
                r.effect.compiled(),
                r.effect.describe(),
                positive_flags(r.when),
            )
            for r in fw.rules.rules
            if r.applies_to(a)
        )
        for a in areas
    }
    # per area, the safeguards with a lowering there (catalogue order; the others lower nothing)
    lowers_by_area = {
        a: {
            s.id: compile_select([(cl, cl.lowering.when) for cl in lws])
            for s in fw.catalogue.safeguards
            for lws in (
                tuple(
                    _CLower(lw, pos[lw.risk], lw.effect.compiled(), positive_flags(lw.when))
                    for lw in s.lowers
                    if lw.applies_to(a)
                ),
            )
            if lws
        }
        for a in areas
    }
    baseline = {a.id: tuple(LEVELS.index(a.baseline[r].level) for r in risks) for a in fw.doc.areas}
    verdicts = tuple(
        (VERDICTS.index(v.verdict), v.op, v.basis, compile_condition(v.when))
        for v in fw.rules.verdicts
    )
    counters = {s.id: frozenset(s.counters) for s in fw.catalogue.safeguards}
    incompatible = {
        s.id: compile_condition(s.incompatible_when) if s.incompatible_when is not None else None
        for s in fw.catalogue.safeguards
    }
    benefits = [
        ((result, BenefitResult.model_validate(result, strict=True)), b.when, b.requires)
        for b in fw.rules.benefits
        for result in (_benefit_result(fw, b),)
    ]
    # the levelled verdict rules in the decision rule's groups, the most decisive first
    v_at_most = sorted(
        ((VERDICTS.index(v.verdict), v.when) for v in fw.rules.verdicts if v.op == "at_most"),
        key=lambda x: x[0],
    )
    v_at_least_dd = sorted(
        (
            (VERDICTS.index(v.verdict), v.when)
            for v in fw.rules.verdicts
            if v.op == "at_least" and v.basis == "diligence"
        ),
        key=lambda x: -x[0],
    )
    v_at_least = sorted(
        (
            (VERDICTS.index(v.verdict), v.when)
            for v in fw.rules.verdicts
            if v.op == "at_least" and v.basis != "diligence"
        ),
        key=lambda x: -x[0],
    )
    verdict_vocab = frozenset().union(*(flags_used(v.when) for v in fw.rules.verdicts))
    return _Compiled(
        risks,
        rules_by_area,
        fw.safeguard_index,
        lowers_by_area,
        baseline,
        verdicts,
        counters,
        incompatible,
        {rid: tuple(sids) for rid, sids in fw.countered_by.items()},
        compile_select([(e, _all_of(when, req)) for e, when, req in benefits]),
        compile_select(
            [(e, _all_of(when, {"not": req})) for e, when, req in benefits if req is not None]
        ),
        verdict_vocab,
        (
            Stamp.model_validate(fw.stamps["framework"].model_dump()),
            Stamp.model_validate(fw.stamps["rules"].model_dump()),
            Stamp.model_validate(fw.stamps["safeguards"].model_dump()),
        ),
        {
            s.id: (
                s.mechanism.strip(),
                f"it needs a condition that does not hold here ({s.requires_text or 'see the catalogue'})",
            )
            for s in fw.catalogue.safeguards
        },
        {
            a.id: tuple(
                f"{a.name} baseline {a.baseline[r].level} ({a.baseline[r].ref}): "
                f"{a.baseline[r].reasoning}"
                for r in risks
            )
            for a in fw.doc.areas
        },
        len({v.id for v in fw.rules.verdicts}) == len(fw.rules.verdicts),
        tuple(
            VerdictReason.model_validate(
                dict(
                    rule=v.id,
                    verdict=v.verdict,
                    reason=v.reason.strip(),
                    ref=v.ref,
                    basis=v.basis,
                ),
                strict=True,
            )
            for v in fw.rules.verdicts
        ),
        tuple(
            tuple(
                tuple(
                    Cell.model_validate(
                        dict(baseline=LEVELS[b], inherent=LEVELS[i], residual=LEVELS[r]),
                        strict=True,
                    )
                    for r in range(len(LEVELS))
                )
                for i in range(len(LEVELS))
            )
            for b in range(len(LEVELS))
        ),
        {
            a: compile_select([(cr, when(cr.rule)) for cr in rules])
            for a, rules in rules_by_area.items()
        },
        compile_select([(s.id, s.requires) for s in fw.catalogue.safeguards]),
        compile_first([(r, w) for r, w in v_at_least if r > 0], 0),
        compile_first(v_at_most, len(VERDICTS) - 1),
        compile_first([(r, w) for r, w in v_at_least_dd if r > 0], 0),
        compile_select([(i, v.when) for i, v in enumerate(fw.rules.verdicts)]),
    )


def _traced_cell(
    c: _Compiled,
    cell: _Cell,
    side: SideFeatures,
    countered: frozenset[str],
    planned: Sequence[str],
    trace: list[dict[str, Any]],
    *,
    record_rules: bool,
) -> list[int]:
    """Levels of one (area, side) cell, appending every step to ``trace``."""
    area = cell.key[0]
    flags = side.flags
    levels = list(cell.baseline)
    countered = countered & cell.counterable
    for cr in cell.fired:
        before = levels[cr.risk]
        if cr.id in countered:
            by = [sid for sid in planned if cr.id in c.counters[sid] and sid in cell.credited]
            trace.append(_step("countered", cr, area, side, before, before, flags, by))
            continue
        after = cr.apply(before)
        levels[cr.risk] = after
        if record_rules:
            trace.append(_step("rule", cr, area, side, before, after, flags, []))
    for sid in planned:
        for cl in cell.lowers.get(sid, ()):
            before = levels[cl.risk]
            after = cl.apply(before)
            levels[cl.risk] = after
            sg = c.safeguards[sid]
            low = cl.lowering
            trace.append(
                dict(
                    stage="safeguard",
                    rule=sid,
                    title=sg.name,
                    area=area,
                    side=side.side,
                    risk=low.risk,
                    before=LEVELS[before],
                    after=LEVELS[after],
                    effect=low.effect.describe(),
                    fired_on=[f for f in cl.positive if f in flags] or [f"safeguard.{sid}"],
                    reason=sg.description.strip(),
                    ref=sg.ref,
                    countered_by=[],
                )
            )
    return levels


def _step(
    stage: str,
    cr: _CRule,
    area: str,
    side: SideFeatures,
    before: int,
    after: int,
    flags: frozenset[str],
    countered_by: list[str],
) -> dict[str, Any]:
    rule = cr.rule
    return dict(
        stage=stage,
        rule=cr.id,
        title=rule.title,
        area=area,
        side=side.side,
        risk=rule.risk,
        before=LEVELS[before],
        after=LEVELS[after],
        effect=cr.effect,
        fired_on=[f for f in cr.positive if f in flags],
        reason=rule.reason,
        ref=rule.ref,
        countered_by=countered_by,
    )


def _cell_counters(c: _Compiled, cell: _Cell, planned: Iterable[str]) -> frozenset[str]:
    """Rules cancelled in one cell: only by the planned safeguards credited there."""
    out: set[str] = set()
    for sid in planned:
        if sid in cell.credited:
            out |= c.counters[sid]
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class _Levels:
    """Residual (or inherent) levels: per (area, side) and combined per risk."""

    by_cell: dict[tuple[str, str], list[int]]
    combined: list[int]


def _traced_levels(
    c: _Compiled,
    cells: Sequence[_Cell],
    sides: dict[str, SideFeatures],
    planned: Sequence[str],
    trace: list[dict[str, Any]],
    *,
    record_rules: bool = True,
    unplanned: _Levels | None = None,
) -> _Levels:
    """``unplanned``: the levels without safeguards (the inherent run, which recorded the rules),
    reused for the cells where no planned safeguard is credited: nothing is countered or lowered
    there, so no step is added and the levels are the same."""
    by_cell: dict[tuple[str, str], list[int]] = {}
    for cell in cells:
        if unplanned is not None and not record_rules and cell.credited.isdisjoint(planned):
            by_cell[cell.key] = list(unplanned.by_cell[cell.key])
            continue
        by_cell[cell.key] = _traced_cell(
            c,
            cell,
            sides[cell.key[1]],
            _cell_counters(c, cell, planned),
            planned,
            trace,
            record_rules=record_rules,
        )
    return _combine(by_cell, len(c.risks))


@dataclass(frozen=True, slots=True)
class _Cell:
    """What fired for one (area, side), evaluated once and reused by every what-if run."""

    key: tuple[str, str]
    baseline: tuple[int, ...]
    fired: tuple[_CRule, ...]
    lowers: dict[str, tuple[_CLower, ...]]  # credited safeguards only
    credited: frozenset[str]  # safeguards whose precondition holds in this cell
    counterable: frozenset[str]  # rules the credited safeguards can cancel


def _prepare(
    c: _Compiled, areas: Sequence[str], sides: Sequence[SideFeatures]
) -> tuple[_Cell, ...]:
    cells = []
    # which safeguards are credited depends on the side's flags only, not on the area
    per_side: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for side in sides:
        flags = side.flags
        credited = frozenset(c.credited_on(flags))
        per_side[side.side] = (
            credited,
            frozenset().union(*[c.counters[sid] for sid in credited]),
        )
    for area in areas:
        fired_in = c.fired_in[area]
        area_lowers = c.lowers_by_area[area]
        for side in sides:
            flags = side.flags
            fired = fired_in(flags)
            credited, counterable = per_side[side.side]
            lowers: dict[str, tuple[_CLower, ...]] = {}
            if area_lowers:
                for sid, holding in area_lowers.items():
                    if sid in credited:
                        held = holding(flags)
                        if held:
                            lowers[sid] = held
            cells.append(
                _Cell(
                    (area, side.side),
                    c.baseline[area],
                    fired,
                    lowers,
                    credited,
                    counterable,
                )
            )
    return tuple(cells)


def _cell_levels(c: _Compiled, cell: _Cell, planned: Sequence[str]) -> list[int]:
    levels = list(cell.baseline)
    if cell.counterable and planned:
        # the rules cancelled here: by the planned safeguards credited in this cell
        countered: set[str] = set()
        credited = cell.credited
        for sid in planned:
            if sid in credited:
                countered |= c.counters[sid]
        for cr in cell.fired:
            if cr.id not in countered:
                levels[cr.risk] = cr.apply(levels[cr.risk])
    else:  # nothing can be countered here
        for cr in cell.fired:
            levels[cr.risk] = cr.apply(levels[cr.risk])
    if cell.lowers:
        lowers = cell.lowers
        for sid in planned:
            for cl in lowers.get(sid, ()):
                levels[cl.risk] = cl.apply(levels[cl.risk])
    return levels


def _combine(by_cell: dict[tuple[str, str], list[int]], n: int) -> _Levels:
    combined = [0] * n
    for levels in by_cell.values():
        for i, x in enumerate(levels):
            if x > combined[i]:
                combined[i] = x
    return _Levels(by_cell, combined)


def _verdict_flags(
    residual: _Levels,
    inherent: _Levels,
    context: frozenset[str],
) -> frozenset[str]:
    """The flags verdict rules read: residual tiers plus the fixed context (proposal features,
    due-diligence, benefit and placement flags).  When no area was determined no level exists to
    read, so placement alone sets no residual flag."""
    f: set[str] = set(context)
    if "areas.undetermined" in f:
        return frozenset(f)
    comb = residual.combined
    highs = comb.count(2)
    if highs >= 2:
        f.add("residual.two_or_more_high")
    if highs:
        f.add("residual.any_high")
    if 1 in comb:
        f.add("residual.any_moderate")
    if not any(comb):
        f.add("residual.all_low")
    if any(map(gt, inherent.combined, comb)):
        f.add("inherent.above_residual")
    return frozenset(f)


def _verdict_rank(c: _Compiled, flags: frozenset[str]) -> int:
    """The decision rule: the worst `at_least` verdict over risk, benefit, safeguards and form,
    capped by any `at_most` rule, then never better than the worst due-diligence verdict."""
    return max(min(c.rank_at_least(flags), c.rank_at_most(flags)), c.rank_at_least_dd(flags))


def _proposal_digest(data: dict[str, Any]) -> str:
    canonical: bytes = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def threshold_flags(p: Proposal, fw: Framework) -> frozenset[str]:
    """The flags of the catalogue's ``thresholds`` that the proposal's declared numbers reach
    (``compute.frontier_scale``: declared training compute at or above the frontier-scale
    threshold; nothing when the number is not given)."""
    rs = p.research_security
    flop = rs.training_compute_flop if rs is not None else None
    return frozenset(
        t.flag
        for t in fw.catalogue.thresholds
        if t.field == "research_security.training_compute_flop" and t.holds(flop)
    )


def assess(
    proposal: Proposal,
    framework: Framework | None = None,
    *,
    diligence: DueDiligence | None = None,
    diligence_flags: Iterable[str] | None = None,
    landscape: LandscapeSection | None = None,
    analyse_safeguards: bool = True,
    area_classifier: AreaClassifier | None = None,
) -> Assessment:
    """Assess one proposal. Pure and deterministic: same input and versions, same output.

    The verdict rules read ``diligence_flags`` when given (a stored assessment's recorded flags),
    else the flags of ``diligence``; with neither, due diligence counts as not checked.
    """
    fw = framework or get_framework()
    key = proposal.key  # a slug of the title when no id is given: computed once
    # parse_proposal already checked this instance against this framework: that is not done
    # twice; any other proposal is checked here.  The side features are computed below only when
    # the check did not need them and the text changes nothing (else the text-amended
    # proposal's are the ones read).
    base_sides = (
        None
        if parse_checked(proposal, fw)
        else check_against_framework(proposal, fw, f"proposal {key!r}", {})
    )
    c = _compile(fw)
    # facts the text states (applied to the features the rules read) and safeguards it contradicts
    reading = read_text(proposal, fw)
    planned = list(reading.planned)
    if reading.contradicted:
        base_sides = side_features(reading.effective, frozenset(planned), rivalry=fw.rivalry)
    elif reading.sides is not None:
        base_sides = list(reading.sides)
    elif base_sides is None:
        base_sides = side_features(proposal, rivalry=fw.rivalry)
    placement = place(
        proposal, fw, base_sides[0].flags if base_sides else frozenset(), area_classifier
    )
    placements = area_placements(proposal, fw, placement)
    undetermined: frozenset[str] = frozenset()
    if placement.undetermined:
        undetermined = frozenset(
            ("areas.undetermined", "areas.outside")
            if placement.status == "outside"
            else ("areas.undetermined",)
        )
    area_ids = [p.id for p in placements]
    extra = frozenset(f"area.{a}" for a in area_ids) | threshold_flags(proposal, fw)
    sides = [SideFeatures(s.side, s.parties, s.flags | extra) for s in base_sides]

    trace: list[dict[str, Any]] = []
    cells = _prepare(c, area_ids, sides)
    by_side = {s.side: s for s in sides}
    inherent = _traced_levels(c, cells, by_side, (), trace)
    residual = _traced_levels(
        c, cells, by_side, planned, trace, record_rules=False, unplanned=inherent
    )
    if diligence_flags is not None:
        dd_flags = sorted(set(diligence_flags))
    else:
        dd_flags = sorted(diligence.flags()) if diligence is not None else ["dd.not_checked"]
    union: frozenset[str] = frozenset().union(*(s.flags for s in sides)) if sides else extra
    met, unmet = _benefits(c, union)
    benefits = [b[0] for b in met]
    motives = {b["motive"] for b in benefits}
    benefit_flag = (
        "benefit.strong" if len(motives) >= 2 else "benefit.some" if motives else "benefit.none"
    )
    context = union | set(dd_flags) | {benefit_flag}
    context |= undetermined
    context &= c.verdict_vocab
    vflags = _verdict_flags(residual, inherent, context)
    rank = _verdict_rank(c, vflags)  # the verdict with the planned safeguards

    risks = _risk_results(fw, c, area_ids, sides, inherent, residual, trace)
    fired_rule_ids = {t["rule"] for t in trace if t["stage"] == "rule"}
    safeguards, best_rank, best_set = _safeguard_analysis(
        fw,
        c,
        sides,
        cells,
        planned,
        inherent,
        residual,
        context,
        fired_rule_ids,
        analyse_safeguards,
        rank,
        {
            sg.safeguard: f"the text contradicts it ({', '.join(sg.contradicted_by)}; "
            f"“{sg.quotes[0] if sg.quotes else ''}”)"
            for sg in reading.contradicted
        },
    )
    relied = [
        s["id"]
        for s in safeguards
        if relied_on(s["planned"], s["credited"], s["counters_fired"], s["lowers"])
    ]
    verdict = _verdict(fw, vflags, rank, inherent, residual, dd_flags, best_rank, best_set, relied)
    if undetermined:
        verdict["conditions"].insert(
            0,
            f"{UNDETERMINED[0].upper()}{UNDETERMINED[1:]}: {placement.message} Declare the "
            "proposal's `areas` and assess again; no area was assessed by inference.",
        )
    for sg in reading.contradicted:
        verdict["conditions"].append(
            f"The planned safeguard {sg.safeguard} is not credited: the text contradicts it "
            f"({', '.join(sg.contradicted_by)}; “{sg.quotes[0] if sg.quotes else ''}”)."
        )
    # a question the text raises (a fact stated ambiguously, conditionally or against the fields)
    # is the reviewer's to answer: the verdict assumes no answer (neither the worst nor the best)
    questions = [f for f in reading.facts if f.question]
    for f in questions:
        verdict["conditions"].append(
            f"Answer before deciding (the verdict assumes no answer): "
            f"{f.question} (the text: “{f.quote}”)"
        )
    statement = benefit_risk_statement(
        proposal,
        fw,
        placements,
        sides,
        risks,
        benefits,
        verdict,
        safeguards,
        dd_flags,
        outside=placement.status == "outside",
        questions=len(questions),
        contradicted=[sg.safeguard for sg in reading.contradicted],
    )
    # the proposal as given (fields never given are left out, so that validating the record again,
    # as `reproduce` does, reads the same "not stated" facts: a default is not an answer)
    proposal_data = proposal.model_dump(mode="json", by_alias=True, exclude_unset=True)
    # One validation of plain data (fast, in pydantic-core) instead of one per nested object; the
    # records the engine builds field by field (trace steps, risk, side, safeguard and verdict
    # results) are set up as they are (detente._construct), the frozen ones built with the
    # framework are passed as they are.
    return Assessment.model_validate(
        dict(
            tool_version=__version__,
            framework=c.stamps[0],  # frozen models built with the framework: passed as they are
            rules=c.stamps[1],
            safeguards_catalogue=c.stamps[2],
            proposal_id=key,
            proposal_title=proposal.title,
            proposal_sha256=_proposal_digest(proposal_data),
            statement=statement,
            proposal=proposal_data,
            areas=placements,
            placement=placement,
            text_facts=list(reading.facts),
            safeguards_not_credited=list(reading.contradicted),
            sides=[
                construct_from(SideView, x)
                for x in _side_views(proposal, fw, c, sides, inherent, residual)
            ],
            risks=[construct_from(RiskResult, x) for x in risks],
            cells=[
                construct_from(
                    AreaSideResult,
                    dict(
                        area=a,
                        side=s.side,
                        cells={
                            r: c.cell_results[b][i][x]  # frozen, built with the framework
                            for r, b, i, x in zip(
                                c.risks,
                                c.baseline[a],
                                inherent.by_cell[(a, s.side)],
                                residual.by_cell[(a, s.side)],
                                strict=True,
                            )
                        },
                    ),
                )
                for a in area_ids
                for s in sides
            ],
            trace=[construct_from(TraceStep, t) for t in trace],
            benefits=[b[1] for b in met],
            benefits_considered=[b[1] for b in unmet],
            safeguards=[construct_from(SafeguardResult, x) for x in safeguards],
            verdict=construct_from(VerdictResult, verdict),
            due_diligence=diligence,
            due_diligence_flags=dd_flags,
            landscape=landscape,
        ),
        strict=True,  # the engine's own data: no coercion needed, and strict is faster
    )


def _risk_results(
    fw: Framework,
    c: _Compiled,
    areas: Sequence[str],
    sides: Sequence[SideFeatures],
    inherent: _Levels,
    residual: _Levels,
    trace: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    changes: dict[str, list[str]] = {rid: [] for rid in c.risks}
    for t in trace:
        if t["stage"] == "rule" and t["before"] != t["after"]:
            changes[t["risk"]].append(
                f"{t['rule']} [{t['area']}, side {t['side']}] {t['before']} → {t['after']}: "
                f"{t['reason']}"
            )
    out: list[dict[str, Any]] = []
    if not areas:
        return out  # no area assessed: no level to report (the placement says why)
    # the cells in area, side order, with their "area/side" label
    cells = [(f"{a}/{s.side}", inherent.by_cell[(a, s.side)]) for a in areas for s in sides]
    for i, rid in enumerate(c.risks):
        risk = fw.risk_index[rid]
        base = max([c.baseline[a][i] for a in areas])
        top = inherent.combined[i]
        drivers = [label for label, row in cells if row[i] == top]
        reasons = [c.baseline_reasons[a][i] for a in areas if c.baseline[a][i] == base]
        reasons.extend(changes[rid])
        out.append(
            dict(
                risk=rid,
                short=risk.short,
                name=risk.name,
                baseline=LEVELS[base],
                inherent=LEVELS[inherent.combined[i]],
                residual=LEVELS[residual.combined[i]],
                driven_by=drivers,
                reasons=list(dict.fromkeys(reasons)),
            )
        )
    return out


_LEADS = "Leads in the relevant capability: R2 is this side's concern (framework.md §5 R2)."
_TRAILS = (
    "Trails in the relevant capability: the other side bears the R2 concern (framework.md §5 R2)."
)
_NO_LEAD = (
    "No side is declared to lead, so neither the leader's nor the follower's rule moves R2 "
    "(framework.md §5 R2); the other rules still apply."
)
#: an asset in the side view's "Gives" note
_ASSET_WORDS = {a: a.value.replace("_", " ") for a in Asset}


def _side_views(
    p: Proposal,
    fw: Framework,
    c: _Compiled,
    sides: Sequence[SideFeatures],
    inherent: _Levels,
    residual: _Levels,
) -> list[dict[str, Any]]:
    lead = p.lead_side(fw.rivalry)
    party = {x.key: x for x in p.parties}
    # per side, its cells' levels (one row per area)
    own_inh: dict[str, list[list[int]]] = {}
    own_res: dict[str, list[list[int]]] = {}
    for (_area, side), lv in inherent.by_cell.items():
        own_inh.setdefault(side, []).append(lv)
    for (_area, side), lv in residual.by_cell.items():
        own_res.setdefault(side, []).append(lv)
    out = []
    for s in sides:
        given: set[Asset] = set()
        received: set[Asset] = set()
        for key in s.parties:  # the side's parties, in the proposal's order
            given.update(party[key].contributes)
            received.update(party[key].receives)
        # StrEnum members sort as their values; the values come from a table (no enum .value)
        gives_sorted = sorted(given)
        gives = [_ASSET_VALUE[a] for a in gives_sorted]
        receives = [_ASSET_VALUE[a] for a in sorted(received)]
        notes = [_LEADS if lead == s.side else _TRAILS if lead is not None else _NO_LEAD]
        if gives:
            notes.append(
                "Gives: "
                + ", ".join([_ASSET_WORDS[a] for a in gives_sorted])
                + " (R3 exposure is read from this)."
            )
        out.append(
            dict(
                side=s.side,
                parties=list(s.parties),
                leads=lead == s.side,
                gives=gives,
                receives=receives,
                inherent=_side_levels(c, own_inh.get(s.side)),
                residual=_side_levels(c, own_res.get(s.side)),
                notes=notes,
            )
        )
    return out


def _side_levels(c: _Compiled, rows: list[list[int]] | None) -> dict[str, str]:
    """Per risk, the highest level over a side's cells ({} when the side has none)."""
    if not rows:
        return {}
    top = rows[0] if len(rows) == 1 else list(map(max, *rows))
    return {r: LEVELS[top[i]] for i, r in enumerate(c.risks)}


def _benefit_result(fw: Framework, b: BenefitRule) -> dict[str, Any]:
    """A benefit rule's result is static: built once when the framework is compiled."""
    motive = fw.motive_index[b.motive]
    case = next(x for x in motive.cases if x.id == b.case)
    return dict(
        motive=motive.id,
        name=motive.name,
        rule=b.id,
        reason=b.reason,
        requires=b.requires_text,
        case={
            "id": case.id,
            "name": case.name,
            "when": case.when,
            "description": case.description.strip(),
        },
        ref=b.ref,
    )


def _benefits(
    c: _Compiled, flags: frozenset[str]
) -> tuple[tuple[_BenefitEntry, ...], tuple[_BenefitEntry, ...]]:
    """(benefits served, precedents considered whose condition is not met)."""
    return c.benefits_met(flags), c.benefits_unmet(flags)


def _score(rank: int, combined: list[int]) -> tuple[int, int, int]:
    return (rank, combined.count(2), sum(combined))


def _safeguard_analysis(
    fw: Framework,
    c: _Compiled,
    sides: Sequence[SideFeatures],
    cells: Sequence[_Cell],
    planned: Sequence[str],
    inherent: _Levels,
    residual: _Levels,
    context: frozenset[str],
    fired: set[str],
    analyse: bool,
    planned_rank: int,
    contradicted: Mapping[str, str] | None = None,
) -> tuple[list[dict[str, Any]], int, list[str]]:
    """The safeguards table, the best verdict reachable and the safeguards that reach it.

    ``contradicted``: planned safeguards the text contradicts (removed from ``planned``, so the
    levels do not credit them), with why.  Each is listed as planned and not credited, with the
    reason; it is still weighed as a change of plan (``requires_dropping``, ``verdict_if_added``:
    the verdict if the plan is changed so that it holds)."""
    contradicted = contradicted or {}
    # The verdict depends on the levels only through the combined levels (the context is fixed
    # within this assessment), and on those only through the residual flags: memoise on them.
    memo: dict[tuple[bool, ...], int] = {}
    inh = inherent.combined

    def residual_key(comb: list[int]) -> tuple[bool, ...]:
        """The verdict reads the levels only through _verdict_flags' five residual flags."""
        highs = comb.count(2)
        return (highs >= 2, highs > 0, 1 in comb, not any(comb), any(map(gt, inh, comb)))

    # A candidate safeguard only changes the cells where it counters a fired rule or lowers a
    # level: re-compute those, reuse the planned levels for the rest.
    base = residual  # the planned levels (computed by the traced run with the same cells)
    # One pass over the cells: per credited safeguard, the cells it can change (it counters a
    # rule that fired there, or lowers a level there; a candidate re-computes only those) and
    # the fired rules it counters.
    touched: dict[str, set[int]] = {}
    counters_here: dict[str, set[str]] = {}
    credited_anywhere: set[str] = set()
    for i, cell in enumerate(cells):
        credited_anywhere |= cell.credited
        for sid in cell.lowers:
            touched.setdefault(sid, set()).add(i)
        if not cell.counterable:
            continue  # no credited safeguard counters anything here
        for cr in cell.fired:
            for sid in c.countered_by.get(cr.id, ()):
                if sid in cell.credited:
                    touched.setdefault(sid, set()).add(i)
                    counters_here.setdefault(sid, set()).add(cr.id)
    no_cells: set[int] = set()
    n_planned = len(planned)

    base_rows = [base.by_cell[cell.key] for cell in cells]

    def evaluate(chosen: Sequence[str]) -> tuple[int, list[int]]:
        """The verdict rank and the combined levels with ``chosen`` (only these are read)."""
        if len(chosen) == n_planned + 1:
            idx = touched.get(chosen[-1], no_cells)
        else:
            idx = set().union(*(touched.get(sid, no_cells) for sid in chosen[n_planned:]))
        if not idx:
            comb = base.combined
        elif len(cells) == 1:  # idx is {0}
            comb = _cell_levels(c, cells[0], chosen)
        else:
            rows = [
                _cell_levels(c, cell, chosen) if i in idx else base_rows[i]
                for i, cell in enumerate(cells)
            ]
            # the maximum per risk over the cells (levels are never below 0)
            comb = list(map(max, *rows)) if len(rows) > 1 else rows[0]
        key = residual_key(comb)
        rank = memo.get(key)
        if rank is None:
            rank = _verdict_rank(c, _verdict_flags(_Levels({}, comb), inherent, context))
            memo[key] = rank
        return rank, comb

    # with the planned safeguards: the verdict's own rank (the same flags)
    base_rank, base_comb = planned_rank, base.combined
    memo[residual_key(base_comb)] = planned_rank
    # the risks each safeguard lowers somewhere above low: one pass over the cells
    lowers_of: dict[str, set[str]] = {}
    for cell in cells:
        if cell.lowers:
            row = inherent.by_cell[cell.key]
            for sid, cls in cell.lowers.items():
                for cl in cls:
                    if row[cl.risk] > 0:
                        lowers_of.setdefault(sid, set()).add(c.risks[cl.risk])
    results: list[dict[str, Any]] = []
    candidates: list[str] = []
    single: dict[str, tuple[int, list[int]]] = {}
    no_rules: set[str] = set()
    for sg in fw.catalogue.safeguards:
        is_planned = sg.id in planned
        against = contradicted.get(sg.id)  # planned, but the text contradicts it
        if not is_planned and against is None and sg.id not in credited_anywhere:
            continue  # its precondition holds nowhere: neither applicable nor planned
        here = counters_here.get(sg.id, no_rules)
        lowered = lowers_of.get(sg.id)
        if not here and not lowered and not is_planned and against is None:
            continue  # it counters nothing that fired and lowers nothing: not applicable
        counters_fired = [r for r in sg.counters if r in fired and r in here]
        lowers = sorted(lowered) if lowered else []
        # a recommendation the current plan contradicts is a plan change: name what must go
        applicable = bool(counters_fired or lowers)
        contradicts = c.incompatible[sg.id]
        plan_change = (
            sorted(
                {
                    f
                    for s in sides
                    if contradicts(s.flags)
                    for f in fired_flags(sg.incompatible_when, s.flags)
                }
            )
            if contradicts is not None and applicable
            else []
        )
        verdict_if: str | None = None
        residual_if: dict[str, Any] | None = None
        if applicable and not is_planned and analyse:
            candidates.append(sg.id)
            rank, comb = evaluate([*planned, sg.id])
            single[sg.id] = (rank, comb)
            verdict_if = VERDICTS[rank]
            residual_if = {r: LEVELS[comb[i]] for i, r in enumerate(c.risks)}
        if applicable or is_planned or against is not None:
            mechanism, not_credited = c.sg_texts[sg.id]
            credited = sg.id in credited_anywhere and against is None
            if against is not None:
                not_credited = against
            results.append(
                dict(
                    id=sg.id,
                    name=sg.name,
                    planned=is_planned or against is not None,
                    applicable=applicable,
                    counters_fired=counters_fired,
                    lowers=lowers,
                    verdict_if_added=verdict_if,
                    residual_if_added=residual_if,
                    requires_dropping=plan_change,
                    cost=sg.cost,
                    mechanism=mechanism,
                    credited=credited,
                    not_credited_because=(
                        None if credited or not (is_planned or against) else not_credited
                    ),
                )
            )
    # Greedy: add the safeguard that improves (verdict, highs, sum) most, until nothing improves
    # or the verdict is as good as adding every candidate at once makes it. The reported set is
    # the shortest prefix that reaches the best verdict found (safeguards that only lower levels
    # further are left to the table, not listed as needed for the verdict).
    chosen = list(planned)
    best = _score(base_rank, base_comb)
    best_rank = base_rank
    added: list[str] = []
    reach = 0
    remaining = list(candidates)
    if not analyse or not candidates:
        target = base_rank
    elif len(candidates) == 1:
        target = single[candidates[0]][0]
    else:
        target = evaluate([*planned, *candidates])[0]
    while remaining and analyse and best_rank > target:
        scored = []
        for sid in remaining:
            rank, comb = single[sid] if len(chosen) == len(planned) else evaluate([*chosen, sid])
            scored.append((_score(rank, comb), sid, rank))
        top = min(scored, key=lambda x: x[0])
        if top[0] >= best:
            break
        if top[2] < best_rank:
            reach = len(added) + 1
        best, best_rank = top[0], top[2]
        chosen.append(top[1])
        added.append(top[1])
        remaining.remove(top[1])
    return results, best_rank, added[:reach]


def _verdict(
    fw: Framework,
    flags: frozenset[str],
    rank: int,
    inherent: _Levels,
    residual: _Levels,
    dd_flags: Sequence[str],
    best_rank: int,
    best_set: list[str],
    relied: Sequence[str],
) -> dict[str, Any]:
    """``relied``: the planned safeguards the levels rely on (credited, and countering a rule that
    fired or lowering a level); a planned safeguard that changes nothing is no condition."""
    c = _compile(fw)
    # indices of the verdict rules that fired (the compiled rules are in rule order)
    fired = c.verdicts_fired(flags)
    levelled = [i for i in fired if c.verdicts[i][1] != "condition"]
    capped = [i for i in levelled if c.verdicts[i][1] == "at_most" and c.verdicts[i][0] == rank]
    decisive = capped or [
        i for i in levelled if c.verdicts[i][1] == "at_least" and c.verdicts[i][0] == rank
    ]
    if c.verdict_ids_unique:  # identity is equality then (and cheaper than pydantic's __eq__)
        also = [i for i in levelled if i not in decisive]
    else:
        rules = fw.rules.verdicts
        decisive_rules = [rules[i] for i in decisive]
        also = [i for i in levelled if rules[i] not in decisive_rules]
    conditions: list[str] = []
    lowered = any(i > r for i, r in zip(inherent.combined, residual.combined, strict=True))
    if relied and lowered:
        conditions.append(
            "The planned safeguards are conditions of this verdict: " + ", ".join(relied) + "."
        )
    if "dd.not_checked" in dd_flags:
        conditions.append(
            "Restricted-party screening was not run or some lists were not checked: "
            "this verdict holds only once due diligence is complete (not checked is not clean)."
        )
    if "dd.informational_hit" in dd_flags:
        conditions.append(
            "A party is on an informational list of another jurisdiction: review what the listing "
            "means for the cooperation."
        )
    if "dd.stale" in dd_flags:
        conditions.append(
            "Some restricted-party lists are older than the configured maximum age: update them."
        )
    for i in fired:
        if c.verdicts[i][1] == "condition":
            v = fw.rules.verdicts[i]
            conditions.append(f"{v.reason.strip()} [{v.id}; {v.ref}]")

    level = VERDICTS[rank]
    reasons = c.verdict_reasons  # frozen result models, built with the framework
    return dict(
        level=level,
        label=VERDICT_LABELS[level],
        rank=rank,
        decisive=[reasons[i] for i in decisive] if decisive else [_DEFAULT_REASON],
        also=[reasons[i] for i in also],
        conditions=conditions,
        best_reachable=VERDICTS[min(rank, best_rank)],
        safeguards_to_reach_best=best_set if best_rank < rank else [],
    )


_DEFAULT_REASON = VerdictReason(
    rule="V-DEFAULT",
    verdict="suitable",
    reason="Every risk is low without relying on safeguards and no due-diligence rule fired.",
    ref="framework.md §6, §7",
    basis="risk",
)


def reproduce(
    stored: Assessment, framework: Framework | None = None
) -> tuple[Assessment, list[str]]:
    """Re-compute a stored assessment from its recorded proposal and due diligence.

    Returns the new assessment and a list of differences in the recorded versions (empty when the
    framework, rule pack and catalogue are byte-for-byte the ones that produced ``stored``).
    """
    fw = framework or get_framework()
    diffs = []
    for label, old in (
        ("framework", stored.framework),
        ("rules", stored.rules),
        ("safeguards", stored.safeguards_catalogue),
    ):
        new = fw.stamps[label]
        if (old.id, old.version, old.sha256) != (new.id, new.version, new.sha256):
            diffs.append(
                f"{label}: recorded {old.id} {old.version} ({old.sha256[:12]}), now {new.id} {new.version} ({new.sha256[:12]})"
            )
    if stored.tool_version != __version__:
        diffs.append(f"tool: recorded Détente {stored.tool_version}, now {__version__}")
    proposal = Proposal.model_validate(stored.proposal)
    dd = stored.due_diligence
    flags = stored.due_diligence_flags if dd is not None else None
    again = assess(proposal, fw, diligence=dd, diligence_flags=flags, landscape=stored.landscape)
    return again.model_copy(update={"providers": stored.providers}), diffs
