"""The research-security facts of a proposal: moved to :mod:`detente.model.research_security` (the contracts layer).

This module re-exports it so old import paths keep working; Détente's own code imports
from ``detente.model``.
"""

from detente.model.research_security import *  # noqa: F403
