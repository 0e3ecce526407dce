"""Fixtures of the screening tests: an index built once per session from ../shared lists."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

FIXED_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def list_files(shared_lists: Path) -> list[Path]:
    return sorted(p for p in shared_lists.glob("*/*") if p.name != "SOURCE.md")


@pytest.fixture(scope="session")
def real_home(shared_lists_home: Path) -> Path:
    """Every shared list loaded at FIXED_NOW (the session's one load, tests/conftest.py)."""
    return shared_lists_home


@pytest.fixture(scope="session")
def real_index(real_home: Path) -> object:
    from detente.screening.store import open_index

    idx = open_index(real_home)
    assert idx is not None
    return idx
