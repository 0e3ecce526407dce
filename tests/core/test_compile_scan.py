"""compile_scan (a first-character look-ahead before a pattern) finds exactly what re.compile finds;
compile_folded on fold(text) finds exactly what the case-insensitive pattern finds on text."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from detente.assessment.placement import _compiled
from detente.assessment.polarity import (
    _ASCII_FOLDING,
    compile_folded,
    compile_scan,
    fold,
    polarity,
)
from detente.assessment.textfacts import fact_definitions
from detente.framework.loader import get_framework

ROOT = Path(__file__).resolve().parents[1]


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def _texts() -> list[str]:
    out = []
    for f in sorted((ROOT / "golden").glob("*.json")):
        p = json.loads(f.read_text("utf-8")).get("proposal") or {}
        out += [p.get(k) or "" for k in ("title", "summary", "description")]
    return [t for t in out if t]


def _plain(rx: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern without the look-ahead compile_scan added (if it added one)."""
    m = re.match(r"\(\?=\[[^\]]*\]\)\(\?:(.*)\)\Z", rx.pattern, re.DOTALL)
    return re.compile(m.group(1), rx.flags) if m else rx


def test_engine_patterns_find_the_same_matches() -> None:
    patterns = [c.pattern for c in fact_definitions()[1]]
    patterns += [c.object for c in fact_definitions()[1] if c.object is not None]
    placement = _compiled(get_framework()).pattern
    assert placement is not None
    patterns.append(placement)
    texts = _texts()
    assert texts
    for rx in patterns:
        plain = _plain(rx)
        assert rx.pattern.startswith("(?=["), rx.pattern[:40]  # the look-ahead was added
        for t in texts + [t.upper() for t in texts]:
            assert _spans(rx, t) == _spans(plain, t), (rx.pattern[:40], t)


PIECES = ["a", "b", "K", "s", "é", r"\b", r"\s+", "[a-c]", "[^a]", ".", r"\w", "(?<!a)", "(?=b)"]
OPS = ["{}", "(?:{})?", "(?:{})+", "(?:{}|{})", "{}{}", "(?:{})*", "(?:{}){{1,2}}"]


@st.composite
def patterns(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(PIECES))
    op = draw(st.sampled_from(OPS))
    return op.format(*(draw(patterns(depth - 1)) for _ in range(op.count("{}"))))


@settings(max_examples=400, deadline=None)
@given(patterns(), st.text(alphabet="abcKkſsSé \n-_", max_size=12), st.booleans())
def test_random_patterns_find_the_same_matches(pattern: str, text: str, icase: bool) -> None:
    flags = re.IGNORECASE if icase else 0
    assert _spans(compile_scan(pattern, flags), text) == _spans(re.compile(pattern, flags), text)


def _folded_spans(pattern: str, text: str) -> list[tuple[int, int]] | None:
    rx, low = compile_folded(pattern), fold(text)
    return None if rx is None or low is None else _spans(rx, low)


def test_engine_patterns_find_the_same_matches_folded() -> None:
    fw = get_framework()
    sources = [c.pattern.pattern for c in fact_definitions()[1]]
    sources += [c.object.pattern for c in fact_definitions()[1] if c.object is not None]
    placement = _compiled(fw).pattern
    assert placement is not None
    sources.append(placement.pattern)
    texts = _texts()
    texts += [t.upper() for t in texts] + ["ADMIN ACCESS to the Cluster; Weights are SHARED."]
    for src in sources:
        assert compile_folded(src) is not None, src[:40]  # every engine pattern folds
        for t in texts:
            expected = _spans(re.compile(src, re.IGNORECASE), t)
            got = _folded_spans(src, t)
            assert got is None or got == expected, (src[:40], t)
    assert _compiled(fw).folded is not None
    assert all(c.folded is not None for c in fact_definitions()[1])


def test_fold_refuses_characters_that_fold_to_ascii() -> None:
    """Every non-ASCII character that re.IGNORECASE matches with an ASCII letter, or that
    lower-cases to ASCII or to more than one character, is in _ASCII_FOLDING; and lower-casing
    keeps whether a character is a word, space or digit character."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    word, space, digit = re.compile(r"\w"), re.compile(r"\s"), re.compile(r"\d")
    for cp in range(128, sys.maxunicode + 1):
        ch = chr(cp)
        low = ch.lower()
        if letter.match(ch) or len(low) != 1 or low.isascii():
            assert ch in _ASCII_FOLDING, hex(cp)
            continue
        for rx in (word, space, digit):
            assert bool(rx.match(ch)) == bool(rx.match(low)), hex(cp)
    assert fold("Kelvin \u212a") is None and fold("İstanbul") is None
    assert fold("Détente’s WEIGHTS") == "détente’s weights"


def test_compile_folded_refuses_what_it_cannot_show_equivalent() -> None:
    assert compile_folded("abc", 0) is None  # not case-insensitive
    assert compile_folded("aBc") is None  # an upper-case literal
    assert compile_folded("[A-Z]x") is None
    assert compile_folded("(a)\\1") is None  # a back-reference
    assert compile_folded("(?i)abc") is None  # an inline flag
    assert compile_folded("é") is None  # a non-ASCII literal
    assert compile_folded(r"\bweights?\b") is not None


@settings(max_examples=600, deadline=None)
@given(patterns(), st.text(alphabet="abcKkſsSéÉ\u212a \n-_İı", max_size=12))
def test_random_patterns_find_the_same_matches_folded(pattern: str, text: str) -> None:
    got = _folded_spans(pattern, text)
    if got is not None:
        assert got == _spans(re.compile(pattern, re.IGNORECASE), text)


CUE_WORDS = ["no", "Not", "NEVER", "if", "May", "like", "are", "excluded", "but", "and", "the",
             "weights", "shared", "e.g.", "Dr.", ";", ".", ",", "’s", "İf", "\u212anot", "out of scope",
             "inspired by", "unless", "teams", "will", "be", "kept private", "\n\n"]  # fmt: skip


def _check_polarity(text: str) -> None:
    low = fold(text)
    if low is None:
        return
    for m in re.finditer(r"\w+(?:\s+\w+)?", text):
        a, b = m.span()
        assert polarity(text, a, b, low) == polarity(text, a, b), (text, a, b)


def test_polarity_on_the_folded_text_is_the_same() -> None:
    texts = _texts()
    for t in texts + [t.upper() for t in texts]:
        _check_polarity(t)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CUE_WORDS), max_size=14))
def test_polarity_on_the_folded_text_is_the_same_random(words: list[str]) -> None:
    _check_polarity(" ".join(words))


def test_construct_is_model_construct() -> None:
    from detente._construct import construct
    from detente.assessment.placement import Evidence
    from detente.assessment.polarity import Polarity
    from detente.assessment.textfacts import Mention

    values = dict(field="summary", quote="q", matched="m", polarity=Polarity.negated, cue="no")
    a, b = construct(Mention, **values), Mention.model_construct(**values)
    assert a == b and list(a.__dict__) == list(b.__dict__)
    assert a.model_fields_set == b.model_fields_set and a.model_dump_json() == b.model_dump_json()
    partial = construct(Evidence, kind="signal", text="x", weight=1.0)  # a default: model_construct
    assert partial == Evidence.model_construct(kind="signal", text="x", weight=1.0)


def _words_before_by_regex(text: str, lo: int, pos: int, n: int) -> int:
    """The reference (the former implementation): the n-th last \\S+ run, else lo."""
    starts = [m.start() for m in re.compile(r"\S+").finditer(text, lo, pos)]
    return starts[-n] if len(starts) >= n else lo


@settings(max_examples=600, deadline=None)
@given(
    st.text(alphabet="ab.,'É \t\n\u00a0\u2003\u3000\x1c\x85\u200b", max_size=24),
    st.data(),
    st.integers(min_value=1, max_value=8),
)
def test_words_before_matches_the_word_scan(text: str, data: st.DataObject, n: int) -> None:
    """polarity's negation scope: the n-th word before a match, read with str.rsplit, is the
    start of the n-th last \\S+ run (the same whitespace as the regex's \\s)."""
    from detente.assessment.polarity import _words_before

    lo = data.draw(st.integers(min_value=0, max_value=len(text)))
    pos = data.draw(st.integers(min_value=lo, max_value=len(text)))
    assert _words_before(text, lo, pos, n) == _words_before_by_regex(text, lo, pos, n)
