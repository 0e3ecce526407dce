"""The contracts layer: the typed data that crosses capability boundaries.

The lowest layer of Détente: it imports only pydantic, the standard library and itself, and every
capability (framework, assessment, screening, landscape, packs) and every door (report, store, web,
CLI) may import it.  It holds the proposal schema, the flag vocabulary the rules are written in and
the typed results of the enrichers (due diligence, research-security packs, landscape, placement,
facts read from the text).  See
design/contracts.md; tests/core/test_layers.py enforces the layering.
"""

from __future__ import annotations

from detente.model.diligence import DueDiligence, ListMatch, ScreeningResult
from detente.model.landscape import LandscapeRow, LandscapeSection
from detente.model.packs import PacksReport
from detente.model.placement import Placement
from detente.model.proposal import DEFAULT_RIVALRY, Party, Person, Proposal, Rivalry
from detente.model.textfacts import ContradictedSafeguard, Polarity, TextFact
from detente.model.vocabulary import DILIGENCE_FLAGS, SAFEGUARD_PREFIX, VERDICT_FLAGS, VOCABULARY

__all__ = [
    "DEFAULT_RIVALRY",
    "DILIGENCE_FLAGS",
    "SAFEGUARD_PREFIX",
    "VERDICT_FLAGS",
    "VOCABULARY",
    "ContradictedSafeguard",
    "DueDiligence",
    "LandscapeRow",
    "LandscapeSection",
    "ListMatch",
    "PacksReport",
    "Party",
    "Person",
    "Placement",
    "Polarity",
    "Proposal",
    "Rivalry",
    "ScreeningResult",
    "TextFact",
]
