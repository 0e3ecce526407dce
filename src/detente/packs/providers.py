"""Détente's bundled research-security rule packs, registered through ``detente.packs``.

A third-party distribution registers its own folder of pack files the same way; every registered
source is loaded with the bundled packs (pack ids must stay unique).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from detente.registry import PackSource


def _bundled() -> Sequence[Path]:
    from detente.packs.loader import default_packs_dir

    return (default_packs_dir(),)


bundled = PackSource(
    paths=_bundled,
    description="The research-security rule packs shipped with Détente (detente/packs/data).",
)
