"""Where the landscape keeps its files: ``$DETENTE_HOME`` (default ``~/.local/share/detente``)."""

from __future__ import annotations

import os
from pathlib import Path


def data_home() -> Path:
    """The user data directory (not created here)."""
    env = os.environ.get("DETENTE_HOME")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "detente"


def landscape_dir() -> Path:
    return data_home() / "landscape"


def default_db_path() -> Path:
    """The landscape DuckDB file used when a command is not given ``--db``."""
    return landscape_dir() / "landscape.duckdb"


def model_path() -> Path:
    """The trained text classifier (written by ``detente landscape classifier train``)."""
    return landscape_dir() / "classifier.joblib"


def default_out_dir() -> Path:
    return landscape_dir() / "figures"
