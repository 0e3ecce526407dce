"""PostgreSQL roles that keep the application away from its own audit trail.

The web app's database role should not own the tables: a table's owner can
disable its triggers (the audit log's append-only guard) or rewrite it.
:func:`harden_roles` makes a separate role (``NOLOGIN`` by default) own every
table, sequence and function of the schema, and grants the application's
login role only what the workflow needs:

* ``audit_log`` and the records a decision rests on (revisions, assessments,
  screening results, comments, decisions and any other table listed in
  :data:`detente.store.audit.AUDITED_TABLES` except ``users``): ``SELECT`` and
  ``INSERT`` only — never ``UPDATE``, ``DELETE``, ``TRUNCATE`` or ``ALTER``;
* ``audit_head``: ``SELECT`` and ``UPDATE`` (the chain's head row);
* every other table: ``SELECT, INSERT, UPDATE, DELETE``.

Run it (as a superuser, or as the owner role) after every ``detente db
upgrade``, because new tables are created by whoever runs the migration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text

from detente.errors import InputError, Problem
from detente.store.db import Database, StoreError

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APPEND_ONLY = (
    "audit_log",
    "revisions",
    "assessments",
    "screening_results",
    "comments",
    "decisions",
    "dispositions",
)
HEAD_ONLY = ("audit_head",)


@dataclass(frozen=True)
class RolesReport:
    schema: str
    owner: str
    app: str
    append_only: tuple[str, ...]
    read_write: tuple[str, ...]


def _check(name: str, what: str) -> str:
    if not _ROLE.match(name):
        raise InputError(
            f"{what} {name!r} is not a plain lower-case role name",
            problems=[Problem("use letters, digits and _", field=what)],
        )
    return name


def harden_roles(db: Database, app_role: str, owner_role: str = "detente_owner") -> RolesReport:
    """Give the schema's tables to ``owner_role`` and the least privileges to ``app_role``."""
    if db.dialect != "postgresql":
        raise StoreError("separate database roles need PostgreSQL (SQLite has no roles)")
    app = _check(app_role, "app role")
    owner = _check(owner_role, "owner role")
    if app == owner:
        raise InputError("the application role must not be the owner role")
    with db.engine.begin() as conn:
        schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
        q_schema = '"' + schema.replace('"', '""') + '"'
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": owner})
        if exists.first() is None:
            conn.execute(text(f'CREATE ROLE "{owner}" NOLOGIN'))
        if (
            conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": app}).first()
            is None
        ):
            raise StoreError(f"the application role {app!r} does not exist: create it first")
        # The application must not act as the owner through membership.
        member = conn.execute(
            text(
                "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
                "JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = :o AND u.rolname = :a"
            ),
            {"o": owner, "a": app},
        ).first()
        if member is not None:
            conn.execute(text(f'REVOKE "{owner}" FROM "{app}"'))
        tables = [
            str(r[0])
            for r in conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"),
                {"s": schema},
            )
        ]
        sequences = [
            str(r[0])
            for r in conn.execute(
                text(
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = :s"
                ),
                {"s": schema},
            )
        ]
        functions = [
            str(r[0])
            for r in conn.execute(
                text(
                    "SELECT p.oid::regprocedure::text FROM pg_proc p "
                    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :s"
                ),
                {"s": schema},
            )
        ]
        conn.execute(text(f'GRANT USAGE ON SCHEMA {q_schema} TO "{owner}", "{app}"'))
        conn.execute(text(f'GRANT CREATE ON SCHEMA {q_schema} TO "{owner}"'))
        conn.execute(text(f'REVOKE CREATE ON SCHEMA {q_schema} FROM "{app}"'))
        append_only: list[str] = []
        read_write: list[str] = []
        for t in tables:
            qt = f'{q_schema}."{t}"'
            conn.execute(text(f'ALTER TABLE {qt} OWNER TO "{owner}"'))
            conn.execute(text(f'REVOKE ALL ON {qt} FROM "{app}"'))
            if t in APPEND_ONLY:
                conn.execute(text(f'GRANT SELECT, INSERT ON {qt} TO "{app}"'))
                append_only.append(t)
            elif t in HEAD_ONLY:
                conn.execute(text(f'GRANT SELECT, UPDATE ON {qt} TO "{app}"'))
                append_only.append(t)
            else:
                conn.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {qt} TO "{app}"'))
                read_write.append(t)
        for seq in sequences:
            qs = f'{q_schema}."{seq}"'
            conn.execute(text(f'ALTER SEQUENCE {qs} OWNER TO "{owner}"'))
            conn.execute(text(f'GRANT USAGE, SELECT ON SEQUENCE {qs} TO "{app}"'))
        for fn in functions:
            conn.execute(text(f'ALTER FUNCTION {fn} OWNER TO "{owner}"'))
    return RolesReport(schema, owner, app, tuple(append_only), tuple(read_write))


__all__ = ["APPEND_ONLY", "RolesReport", "harden_roles"]
