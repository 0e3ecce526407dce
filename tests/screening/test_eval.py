"""Labelled evaluation on the real lists: recall >= 0.97 and precision >= 0.95 at the default threshold."""

from __future__ import annotations

import pytest

from .evaluation import detente_decider, evaluate, load_pairs, table, totals

pytestmark = pytest.mark.shared


def test_pairs_file_is_big_enough() -> None:
    pairs = load_pairs()
    assert len(pairs) >= 500
    cats = {p.category for p in pairs}
    for needed in (
        "alias",
        "acronym",
        "transliteration_cjk",
        "typo",
        "word_order",
        "parent",
        "unlisted_peer",
        "similar_name_different_org",
    ):
        assert needed in cats


def test_precision_recall_at_default_threshold(real_index: object) -> None:
    pairs = load_pairs()
    res, _ = evaluate(pairs, detente_decider(real_index))
    print()
    print(table(res, "Détente screening, default threshold"))
    for cat, t in sorted(res.items()):
        if t.misses:
            print(f"  {cat} errors: {t.misses[:6]}")
    precision, recall = totals(res)
    assert recall >= 0.97, f"recall {recall:.3f}"
    assert precision >= 0.95, f"precision {precision:.3f}"


def test_tsinghua_is_related_not_hit(real_index: object) -> None:
    from detente.screening.diligence import screen
    from detente.screening.store import LoadedIndex

    assert isinstance(real_index, LoadedIndex)
    r = screen(real_index, "Tsinghua University", country="CN")
    assert r.status == "related"
    assert any(m.related and "Tsinghua" in m.entry_name for m in r.matches)
