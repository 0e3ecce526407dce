"""The engine's generated condition code (one function per area, per verdict group …) agrees
with the conditions compiled as closures (compile_condition), on the real framework, for random
sets of the flags the conditions read."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from detente.assessment.engine import _compile
from detente.framework.conditions import Condition, compile_condition, flags_used
from detente.framework.loader import get_framework
from detente.framework.model import VERDICTS, Rule

FW = get_framework()
C = _compile(FW)
VOCAB = sorted(
    {"sides.multiple"}.union(*(flags_used(r.when) for r in FW.rules.rules))
    .union(*(flags_used(s.requires) for s in FW.catalogue.safeguards))
    .union(*(flags_used(v.when) for v in FW.rules.verdicts))
)
VOCAB_ALL = sorted(
    set(VOCAB)
    .union(*(flags_used(lw.when) for s in FW.catalogue.safeguards for lw in s.lowers))
    .union(*(flags_used(b.when) | flags_used(b.requires) for b in FW.rules.benefits))
)
TOWARD_RIVAL = {r.id for r in FW.doc.risks if r.toward_rival}


def _rule_holds(rule: Rule, flags: frozenset[str]) -> bool:
    holds = compile_condition(rule.when)(flags)
    if rule.effect.op in ("raise", "at_least") and rule.risk in TOWARD_RIVAL:
        return "sides.multiple" in flags and holds  # raised toward a rival: one must take part
    return holds


def _first(
    entries: Sequence[tuple[int, Condition | None]], flags: frozenset[str], default: int
) -> int:
    return next((r for r, w in entries if compile_condition(w)(flags)), default)


@settings(max_examples=400, deadline=None)
@given(st.frozensets(st.sampled_from(VOCAB)))
def test_generated_code_equals_the_closures(flags: frozenset[str]) -> None:
    for area in C.rules_by_area:
        assert [cr.rule for cr in C.fired_in[area](flags)] == [
            r for r in FW.rules.rules if r.applies_to(area) and _rule_holds(r, flags)
        ]
    assert C.credited_on(flags) == tuple(
        s.id for s in FW.catalogue.safeguards if compile_condition(s.requires)(flags)
    )
    vs = FW.rules.verdicts
    rank = VERDICTS.index
    at_least = sorted(
        ((rank(v.verdict), v.when) for v in vs if v.op == "at_least" and v.basis != "diligence"),
        key=lambda x: -x[0],
    )
    dd = sorted(
        ((rank(v.verdict), v.when) for v in vs if v.op == "at_least" and v.basis == "diligence"),
        key=lambda x: -x[0],
    )
    at_most = sorted(
        ((rank(v.verdict), v.when) for v in vs if v.op == "at_most"), key=lambda x: x[0]
    )
    assert C.rank_at_least(flags) == _first([x for x in at_least if x[0] > 0], flags, 0)
    assert C.rank_at_most(flags) == _first(at_most, flags, len(VERDICTS) - 1)
    assert C.rank_at_least_dd(flags) == _first([x for x in dd if x[0] > 0], flags, 0)
    assert C.verdicts_fired(flags) == tuple(
        i for i, v in enumerate(vs) if compile_condition(v.when)(flags)
    )


@settings(max_examples=300, deadline=None)
@given(st.frozensets(st.sampled_from(VOCAB_ALL)))
def test_generated_lowerings_and_benefits_equal_the_closures(flags: frozenset[str]) -> None:
    for area, by_sg in C.lowers_by_area.items():
        for sg in FW.catalogue.safeguards:
            expected = [
                lw for lw in sg.lowers if lw.applies_to(area) and compile_condition(lw.when)(flags)
            ]
            holding = by_sg.get(sg.id)
            assert ([cl.lowering for cl in holding(flags)] if holding else []) == expected
    met = [e[1].rule for e in C.benefits_met(flags)]
    unmet = [e[1].rule for e in C.benefits_unmet(flags)]
    rules = [b for b in FW.rules.benefits if compile_condition(b.when)(flags)]
    assert met == [b.id for b in rules if compile_condition(b.requires)(flags)]
    assert unmet == [b.id for b in rules if not compile_condition(b.requires)(flags)]
