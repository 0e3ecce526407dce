"""The due-diligence result models: moved to :mod:`detente.model.diligence` (the contracts layer).

This module re-exports it so old import paths keep working; Détente's own code imports
from ``detente.model``.
"""

from detente.model.diligence import *  # noqa: F403
