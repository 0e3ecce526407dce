"""Sign-in throttling through the login form (per user name, per address, across workers) and
session cleanup (`detente db cleanup`).  Time is the workflow's clock, moved by the test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from detente.cli.main import app as cli_app
from detente.store.models import WebSession
from detente.store.service import Workflow
from detente.web.app import create_app
from detente.web.settings import Settings

from .conftest import PASSWORDS, csrf_of, make_client


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _app(db: str, *, trust: bool = True):  # type: ignore[no-untyped-def]
    return create_app(Settings(database_url=db, trust_forwarded_for=trust))


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DETENTE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return f"sqlite:///{tmp_path / 'web.sqlite3'}"


def _try(c, name: str, password: str, ip: str, **kw):  # type: ignore[no-untyped-def]
    token = csrf_of(c.get("/login").text)
    return c.post(
        "/login",
        data={"csrf_token": token, "username": name, "password": password, "next": "/"},
        headers={"X-Forwarded-For": f"203.0.113.99, {ip}", **kw.pop("headers", {})},
        follow_redirects=False,
        **kw,
    )


def test_five_failures_then_429_page_per_user_name_and_per_address(db_file: str) -> None:
    application = _app(db_file)
    wf: Workflow = application.state.workflow
    clock = Clock()
    wf.clock = clock
    wf.create_user("alice", PASSWORDS["alice"], "submitter")
    wf.create_user("bob", PASSWORDS["bob"], "submitter")
    with make_client(application) as c:
        for _ in range(3):
            r = _try(c, "alice", "wrong-password", "10.0.0.1")
            assert r.status_code == 401 and "wrong user name or password" in r.text
        r = _try(c, "alice", PASSWORDS["alice"], "10.0.0.1")  # the guesser's address waits
        assert r.status_code == 429
        assert "too many failed sign-ins for this user name" in r.text
        assert '<form method="post" action="/login"' in r.text  # still the readable login page
        assert 0 < int(r.headers["retry-after"]) <= 30
        # JSON clients get the one error shape
        r = _try(c, "alice", PASSWORDS["alice"], "10.0.0.1", headers={"Accept": "application/json"})
        assert r.status_code == 429
        err = r.json()["error"]
        assert err["code"] == "too_many_requests" and "try again in" in err["message"]
        # the right password from a new address is never held back: no lock-out
        assert _try(c, "alice", PASSWORDS["alice"], "10.0.0.99").status_code == 303
        c.cookies.clear()
        assert _try(c, "bob", PASSWORDS["bob"], "10.0.0.99").status_code == 303
        # per address: failures for assorted names from one address delay it, briefly
        c.cookies.clear()
        for n in range(5):
            assert _try(c, f"guess{n}", "x" * 10, "198.51.100.5").status_code == 401
        r = _try(c, "bob", PASSWORDS["bob"], "198.51.100.5")
        assert r.status_code == 429 and int(r.headers["retry-after"]) <= 60
        assert _try(c, "bob", PASSWORDS["bob"], "198.51.100.6").status_code == 303
        clock.now += timedelta(seconds=61)
        c.cookies.clear()
        assert _try(c, "alice", PASSWORDS["alice"], "198.51.100.5").status_code == 303
    assert any(
        e.action == "auth.login_failed" and e.details.get("client") == "10.0.0.1"
        for e in wf.audit_entries(limit=100)[0]
    )
    wf.db.dispose()


def test_the_count_is_shared_by_workers_through_the_database(db_file: str) -> None:
    one, two = _app(db_file, trust=False), _app(db_file, trust=False)
    clock = Clock()  # delays are seconds long: a slow machine must not outwait them
    one.state.workflow.clock = two.state.workflow.clock = clock
    wf: Workflow = one.state.workflow
    wf.create_user("alice", PASSWORDS["alice"], "submitter")
    with make_client(one) as c1, make_client(two) as c2:
        for i in range(3):
            c = c1 if i % 2 else c2
            assert _try(c, "alice", "wrong-password", "ignored").status_code == 401
        assert _try(c1, "alice", PASSWORDS["alice"], "ignored").status_code == 429
        assert _try(c2, "alice", PASSWORDS["alice"], "ignored").status_code == 429
    for a in (one, two):
        a.state.workflow.db.dispose()


def test_without_a_trusted_proxy_forwarded_for_is_ignored(db_file: str) -> None:
    application = _app(db_file, trust=False)
    wf: Workflow = application.state.workflow
    wf.clock = Clock()
    wf.create_user("bob", PASSWORDS["bob"], "submitter")
    with make_client(application) as c:
        for n in range(5):  # a client cannot dodge the address limit by inventing hops
            assert _try(c, f"guess{n}", "x" * 10, f"10.1.1.{n}").status_code == 401
        assert _try(c, "bob", PASSWORDS["bob"], "10.1.1.200").status_code == 429
    wf.db.dispose()


def test_sign_in_and_db_cleanup_purge_expired_sessions(db_file: str) -> None:
    application = _app(db_file)
    wf: Workflow = application.state.workflow
    clock = Clock()
    wf.clock = clock
    wf.create_user("alice", PASSWORDS["alice"], "submitter")

    def sessions() -> int:
        with wf.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(WebSession)) or 0)

    with make_client(application) as c:
        assert _try(c, "alice", PASSWORDS["alice"], "10.0.0.1").status_code == 303
        assert c.get("/").status_code == 200
        clock.now += timedelta(hours=13)
        assert c.get("/", follow_redirects=False).status_code == 303  # expired → sign in again
        assert sessions() == 1
        c.cookies.clear()
        assert _try(c, "alice", PASSWORDS["alice"], "10.0.0.1").status_code == 303
        assert sessions() == 1  # the expired one was purged by the sign-in
    # `detente db cleanup` purges what expired since (real clock: far in the past here)
    with wf.db.write() as s:
        s.query(WebSession).update({WebSession.expires_at: datetime(2000, 1, 1, tzinfo=UTC)})
    r = CliRunner().invoke(cli_app, ["db", "cleanup", "--database-url", db_file])
    assert r.exit_code == 0, r.output
    assert "deleted 1 expired session(s)" in r.output
    assert sessions() == 0
    wf.db.dispose()
