"""Table-driven matching tests (cases in src/detente/screening/data/match_cases.yaml)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.screening import score_pair
from detente.screening.normalize import derive_parents, pinyin_key, raw_tokens, rules, tokens

CASES: dict[str, Any] = yaml.safe_load(
    resources.files("detente.screening").joinpath("data/match_cases.yaml").read_text("utf-8")
)
HIT = rules().hit
POSSIBLE = rules().possible


@pytest.mark.parametrize(("a", "b"), CASES["should_match"])
def test_should_match(a: str, b: str) -> None:
    s = score_pair(a, b)
    assert s.score >= HIT, s.explain()


@pytest.mark.parametrize(("a", "b"), CASES["should_not_match"])
def test_should_not_match(a: str, b: str) -> None:
    s = score_pair(a, b)
    assert s.score < HIT, s.explain()


@pytest.mark.parametrize(("a", "b"), CASES["should_match_structure"])
def test_should_match_structure(a: str, b: str) -> None:
    s = score_pair(a, b)
    assert s.score >= HIT, s


@pytest.mark.parametrize(
    ("a", "b", "ca", "cb"), CASES["should_not_even_be_possible_with_countries"]
)
def test_derived_initials_across_countries_are_dropped(a: str, b: str, ca: str, cb: str) -> None:
    s = score_pair(a, b, country_a=ca, country_b=cb)
    assert s.score < POSSIBLE, s.explain()


@pytest.mark.parametrize(("a", "b", "ca", "cb"), CASES["should_match_with_countries"])
def test_initials_in_the_same_country_match(a: str, b: str, ca: str, cb: str) -> None:
    s = score_pair(a, b, country_a=ca, country_b=cb)
    assert s.score >= HIT, s.explain()


@pytest.mark.parametrize(("a", "b"), CASES["person_should_match"])
def test_person_should_match(a: str, b: str) -> None:
    s = score_pair(a, b, schema="person")
    assert s.score >= HIT, s.explain()


@pytest.mark.parametrize(("a", "b"), CASES["person_should_not_match"])
def test_person_should_not_match(a: str, b: str) -> None:
    s = score_pair(a, b, schema="person")
    assert s.score < HIT, s.explain()


def test_features_explain_the_score() -> None:
    s = score_pair(
        "Harbin Insitute of Technolgy",
        "Harbin Institute of Technology",
        country_a="CN",
        country_b="CN",
    )
    names = {f.name for f in s.features}
    assert {"token_overlap", "jaro_winkler", "phonetic", "country"} <= names
    assert s.score == pytest.approx(min(1.0, sum(f.contribution for f in s.features)), abs=1e-3)


def test_country_is_a_qualifier_not_evidence() -> None:
    same = score_pair(
        "Sichuan University", "Sichuan University", country_a="CN", country_b="CN"
    ).score
    diff = score_pair(
        "Sichuan University", "Sichuan University", country_a="US", country_b="CN"
    ).score
    assert diff < same
    assert (
        score_pair("Sichuan University", "Fudan University", country_a="CN", country_b="CN").score
        < HIT
    )


def test_person_country_never_used() -> None:
    a = score_pair("ZHANG Wei", "ZHANG Wei", schema="person", country_a="CN", country_b="US")
    assert all(f.name != "country" for f in a.features)


def test_traditional_and_simplified_share_pinyin() -> None:
    assert pinyin_key("哈爾濱工業大學") == pinyin_key("哈尔滨工业大学")


def test_parent_derivation() -> None:
    assert derive_parents(
        "Center for International Security and Strategy of Tsinghua University"
    ) == ("Tsinghua University",)
    assert derive_parents("Harbin Institute of Technology, Shenzhen Research Institute") == (
        "Harbin Institute of Technology",
    )
    assert derive_parents("National University of Defense Technology") == ()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_normalisers_never_crash(text: str) -> None:
    raw_tokens(text)
    tokens(text)
    pinyin_key(text)
    derive_parents(text)
    s = score_pair(text, "National University of Defense Technology")
    assert 0.0 <= s.score <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_score_pair_symmetric_bounds(a: str, b: str) -> None:
    for schema in ("org", "person"):
        assert 0.0 <= score_pair(a, b, schema=schema).score <= 1.0


# The per-query token-pair table (issue 8 perf) must give exactly the per-pair credits.
_WORDS = [
    "beijing",
    "bejing",
    "peking",
    "hunan",
    "henan",
    "shanxi",
    "shaanxi",
    "institute",
    "institue",
    "technology",
    "technolgy",
    "university",
    "univeristy",
    "zhang",
    "zhan",
    "wang",
    "wong",
    "huawei",
    "hauwei",
    "ivanov",
    "ivanow",
    "aerospace",
    "aerospce",
    "co",
    "ltd",
    "smith",
    "smyth",
    "science",
    "sciences",
    "j",
    "li",
    "lee",
    "xiao",
    "ming",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5, unique=True),
    st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6), min_size=1, max_size=4),
)
def test_query_pair_table_gives_the_per_pair_credits(q: list[str], ns: list[list[str]]) -> None:
    from detente.screening.matching import (
        NameForm,
        Weights,
        _may_reach,
        _QueryPairs,
        _token_credit,
    )

    def form(toks: tuple[str, ...]) -> NameForm:
        return NameForm(
            " ".join(toks), toks, " ".join(sorted(toks)), "".join(toks), "", frozenset(), False
        )

    qt = tuple(q)
    forms = [form(tuple(n)) for n in ns]  # list names may repeat a token
    ctx = _QueryPairs(qt, forms)
    # the same table when every query token goes through the rapidfuzz search
    direct = _QueryPairs.DIRECT
    try:
        _QueryPairs.DIRECT = -1  # type: ignore[misc]
        searched = _QueryPairs(qt, forms)
    finally:
        _QueryPairs.DIRECT = direct  # type: ignore[misc]
    assert searched.fuzzy == ctx.fuzzy
    w = Weights()
    for f in forms:
        assert ctx.credit(f.toks) == _token_credit(qt, f.toks)
        for schema in ("org", "person"):
            for floor in (0.5, 0.7, 0.84):
                assert _may_reach(form(qt), f, schema, w, floor, None, ctx) == _may_reach(
                    form(qt), f, schema, w, floor
                )
