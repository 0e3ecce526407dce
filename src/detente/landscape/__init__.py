"""The collaboration landscape (the paper's Figure 1): who co-authors AI-safety research with whom.

Public functions for the rest of Détente (light to import; heavy libraries load lazily):

* :func:`section_for` -- co-authorship evidence for a proposal's parties, or None;
* :func:`infer_areas` -- framework areas of a text from the trained classifier, or [].
"""

from __future__ import annotations

from detente.landscape.classifier import AreaGuess
from detente.landscape.section import LandscapeSection, infer_areas, section_for

__all__ = ["AreaGuess", "LandscapeSection", "infer_areas", "section_for"]
