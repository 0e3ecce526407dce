"""Storage fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL is the server on loopback (``DETENTE_TEST_PG``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets its own
schema, created before and dropped after, so parallel runs never collide.
Tests are skipped with the reason when the server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("DETENTE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_pg_state: dict[str, str | None] = {}


def _pg_conninfo() -> str:
    from sqlalchemy.engine import make_url

    u = make_url(PG_URL)
    return f"host={u.host or '127.0.0.1'} port={u.port or 5432} user={u.username or 'postgres'} dbname={u.database or 'test'}"


def pg_unavailable() -> str | None:
    """None when PostgreSQL answers, else why not (checked once)."""
    if "reason" not in _pg_state:
        try:
            import psycopg

            with psycopg.connect(_pg_conninfo(), connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_state["reason"] = None
        except Exception as exc:
            _pg_state["reason"] = (
                f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}: {exc}"
            )
    return _pg_state["reason"]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped after the test."""
    reason = pg_unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"detente_t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DETENTE_HOME", str(tmp_path / "home"))
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    return url
