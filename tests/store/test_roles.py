"""`detente db harden-roles` on the real PostgreSQL: the app role cannot touch the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from typer.testing import CliRunner

from detente.cli.main import app as cli_app
from detente.store.db import Database, open_database
from detente.store.service import Workflow

from .conftest import _pg_conninfo
from .samples import VERIFICATION

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_role(pg_url: str) -> Iterator[str]:
    import psycopg

    role = f"detente_app_{uuid.uuid4().hex[:8]}"
    owner = f"detente_own_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        yield f"{role}:{owner}"
    finally:
        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            schema = make_url(pg_url).query["options"].split("%3D")[-1].split("=")[-1]
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            for r in (role, owner):
                conn.execute(f'DROP OWNED BY "{r}" CASCADE') if _exists(conn, r) else None
                conn.execute(f'DROP ROLE IF EXISTS "{r}"')


def _exists(conn: object, role: str) -> bool:
    cur = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))  # type: ignore[attr-defined]
    return cur.fetchone() is not None


def test_the_app_role_cannot_alter_the_audit_trail(pg_url: str, app_role: str) -> None:
    role, owner = app_role.split(":")
    admin_db = open_database(pg_url)
    r = CliRunner().invoke(
        cli_app,
        ["db", "harden-roles", "--app-role", role, "--owner-role", owner, "--db", pg_url],
    )
    assert r.exit_code == 0, r.output
    assert "audit_log" in r.output
    admin_db.dispose()
    app_url = make_url(pg_url).set(username=role).render_as_string(hide_password=False)
    db = Database(app_url)
    wf = Workflow(db)
    # the workflow still works as the app role
    wf.create_user("alice", "alice-password", "submitter")
    alice = wf.authenticate("alice", "alice-password")
    p = wf.submit(alice, VERIFICATION)
    assert wf.verify_audit().ok
    for sql in (
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        f"UPDATE revisions SET source_text = 'x' WHERE proposal_id = {p.id}",
        "DELETE FROM decisions",
        "DROP TABLE comments",
    ):
        with pytest.raises(ProgrammingError) as info, db.write() as s:
            s.execute(text(sql))
        assert "permission denied" in str(info.value) or "must be owner" in str(info.value), sql
    db.dispose()


def test_sqlite_has_no_roles(tmp_path: object) -> None:
    r = CliRunner().invoke(
        cli_app, ["db", "harden-roles", "--app-role", "x", "--db", f"sqlite:///{tmp_path}/x.db"]
    )
    assert r.exit_code != 0 and "PostgreSQL" in r.output
