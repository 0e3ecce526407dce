"""The cooperation proposal schema: moved to :mod:`detente.model.proposal` (the contracts layer).

This module re-exports it so old import paths keep working; Détente's own code imports
from ``detente.model``.
"""

from detente.model.proposal import *  # noqa: F403
