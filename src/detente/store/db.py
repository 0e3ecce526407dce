"""Engines, sessions and migrations.

SQLite is configured for a multi-threaded web server: WAL journal, foreign
keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so
two writers queue instead of failing half-way.  PostgreSQL uses psycopg 3.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from detente.errors import StoreError
from detente.store.config import database_url, redact

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_IMMEDIATE = "detente_write"


def _create_private(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by its owner only: 0600 / 0700.

    The WAL and shared-memory files SQLite makes next to it inherit the file's mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    for suffix in ("", "-wal", "-shm"):
        p = path.with_name(path.name + suffix)
        if p.exists() and p.stat().st_mode & 0o077:
            p.chmod(0o600)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(_IMMEDIATE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """One database: an engine, read and write sessions, and migrations."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        u = make_url(self.url)
        self.dialect = u.get_backend_name()
        kwargs: dict[str, Any] = {"future": True}
        if self.dialect == "sqlite":
            if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
                _create_private(Path(u.database).expanduser())
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            kwargs["pool_size"] = 20
            kwargs["max_overflow"] = 40
        elif self.dialect == "postgresql":
            from detente.registry import require_extra

            require_extra("postgres", f"the database {redact(self.url)}")
            kwargs["pool_size"] = 10
            kwargs["max_overflow"] = 30
            kwargs["pool_pre_ping"] = True
        try:
            self.engine = create_engine(self.url, **kwargs)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot open the database {redact(self.url)}: {exc}") from None
        if self.dialect == "sqlite":
            _sqlite_setup(self.engine)
        self._write_engine = self.engine.execution_options(**{_IMMEDIATE: True})

    def __repr__(self) -> str:
        return f"Database({redact(self.url)!r})"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (its transaction is rolled back at the end)."""
        with Session(self.engine, expire_on_commit=False) as s:
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits at the end, or rolls back on error."""
        with Session(self._write_engine, expire_on_commit=False) as s, s.begin():
            yield s

    # -- migrations ---------------------------------------------------------------------

    def _alembic_config(self) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def upgrade(self, target: str = "head") -> str | None:
        """Apply the migrations up to ``target``; returns the revision now current."""
        from alembic import command

        cfg = self._alembic_config()
        try:
            with self._write_engine.begin() as conn:
                if self.dialect == "postgresql":
                    # Two servers starting at once must not migrate at the same time.
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7303720125)")
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot migrate {redact(self.url)}: {exc.__class__.__name__}: {exc}"
            ) from None
        return self.current()

    def current(self) -> str | None:
        """The migration revision the database is at (None for an empty database)."""
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot read {redact(self.url)}: {exc.__class__.__name__}: {exc}"
            ) from None

    def head(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    def check_current(self) -> None:
        """Raise unless the schema is at the newest migration."""
        cur, head = self.current(), self.head()
        if cur != head:
            raise StoreError(
                f"the database {redact(self.url)} is at migration {cur or 'none'}, not {head}: "
                "run `detente db upgrade`"
            )

    def tables(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, upgrade: bool = True) -> Database:
    """Open the configured database, migrating it to the newest schema by default."""
    db = Database(url)
    if upgrade:
        db.upgrade()
    return db


__all__ = ["MIGRATIONS_DIR", "Database", "StoreError", "open_database"]
