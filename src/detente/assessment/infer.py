"""The areas an assessment covers, from the placement (see :mod:`detente.assessment.placement`).

Declared areas are used as given.  Inferred areas are the ones :func:`~detente.assessment.
placement.place` placed with enough confidence, shown as inferred with their confidence and the
evidence (keywords with the sentence they were found in, declared signals, classifier terms).
When nothing is placed, no area is assessed: the placement says so and names the candidates.
"""

from __future__ import annotations

import re
from functools import lru_cache

from detente.assessment.features import side_features
from detente.assessment.placement import AreaClassifier, Placement, place
from detente.assessment.polarity import compile_scan
from detente.assessment.result import AreaPlacement
from detente.framework.model import AreaDef, Framework
from detente.model.proposal import Proposal

__all__ = ["AreaClassifier", "area_placements", "keyword_hits", "place_areas"]

_DECLARED: dict[
    tuple[int, tuple[tuple[str, tuple[str, ...]], ...]], tuple[Framework, tuple[AreaPlacement, ...]]
] = {}


@lru_cache(maxsize=4096)
def _pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(keyword.lower()) + r"(?![\w-])")


def keyword_hits(text: str, keywords: list[str]) -> list[str]:
    low = text.lower()
    return [k for k in dict.fromkeys(keywords) if _pattern(k).search(low)]


@lru_cache(maxsize=4096)
def _any_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation for a keyword list: it matches where any one of :func:`_pattern` does."""
    if not keywords:
        return None
    alts = "|".join(re.escape(k.lower()) for k in dict.fromkeys(keywords))
    # compile_scan: the same matches, tried only where a keyword can start
    return compile_scan(r"(?<![\w-])(?:" + alts + r")(?![\w-])")


_SUBTOPICS: dict[int, tuple[AreaDef, tuple[tuple[str, re.Pattern[str]], ...]]] = {}


def _subtopic_patterns(area: AreaDef) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Per sub-topic of ``area`` (a frozen framework record), its keyword alternation: built once
    per loaded framework."""
    hit = _SUBTOPICS.get(id(area))
    if hit is None or hit[0] is not area:
        if len(_SUBTOPICS) > 64:
            _SUBTOPICS.clear()
        patterns = tuple(
            (s.id, pat)
            for s in area.subtopics
            if (pat := _any_pattern(tuple(s.keywords))) is not None
        )
        hit = _SUBTOPICS[id(area)] = (area, patterns)
    return hit[1]


def _subtopics(area: AreaDef, text: str) -> list[str]:
    low = text.lower()
    return [sid for sid, pat in _subtopic_patterns(area) if pat.search(low)]


def area_placements(p: Proposal, fw: Framework, placement: Placement) -> list[AreaPlacement]:
    """The assessed areas of ``placement`` in the assessment's ``areas`` shape."""
    if placement.status == "declared":
        key = tuple((ref.id, tuple(ref.subtopics)) for ref in p.areas)
        hit = _DECLARED.get((id(fw), key))
        if hit is None or hit[0] is not fw:
            if len(_DECLARED) > 1024:
                _DECLARED.clear()
            # frozen objects: one list per framework and set of declared areas
            hit = _DECLARED[(id(fw), key)] = (
                fw,
                tuple(
                    AreaPlacement(
                        id=area_id,
                        name=fw.area_index[area_id].name,
                        inferred=False,
                        method="declared in the proposal",
                        evidence=[],
                        subtopics=list(subs),
                        paper_conclusion=fw.area_index[area_id].paper_conclusion,
                    )
                    for area_id, subs in key
                ),
            )
        return list(hit[1])
    text = p.text()
    by_area = {c.area: c for c in placement.candidates}
    out = []
    for area_id in placement.areas:
        cand = by_area[area_id]
        area = fw.area_index[area_id]
        evidence = []
        for e in cand.evidence:
            if e.kind == "signal":
                evidence.append(f"signal {e.text}")
            elif e.kind == "classifier":
                evidence.append(f"classifier {e.text}")
            else:
                evidence.append(f"{e.kind} '{e.text}'")
        out.append(
            AreaPlacement(
                id=area_id,
                name=area.name,
                inferred=True,
                method=f"inferred from {placement.method} (confidence {cand.confidence:.2f})",
                evidence=evidence,
                subtopics=_subtopics(area, text),
                paper_conclusion=area.paper_conclusion,
                confidence=cand.confidence,
            )
        )
    return out


def place_areas(
    p: Proposal,
    fw: Framework,
    flags: frozenset[str] | None = None,
    classifier: AreaClassifier | None = None,
) -> list[AreaPlacement]:
    """Declared areas, or the inferred ones with their evidence; [] when nothing is placed."""
    if flags is None:
        flags = side_features(p)[0].flags if p.parties else frozenset()
    return area_placements(p, fw, place(p, fw, flags, classifier))
