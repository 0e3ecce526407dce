"""Fixtures of the screening tests: an index built once per session from ../shared lists."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

FIXED_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def list_files(shared_lists: Path) -> list[Path]:
    return sorted(p for p in shared_lists.glob("*/*") if p.name != "SOURCE.md")


@pytest.fixture(scope="session")
def real_home(shared_lists: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from detente.screening.store import load_paths

    home = tmp_path_factory.mktemp("detente-home")
    load_paths(list_files(shared_lists), source=None, retrieved_at=FIXED_NOW, home=home)
    return home


@pytest.fixture(scope="session")
def real_index(real_home: Path) -> object:
    from detente.screening.store import open_index

    idx = open_index(real_home)
    assert idx is not None
    return idx
