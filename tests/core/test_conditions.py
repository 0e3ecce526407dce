"""The compiled condition language agrees with a naive interpreter (Hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.framework.conditions import (
    ConditionSyntaxError,
    compile_condition,
    compile_first,
    compile_select,
    describe,
    fired_flags,
    flags_used,
    positive_flags,
)

FLAGS = ["a", "b", "c", "d", "e"]
flag = st.sampled_from(FLAGS)
conditions = st.recursive(
    flag,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=10,
)


def naive(cond: Any, flags: frozenset[str]) -> bool:
    if isinstance(cond, str):
        return cond in flags
    ((op, arg),) = cond.items()
    if op == "not":
        return not naive(arg, flags)
    results = [naive(c, flags) for c in arg]
    return all(results) if op == "all" else any(results)


@settings(max_examples=500, deadline=None)
@given(conditions, st.frozensets(flag))
def test_positive_flags_filtered_equal_fired_flags(cond: Any, flags: frozenset[str]) -> None:
    # the engine lists a rule's positive flags once and filters them per side
    assert [f for f in positive_flags(cond) if f in flags] == fired_flags(cond, flags)


@settings(max_examples=500, deadline=None)
@given(conditions, st.frozensets(flag))
def test_compiled_equals_naive(cond: Any, flags: frozenset[str]) -> None:
    assert compile_condition(cond)(flags) == naive(cond, flags)
    assert flags_used(cond) <= set(FLAGS)
    assert set(fired_flags(cond, flags)) <= flags
    assert describe(cond)


@pytest.mark.parametrize("bad", [{}, {"all": []}, {"xor": ["a"]}, {"all": "a"}, 3, ""])
def test_bad_conditions_are_refused(bad: Any) -> None:
    with pytest.raises(ConditionSyntaxError):
        compile_condition(bad)


# flag names the generated code must quote correctly, next to plain ones
ODD = ["a", "b", "c", "x'y", 'q"r\\', "sides.multiple", "dd.not_checked"]
odd_flag = st.sampled_from(ODD)
odd_conditions = st.recursive(
    odd_flag,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda x: {"not": x}, inner),
        st.builds(lambda xs: {"not": {"any": xs}}, st.lists(odd_flag, min_size=1, max_size=3)),
    ),
    max_leaves=10,
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.one_of(st.none(), odd_conditions), max_size=8),
    st.lists(st.frozensets(odd_flag), min_size=1, max_size=5),
)
def test_generated_code_equals_the_closures(
    conds: list[Any], flag_sets: list[frozenset[str]]
) -> None:
    # the engine's generated functions (rules of an area, credited safeguards, verdict ranks)
    select = compile_select([(i, c) for i, c in enumerate(conds)])
    first = compile_first([(i, c) for i, c in enumerate(conds)], -1)
    preds = [compile_condition(c) for c in conds]
    for flags in flag_sets:
        holding = tuple(i for i, p in enumerate(preds) if p(flags))
        assert select(flags) == holding
        assert first(flags) == (holding[0] if holding else -1)
