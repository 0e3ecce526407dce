"""Normalisation rules and robustness (hypothesis)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.landscape.normalize import (
    BadRecord,
    invert_abstract,
    normalize_work,
    reconstruct_abstract,
    work_key,
)
from detente.landscape.paperlists import country_from_name, paperlists_to_openalex

from .conftest import work

words = st.text(alphabet=st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=8)


@given(st.lists(words, min_size=1, max_size=60))
def test_inverted_index_round_trip(tokens: list[str]) -> None:
    text = " ".join(tokens)
    assert reconstruct_abstract(invert_abstract(text)) == text


@given(
    st.dictionaries(st.text(max_size=5), st.lists(st.integers(-5, 500), max_size=4), max_size=20)
)
def test_reconstruct_never_crashes(index: dict[str, list[int]]) -> None:
    out = reconstruct_abstract(index)
    assert out is None or isinstance(out, str)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
fields = st.sampled_from(
    ["id", "title", "publication_year", "authorships", "abstract_inverted_index", "primary_location",
     "topics", "concepts", "keywords", "primary_topic", "updated_date"]
)  # fmt: skip


@settings(max_examples=300)
@given(st.dictionaries(fields, json_values, max_size=8) | json_values)
def test_normalize_only_raises_badrecord(record: object) -> None:
    try:
        w = normalize_work(record)
    except BadRecord:
        return
    assert w.key


@settings(max_examples=100)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["countries", "institutions", "author"]),
            st.lists(
                st.dictionaries(
                    st.sampled_from(["country_code", "display_name", "id"]), json_values, max_size=3
                ),
                max_size=3,
            )
            | json_values,
            max_size=3,
        ),
        max_size=4,
    )
)
def test_authorship_shapes_never_crash(authorships: list[object]) -> None:
    with contextlib.suppress(BadRecord):
        normalize_work({"id": "W1", "title": "t", "authorships": authorships})


def test_countries_union_and_multiple_affiliations() -> None:
    rec = work("W9", 2020, [[("MIT", "us"), ("Tsinghua", "CN")], [("Oxford", "GB")]])
    rec["authorships"][1]["countries"] = ["GB", "FR", "Europe", None]
    w = normalize_work(rec)
    assert w.countries == ("CN", "FR", "GB", "US")
    assert w.authors[0].countries == ("CN", "US")  # one author, two countries: counts for both
    assert [a.country for a in w.affiliations] == ["US", "CN", "GB"]


def test_keys() -> None:
    assert work_key({"id": "https://openalex.org/W123"}) == ("W123", "https://openalex.org/W123")
    a = {"id": "paperlists:cvpr2019:None", "title": "A", "authorships": []}
    b = {"id": "paperlists:cvpr2019:None", "title": "B", "authorships": []}
    ka, kb = normalize_work(a).key, normalize_work(b).key
    assert ka != kb and ka.startswith("paperlists:cvpr2019:None#")  # same id, different papers
    assert ka == normalize_work(dict(a)).key  # stable across runs
    assert normalize_work({"title": "A", "authorships": []}).key.startswith("h:")
    with pytest.raises(BadRecord):
        work_key({"authorships": []})


def test_bad_year_is_reported_with_field() -> None:
    with pytest.raises(BadRecord) as exc:
        normalize_work({"id": "W1", "publication_year": "soon"})
    assert exc.value.field == "publication_year"


def test_paperlists_native_conversion() -> None:
    raw = {
        "id": "42",
        "title": "T",
        "author": "A; B; C",
        "aff": "x; y; z",
        "aff_unique_norm": "MIT;Tsinghua University;Somewhere",
        "aff_unique_index": "0+1;1;2",
        "aff_country_unique": "United States;China;Unknown",
        "aff_country_unique_index": "0+1;1;2",
        "abstract": "hello world hello",
        "year": 2022,
        "venue": "AAAI",
        "source_file": "aaai/aaai2022.json",
    }
    w = normalize_work(paperlists_to_openalex(raw))
    assert w.countries == ("CN", "US")
    assert w.authors[0].countries == ("CN", "US")
    assert w.abstract == "hello world hello"
    assert w.source_id == "paperlists:aaai2022:42"
    assert country_from_name("Hong Kong S.A.R.") == "HK" and country_from_name("Europe") is None
