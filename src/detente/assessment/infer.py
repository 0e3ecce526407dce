"""Placing a proposal in the framework's areas.

Declared areas are used as given.  When a proposal declares none, areas are
inferred with a transparent method and shown as inferred, with the evidence:

* **signals** — features of the proposal that belong to an area (e.g. the
  activity ``develop_verification``, the form ``shared_compute``), 2 points each;
* **keywords** — the area's keywords found in the title, summary and
  description (whole words, case-insensitive), 1 point per distinct keyword;
  where keywords overlap, the longest phrase wins ("compute" inside
  "compute accounting" counts for verification only).

An area is placed when it has a signal or at least two distinct keywords; if
nothing reaches that, the single best area with any evidence is placed.  The
keyword lists live in the framework file, so they are versioned with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

from detente.assessment.features import side_features
from detente.assessment.proposal import Proposal
from detente.assessment.result import AreaPlacement
from detente.framework.model import AreaDef, Framework

MIN_KEYWORDS = 2


@lru_cache(maxsize=4096)
def _pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(keyword.lower()) + r"(?![\w-])")


def keyword_hits(text: str, keywords: list[str]) -> list[str]:
    low = text.lower()
    return [k for k in dict.fromkeys(keywords) if _pattern(k).search(low)]


def _area_keyword_hits(text: str, areas: list[AreaDef]) -> dict[str, list[str]]:
    """Keywords found per area, longest match first: a word inside a longer matched phrase does not
    count on its own ("compute" inside "compute accounting" is verification, not infrastructure)."""
    low = text.lower()
    found: list[tuple[int, int, str, str]] = []
    for area in areas:
        for k in dict.fromkeys(area.keywords):
            for m in _pattern(k).finditer(low):
                found.append((m.start(), m.end(), area.id, k))
    found.sort(key=lambda x: (-(x[1] - x[0]), x[0]))
    taken: list[tuple[int, int]] = []
    hits: dict[str, list[str]] = {a.id: [] for a in areas}
    for start, end, area_id, k in found:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        if k not in hits[area_id]:
            hits[area_id].append(k)
    return hits


def _subtopics(area: AreaDef, text: str) -> list[str]:
    return [s.id for s in area.subtopics if keyword_hits(text, s.keywords)]


class AreaGuessLike(Protocol):
    area: str
    score: float
    evidence: list[str]


AreaClassifier = Callable[[str], Sequence[AreaGuessLike]]


def place_areas(
    p: Proposal,
    fw: Framework,
    flags: frozenset[str] | None = None,
    classifier: AreaClassifier | None = None,
) -> list[AreaPlacement]:
    """Declared areas, or inferred ones with their evidence; [] when nothing is found.

    With a ``classifier`` (e.g. :func:`detente.landscape.infer_areas`, a text model trained on
    labelled AI-safety literature), its guesses are used when it returns any; otherwise the
    keyword-and-signal method is used, and the placement says which method decided.
    """
    if p.areas:
        return [
            AreaPlacement(
                id=ref.id,
                name=fw.area_index[ref.id].name,
                inferred=False,
                method="declared in the proposal",
                evidence=[],
                subtopics=list(ref.subtopics),
                paper_conclusion=fw.area_index[ref.id].paper_conclusion,
            )
            for ref in p.areas
        ]
    text = p.text()
    if classifier is not None:
        guesses = [g for g in classifier(text) if g.area in fw.area_index]
        if guesses:
            return [
                AreaPlacement(
                    id=g.area,
                    name=fw.area_index[g.area].name,
                    inferred=True,
                    method=f"text classifier (score {g.score:.2f})",
                    evidence=[f"term '{e}'" for e in g.evidence[:8]],
                    subtopics=_subtopics(fw.area_index[g.area], text),
                    paper_conclusion=fw.area_index[g.area].paper_conclusion,
                )
                for g in guesses
            ]
    if flags is None:
        flags = side_features(p)[0].flags if p.parties else frozenset()
    scored: list[tuple[int, AreaDef, list[str], list[str]]] = []
    words_by_area = _area_keyword_hits(text, list(fw.doc.areas))
    for area in fw.doc.areas:
        signals = [s for s in area.signals if s in flags]
        words = words_by_area[area.id]
        score = 2 * len(signals) + len(words)
        if score:
            scored.append((score, area, signals, words))
    placed = [x for x in scored if x[2] or len(x[3]) >= MIN_KEYWORDS]
    if not placed and scored:
        placed = [max(scored, key=lambda x: x[0])]
    return [
        AreaPlacement(
            id=area.id,
            name=area.name,
            inferred=True,
            method=f"keywords and signals (score {score})",
            evidence=[f"signal {s}" for s in signals] + [f"keyword '{w}'" for w in words],
            subtopics=_subtopics(area, text),
            paper_conclusion=area.paper_conclusion,
        )
        for score, area, signals, words in placed
    ]
