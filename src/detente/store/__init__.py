"""The review-workflow store: proposals (every revision), assessments, screening,
comments, decisions, users, sessions, API tokens and the hash-chained audit log.

SQLAlchemy 2 models with Alembic migrations shipped in this package; SQLite
under ``$DETENTE_HOME`` by default, PostgreSQL with ``DATABASE_URL``.
"""

from __future__ import annotations

from detente.store.config import database_url, default_sqlite_path
from detente.store.db import Database, open_database

__all__ = ["Database", "database_url", "default_sqlite_path", "open_database"]
