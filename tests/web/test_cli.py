"""The web capability's commands: db upgrade, users, tokens, audit verify (exit codes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from detente.cli.main import app
from detente.store.db import Database


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DETENTE_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return f"sqlite:///{tmp_path / 'detente.sqlite3'}"


def test_users_tokens_and_audit_verify(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["db", "upgrade"])
    assert r.exit_code == 0 and "0003" in r.output
    monkeypatch.setenv("DETENTE_PASSWORD", "reviewer-password")
    r = runner.invoke(app, ["users", "add", "rita", "--role", "reviewer"])
    assert r.exit_code == 0, r.output
    monkeypatch.delenv("DETENTE_PASSWORD")
    r = runner.invoke(
        app, ["users", "add", "ada", "--role", "admin"], input="admin-password\nadmin-password\n"
    )
    assert r.exit_code == 0, r.output
    monkeypatch.setenv("MY_PW", "x")
    r = runner.invoke(app, ["users", "add", "short", "--password-env", "MY_PW"])
    assert r.exit_code == 2 and "at least 8" in r.output
    r = runner.invoke(
        app, ["users", "add", "rita", "--role", "reviewer"], input="another-pass\nanother-pass\n"
    )
    assert r.exit_code == 2 and "already exists" in r.output
    r = runner.invoke(
        app, ["users", "add", "x", "--role", "king"], input="another-pass\nanother-pass\n"
    )
    assert r.exit_code == 2
    r = runner.invoke(app, ["users", "list"])
    assert any(line.split() == ["rita", "reviewer", "active"] for line in r.output.splitlines())
    r = runner.invoke(app, ["users", "token", "rita", "--name", "ci"])
    assert r.exit_code == 0 and r.output.strip().startswith("dtk_")
    r = runner.invoke(app, ["users", "set", "rita", "--disabled"])
    assert r.exit_code == 0
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 0 and "intact" in r.output

    db = Database(env)
    with db.write() as s:
        s.execute(text("DROP TRIGGER audit_log_no_update"))
        s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    db.dispose()
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code != 0
    assert "entry 2" in r.output


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["db", "current", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
    )
    assert r.exit_code != 0
    assert "cannot read" in r.output and "Traceback" not in r.output


def test_help_does_not_import_the_web_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from detente.cli.main import app; "
        "bad = [m for m in ('fastapi', 'sqlalchemy', 'uvicorn') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "fastapi" not in out and "uvicorn" not in out


def test_audit_verify_without_a_store_checks_nothing_and_says_so(env: str, tmp_path: Path) -> None:
    """A fresh home used to get an empty store created and its empty log called 'intact' (exit 0):
    not checked is never clean."""
    runner = CliRunner()
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 2 and "no store at" in r.output and "intact" not in r.output
    assert not (tmp_path / "detente.sqlite3").exists()  # nothing was created
    r = runner.invoke(app, ["db", "upgrade"])
    assert r.exit_code == 0
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 0 and "empty" in r.output and "intact" not in r.output
