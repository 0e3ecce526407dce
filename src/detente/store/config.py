"""Where the store lives: ``DATABASE_URL`` or a SQLite file under ``$DETENTE_HOME``."""

from __future__ import annotations

import os
from pathlib import Path


def data_home() -> Path:
    env = os.environ.get("DETENTE_HOME")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "detente"


def default_sqlite_path() -> Path:
    return data_home() / "detente.sqlite3"


def database_url(explicit: str | None = None) -> str:
    """The database URL: an explicit one, then ``DATABASE_URL``, then the default SQLite file.

    ``postgres://`` and ``postgresql://`` are read as psycopg 3 URLs.
    """
    url = explicit or os.environ.get("DATABASE_URL") or ""
    if not url:
        return f"sqlite:///{default_sqlite_path()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url
