"""Web fixtures: an app on a fresh SQLite database, users of every role, signed-in clients."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from detente.store.service import Workflow
from detente.store.views import Actor
from detente.web.app import create_app
from detente.web.settings import Settings

PASSWORDS = {
    "alice": "alice-password",
    "bob": "bob-password",
    "rita": "rita-password",
    "ada": "ada-password",
}
ROLES = {"alice": "submitter", "bob": "submitter", "rita": "reviewer", "ada": "admin"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DETENTE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    application = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}"))
    wf: Workflow = application.state.workflow
    for name, role in ROLES.items():
        wf.create_user(name, PASSWORDS[name], role)
    yield application
    wf.db.dispose()


@pytest.fixture
def wf(app) -> Workflow:  # type: ignore[no-untyped-def]
    w: Workflow = app.state.workflow
    return w


def actor(wf: Workflow, name: str) -> Actor:
    u = wf.get_user(name)
    return Actor(id=u.id, username=u.username, role=u.role)


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def login(client: TestClient, name: str) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    r = client.get("/login")
    r = client.post(
        "/login",
        data={
            "csrf_token": csrf_of(r.text),
            "username": name,
            "password": PASSWORDS[name],
            "next": "/",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200, r.text
    return csrf_of(client.get("/proposals/new").text)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def make_client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, raise_server_exceptions=False)


def token_for(wf: Workflow, name: str) -> dict[str, str]:
    raw, _ = wf.create_token(actor(wf, name), "tests")
    return {"Authorization": f"Bearer {raw}"}
