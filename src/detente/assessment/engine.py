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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from detente._version import __version__
from detente.assessment.features import SideFeatures, side_features
from detente.assessment.infer import AreaClassifier, area_placements
from detente.assessment.loader import check_against_framework
from detente.assessment.placement import UNDETERMINED, place
from detente.assessment.proposal import Proposal
from detente.assessment.result import Assessment
from detente.assessment.textfacts import read_text
from detente.framework.conditions import Predicate, compile_condition, fired_flags
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

VERDICT_LABELS = {
    "suitable": "Suitable",
    "suitable_with_safeguards": "Suitable with safeguards",
    "needs_senior_review": "Needs senior review",
    "not_advisable": "Not advisable",
}


class Diligence(Protocol):
    """What the engine needs from a due-diligence result (see detente.screening)."""

    def flags(self) -> set[str]: ...

    def model_dump(self, *, mode: str = ...) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class _CRule:
    """A rule flattened for the hot loop (no pydantic attribute access)."""

    rule: Rule
    id: str
    risk: int
    holds: Predicate
    apply: Callable[[int], int]
    effect: str  # the effect described once, for the trace


@dataclass(frozen=True, slots=True)
class _CLower:
    lowering: Lowering
    risk: int
    holds: Predicate
    apply: Callable[[int], int]


@dataclass(frozen=True, slots=True)
class _Compiled:
    risks: tuple[str, ...]
    rules_by_area: dict[str, tuple[_CRule, ...]]
    safeguards: dict[str, Safeguard]
    lowers_by_area: dict[str, dict[str, tuple[_CLower, ...]]]
    baseline: dict[str, tuple[int, ...]]
    endorsed: frozenset[str]
    verdicts: tuple[tuple[int, Predicate], ...]
    counters: dict[str, frozenset[str]]
    incompatible: dict[str, Predicate | None]
    countered_by: dict[str, tuple[str, ...]]
    benefits: tuple[tuple[dict[str, Any], Predicate], ...]


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
    rules_by_area = {
        a: tuple(
            _CRule(
                r,
                r.id,
                pos[r.risk],
                compile_condition(r.when),
                r.effect.compiled(),
                r.effect.describe(),
            )
            for r in fw.rules.rules
            if r.applies_to(a)
        )
        for a in areas
    }
    lowers_by_area = {
        a: {
            s.id: tuple(
                _CLower(lw, pos[lw.risk], compile_condition(lw.when), lw.effect.compiled())
                for lw in s.lowers
                if lw.applies_to(a)
            )
            for s in fw.catalogue.safeguards
        }
        for a in areas
    }
    baseline = {a.id: tuple(LEVELS.index(a.baseline[r].level) for r in risks) for a in fw.doc.areas}
    endorsed = frozenset(a.id for a in fw.doc.areas if a.paper_conclusion == "well_suited")
    verdicts = tuple(
        (VERDICTS.index(v.verdict), compile_condition(v.when)) for v in fw.rules.verdicts
    )
    counters = {s.id: frozenset(s.counters) for s in fw.catalogue.safeguards}
    incompatible = {
        s.id: compile_condition(s.incompatible_when) if s.incompatible_when is not None else None
        for s in fw.catalogue.safeguards
    }
    benefits = tuple((_benefit_result(fw, b), compile_condition(b.when)) for b in fw.rules.benefits)
    return _Compiled(
        risks,
        rules_by_area,
        fw.safeguard_index,
        lowers_by_area,
        baseline,
        endorsed,
        verdicts,
        counters,
        incompatible,
        {rid: tuple(sids) for rid, sids in fw.countered_by.items()},
        benefits,
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
    for cr in cell.fired:
        before = levels[cr.risk]
        if cr.id in countered:
            by = [sid for sid in planned if cr.id in c.counters[sid]]
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
                    fired_on=fired_flags(low.when, flags) or [f"safeguard.{sid}"],
                    reason=sg.description.strip(),
                    ref=sg.ref,
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
        fired_on=fired_flags(rule.when, flags),
        reason=rule.reason,
        ref=rule.ref,
        countered_by=countered_by,
    )


def _counters(c: _Compiled, planned: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for sid in planned:
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
) -> _Levels:
    countered = _counters(c, planned)
    by_cell = {
        cell.key: _traced_cell(
            c, cell, sides[cell.key[1]], countered, planned, trace, record_rules=record_rules
        )
        for cell in cells
    }
    return _combine(by_cell, len(c.risks))


@dataclass(frozen=True, slots=True)
class _Cell:
    """What fired for one (area, side), evaluated once and reused by every what-if run."""

    key: tuple[str, str]
    baseline: tuple[int, ...]
    fired: tuple[_CRule, ...]
    lowers: dict[str, tuple[_CLower, ...]]


def _prepare(
    c: _Compiled, areas: Sequence[str], sides: Sequence[SideFeatures]
) -> tuple[_Cell, ...]:
    cells = []
    for area in areas:
        for side in sides:
            flags = side.flags
            fired = tuple(cr for cr in c.rules_by_area[area] if cr.holds(flags))
            lowers = {
                sid: tuple(cl for cl in cls if cl.holds(flags))
                for sid, cls in c.lowers_by_area[area].items()
            }
            cells.append(
                _Cell(
                    (area, side.side),
                    c.baseline[area],
                    fired,
                    {k: v for k, v in lowers.items() if v},
                )
            )
    return tuple(cells)


def _cell_levels(cell: _Cell, countered: frozenset[str], planned: Sequence[str]) -> list[int]:
    levels = list(cell.baseline)
    for cr in cell.fired:
        if cr.id not in countered:
            levels[cr.risk] = cr.apply(levels[cr.risk])
    for sid in planned:
        for cl in cell.lowers.get(sid, ()):
            levels[cl.risk] = cl.apply(levels[cl.risk])
    return levels


def _combine(by_cell: dict[tuple[str, str], list[int]], n: int) -> _Levels:
    combined = [0] * n
    for levels in by_cell.values():
        for i, x in enumerate(levels):
            if x > combined[i]:
                combined[i] = x
    return _Levels(by_cell, combined)


def _fast_levels(
    cells: Sequence[_Cell], countered: frozenset[str], planned: Sequence[str], n: int
) -> _Levels:
    return _combine({cell.key: _cell_levels(cell, countered, planned) for cell in cells}, n)


def _verdict_flags(
    c: _Compiled,
    areas: Sequence[str],
    residual: _Levels,
    inherent: _Levels,
    dd_flags: Iterable[str],
    undetermined: frozenset[str],
) -> frozenset[str]:
    f: set[str] = set(dd_flags)
    if undetermined:
        # no area assessed: no level exists to read, and placement alone sets no residual flag
        return frozenset(f | undetermined)
    highs = sum(1 for x in residual.combined if x == 2)
    if highs >= 2:
        f.add("residual.two_or_more_high")
    if highs:
        f.add("residual.any_high")
    if any(x == 1 for x in residual.combined):
        f.add("residual.any_moderate")
    if all(x == 0 for x in residual.combined):
        f.add("residual.all_low")
    for (area, _side), lv in residual.by_cell.items():
        if area not in c.endorsed and any(x >= 1 for x in lv):
            f.add("residual.moderate_outside_endorsed")
            break
    if any(i > r for i, r in zip(inherent.combined, residual.combined, strict=True)):
        f.add("inherent.above_residual")
    return frozenset(f)


def _verdict_rank(c: _Compiled, flags: frozenset[str]) -> int:
    rank = 0
    for r, holds in c.verdicts:
        if r > rank and holds(flags):
            rank = r
    return rank


def _proposal_digest(data: dict[str, Any]) -> str:
    canonical: bytes = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def assess(
    proposal: Proposal,
    framework: Framework | None = None,
    *,
    diligence: Diligence | None = None,
    landscape: dict[str, Any] | None = None,
    analyse_safeguards: bool = True,
    area_classifier: AreaClassifier | None = None,
) -> Assessment:
    """Assess one proposal. Pure and deterministic: same input and versions, same output."""
    fw = framework or get_framework()
    base_sides = side_features(proposal)
    check_against_framework(proposal, fw, f"proposal {proposal.key!r}", {}, base_sides)
    c = _compile(fw)
    # facts the text states (applied to the features the rules read) and safeguards it contradicts
    reading = read_text(proposal, fw)
    planned = list(reading.planned)
    if reading.contradicted:
        base_sides = side_features(reading.effective, frozenset(planned))
    elif reading.sides is not None:
        base_sides = list(reading.sides)
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
    extra = frozenset(f"area.{a}" for a in area_ids)
    sides = [SideFeatures(s.side, s.parties, s.flags | extra) for s in base_sides]

    trace: list[dict[str, Any]] = []
    cells = _prepare(c, area_ids, sides)
    by_side = {s.side: s for s in sides}
    inherent = _traced_levels(c, cells, by_side, (), trace)
    residual = _traced_levels(c, cells, by_side, planned, trace, record_rules=False)
    dd_flags = sorted(diligence.flags()) if diligence is not None else ["dd.not_checked"]
    vflags = _verdict_flags(c, area_ids, residual, inherent, dd_flags, undetermined)

    risks = _risk_results(fw, c, area_ids, sides, inherent, residual, trace)
    fired_rule_ids = {t["rule"] for t in trace if t["stage"] == "rule"}
    safeguards, best_rank, best_set = _safeguard_analysis(
        fw,
        c,
        area_ids,
        sides,
        cells,
        planned,
        inherent,
        dd_flags,
        undetermined,
        fired_rule_ids,
        analyse_safeguards,
    )
    verdict = _verdict(fw, vflags, planned, inherent, residual, dd_flags, best_rank, best_set)
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
    proposal_data = proposal.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    stamps = fw.stamps
    # One validation of plain data (fast, in pydantic-core) instead of one per nested object.
    return Assessment.model_validate(
        dict(
            tool_version=__version__,
            framework=dict(**stamps["framework"].model_dump()),
            rules=dict(**stamps["rules"].model_dump()),
            safeguards_catalogue=dict(**stamps["safeguards"].model_dump()),
            proposal_id=proposal.key,
            proposal_title=proposal.title,
            proposal_sha256=_proposal_digest(proposal_data),
            proposal=proposal_data,
            areas=placements,
            placement=placement,
            text_facts=list(reading.facts),
            safeguards_not_credited=list(reading.contradicted),
            sides=_side_views(proposal, fw, c, sides, inherent, residual),
            risks=risks,
            cells=[
                dict(
                    area=a,
                    side=s.side,
                    cells={
                        r: dict(
                            baseline=LEVELS[c.baseline[a][i]],
                            inherent=LEVELS[inherent.by_cell[(a, s.side)][i]],
                            residual=LEVELS[residual.by_cell[(a, s.side)][i]],
                        )
                        for i, r in enumerate(c.risks)
                    },
                )
                for a in area_ids
                for s in sides
            ],
            trace=trace,
            benefits=_benefits(c, sides),
            safeguards=safeguards,
            verdict=verdict,
            due_diligence=diligence.model_dump(mode="json") if diligence is not None else None,
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
    for i, rid in enumerate(c.risks):
        risk = fw.risk_index[rid]
        base = max(c.baseline[a][i] for a in areas)
        drivers = [
            f"{a}/{s.side}"
            for a in areas
            for s in sides
            if inherent.by_cell[(a, s.side)][i] == inherent.combined[i]
        ]
        reasons: list[str] = []
        for a in areas:
            if c.baseline[a][i] == base:
                cell = fw.area_index[a].baseline[rid]
                reasons.append(
                    f"{fw.area_index[a].name} baseline {cell.level} ({cell.ref}): {cell.reasoning}"
                )
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


def _side_views(
    p: Proposal,
    fw: Framework,
    c: _Compiled,
    sides: Sequence[SideFeatures],
    inherent: _Levels,
    residual: _Levels,
) -> list[dict[str, Any]]:
    lead = p.lead_side()
    out = []
    for s in sides:
        keys = set(s.parties)
        members = [x for x in p.parties if x.key in keys]
        gives = sorted({a.value for x in members for a in x.contributes})
        receives = sorted({a.value for x in members for a in x.receives})
        own_inh = [lv for (_area, side), lv in inherent.by_cell.items() if side == s.side]
        own_res = [lv for (_area, side), lv in residual.by_cell.items() if side == s.side]
        inh = [max(col) for col in zip(*own_inh, strict=True)] if own_inh else [0] * len(c.risks)
        res = [max(col) for col in zip(*own_res, strict=True)] if own_res else [0] * len(c.risks)
        notes = []
        if lead == s.side:
            notes.append("Leads in the relevant capability: R2 is this side's concern (§5 R2).")
        elif lead is not None:
            notes.append(
                "Trails in the relevant capability: the other side bears the R2 concern (§5 R2)."
            )
        else:
            notes.append("No side is declared to lead; R2 is read at the area baseline.")
        if gives:
            notes.append(
                "Gives: "
                + ", ".join(g.replace("_", " ") for g in gives)
                + " (R3 exposure is read from this)."
            )
        out.append(
            dict(
                side=s.side,
                parties=list(s.parties),
                leads=lead == s.side,
                gives=gives,
                receives=receives,
                inherent={r: LEVELS[inh[i]] for i, r in enumerate(c.risks)} if own_inh else {},
                residual={r: LEVELS[res[i]] for i, r in enumerate(c.risks)} if own_res else {},
                notes=notes,
            )
        )
    return out


def _benefit_result(fw: Framework, b: BenefitRule) -> dict[str, Any]:
    """A benefit rule's result is static: built once when the framework is compiled."""
    motive = fw.motive_index[b.motive]
    case = next(x for x in motive.cases if x.id == b.case)
    return dict(
        motive=motive.id,
        name=motive.name,
        rule=b.id,
        reason=b.reason,
        case={
            "id": case.id,
            "name": case.name,
            "when": case.when,
            "description": case.description.strip(),
        },
        ref=b.ref,
    )


def _benefits(c: _Compiled, sides: Sequence[SideFeatures]) -> list[dict[str, Any]]:
    flags: frozenset[str] = frozenset().union(*(s.flags for s in sides)) if sides else frozenset()
    return [result for result, holds in c.benefits if holds(flags)]


def _score(rank: int, lv: _Levels) -> tuple[int, int, int]:
    return (rank, sum(1 for x in lv.combined if x == 2), sum(lv.combined))


def _safeguard_analysis(
    fw: Framework,
    c: _Compiled,
    areas: Sequence[str],
    sides: Sequence[SideFeatures],
    cells: Sequence[_Cell],
    planned: Sequence[str],
    inherent: _Levels,
    dd_flags: Sequence[str],
    undetermined: frozenset[str],
    fired: set[str],
    analyse: bool,
) -> tuple[list[dict[str, Any]], int, list[str]]:
    n = len(c.risks)

    # The verdict depends on the levels only through (combined levels, any moderate-or-worse cell
    # outside the endorsed areas): memoise it on that key within this assessment.
    memo: dict[tuple[tuple[int, ...], bool], int] = {}
    outside_keys = [cell.key for cell in cells if cell.key[0] not in c.endorsed]

    # A candidate safeguard only changes the cells where it counters a fired rule or lowers a
    # level: re-compute those, reuse the planned levels for the rest.
    base = _fast_levels(cells, _counters(c, planned), planned, n)
    # For each cell, the safeguards that can change it (they counter a rule that fired there, or
    # lower a level there); a candidate re-computes only its cells.
    cell_sids = [
        frozenset(cell.lowers).union(*(c.countered_by.get(cr.id, ()) for cr in cell.fired))
        for cell in cells
    ]
    touched: dict[str, tuple[int, ...]] = {}

    def touches(sid: str) -> tuple[int, ...]:
        t = touched.get(sid)
        if t is None:
            t = touched[sid] = tuple(i for i, sids in enumerate(cell_sids) if sid in sids)
        return t

    n_planned = len(planned)

    def evaluate(chosen: Sequence[str]) -> tuple[int, _Levels]:
        extra = chosen[n_planned:]
        idx = {i for sid in extra for i in touches(sid)}
        if not idx:
            lv = base
        else:
            countered = _counters(c, chosen)
            by_cell = dict(base.by_cell)
            for i in idx:
                by_cell[cells[i].key] = _cell_levels(cells[i], countered, chosen)
            lv = _combine(by_cell, n)
        key = (tuple(lv.combined), any(max(lv.by_cell[k]) >= 1 for k in outside_keys))
        rank = memo.get(key)
        if rank is None:
            rank = _verdict_rank(c, _verdict_flags(c, areas, lv, inherent, dd_flags, undetermined))
            memo[key] = rank
        return rank, lv

    base_rank, base_lv = evaluate(planned)
    results: list[dict[str, Any]] = []
    candidates: list[str] = []
    single: dict[str, tuple[int, _Levels]] = {}
    for sg in fw.catalogue.safeguards:
        counters_fired = [r for r in sg.counters if r in fired]
        lowers = sorted(
            {
                c.risks[cl.risk]
                for cell in cells
                for cl in cell.lowers.get(sg.id, ())
                if inherent.by_cell[cell.key][cl.risk] > 0
            }
        )
        # a recommendation the current plan contradicts is a plan change: name what must go
        applicable = bool(counters_fired or lowers)
        is_planned = sg.id in planned
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
            rank, lv = evaluate([*planned, sg.id])
            single[sg.id] = (rank, lv)
            verdict_if = VERDICTS[rank]
            residual_if = {r: LEVELS[lv.combined[i]] for i, r in enumerate(c.risks)}
        if applicable or is_planned:
            results.append(
                dict(
                    id=sg.id,
                    name=sg.name,
                    planned=is_planned,
                    applicable=applicable,
                    counters_fired=counters_fired,
                    lowers=lowers,
                    verdict_if_added=verdict_if,
                    residual_if_added=residual_if,
                    requires_dropping=plan_change,
                    cost=sg.cost,
                )
            )
    # Greedy: add the safeguard that improves (verdict, highs, sum) most, until nothing improves
    # or the verdict is as good as adding every candidate at once makes it. The reported set is
    # the shortest prefix that reaches the best verdict found (safeguards that only lower levels
    # further are left to the table, not listed as needed for the verdict).
    chosen = list(planned)
    best = _score(base_rank, base_lv)
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
            rank, lv = single[sid] if len(chosen) == len(planned) else evaluate([*chosen, sid])
            scored.append((_score(rank, lv), sid, rank))
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
    planned: Sequence[str],
    inherent: _Levels,
    residual: _Levels,
    dd_flags: Sequence[str],
    best_rank: int,
    best_set: list[str],
) -> dict[str, Any]:
    fired = [v for v in fw.rules.verdicts if v.holds(flags)]
    rank = max((VERDICTS.index(v.verdict) for v in fired), default=0)
    decisive = [v for v in fired if VERDICTS.index(v.verdict) == rank]
    also = [v for v in fired if VERDICTS.index(v.verdict) < rank]
    conditions: list[str] = []
    lowered = any(i > r for i, r in zip(inherent.combined, residual.combined, strict=True))
    if planned and lowered:
        conditions.append(
            "The planned safeguards are conditions of this verdict: " + ", ".join(planned) + "."
        )
    if "dd.not_checked" in dd_flags:
        conditions.append(
            "Restricted-party screening was not run or some lists were not checked: "
            "this verdict holds only once due diligence is complete (not checked is not clean)."
        )
    if "dd.stale" in dd_flags:
        conditions.append(
            "Some restricted-party lists are older than the configured maximum age: update them."
        )

    def reasons(vs: Iterable[Any]) -> list[dict[str, Any]]:
        return [dict(rule=v.id, verdict=v.verdict, reason=v.reason, ref=v.ref) for v in vs]

    level = VERDICTS[rank]
    if not decisive:
        decisive_r = [
            dict(
                rule="V-DEFAULT",
                verdict="suitable",
                reason="Every risk is low without relying on safeguards and no due-diligence rule fired.",
                ref="§6, §7",
            )
        ]
    else:
        decisive_r = reasons(decisive)
    return dict(
        level=level,
        label=VERDICT_LABELS[level],
        rank=rank,
        decisive=decisive_r,
        also=reasons(also),
        conditions=conditions,
        best_reachable=VERDICTS[min(rank, best_rank)],
        safeguards_to_reach_best=best_set if best_rank < rank else [],
    )


class StoredDiligence:
    """A due-diligence result read back from a stored assessment (for exact re-computation)."""

    def __init__(self, data: dict[str, Any], flags: Sequence[str]) -> None:
        self._data = data
        self._flags = set(flags)

    def flags(self) -> set[str]:
        return set(self._flags)

    def model_dump(self, *, mode: str = "json") -> dict[str, Any]:
        return dict(self._data)


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
    dd = (
        StoredDiligence(stored.due_diligence, stored.due_diligence_flags)
        if stored.due_diligence is not None
        else None
    )
    again = assess(proposal, fw, diligence=dd, landscape=stored.landscape)
    return again, diffs
