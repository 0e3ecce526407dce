"""Shared test fixtures.

Data under ``../shared`` is read in place, never copied into the repo.  Tests
that need it are skipped, with the reason shown, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_root() -> Path | None:
    env = os.environ.get("DETENTE_SHARED")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared", REPO.parent.parent / "shared"]
    for c in candidates:
        if (c / "data").is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def shared() -> Path:
    root = shared_root()
    if root is None:
        pytest.skip("../shared not found (set DETENTE_SHARED): real list/biblio data unavailable")
    return root


@pytest.fixture(scope="session")
def shared_lists(shared: Path) -> Path:
    return shared / "data" / "lists"


@pytest.fixture(scope="session")
def shared_biblio(shared: Path) -> Path:
    return shared / "data" / "biblio"
