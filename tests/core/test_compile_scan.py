"""compile_scan (a first-character look-ahead before a pattern) finds exactly what re.compile finds."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from detente.assessment.placement import _compiled
from detente.assessment.polarity import compile_scan
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
