"""The smaller faults of issue 10, each with a test that failed before the fix."""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from detente.store.service import Workflow
from detente.web.app import create_app
from detente.web.settings import Settings

from .conftest import PASSWORDS, ROLES, actor, login, make_client, token_for
from .samples import VERIFICATION

PG_URL = os.environ.get("DETENTE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_schema_url() -> Iterator[str]:
    try:
        import psycopg

        conn = psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3
        )
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    schema = f"detente_h_{uuid.uuid4().hex[:10]}"
    with conn:
        conn.autocommit = True
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{PG_URL}?options=-csearch_path%3D{schema}"
        finally:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
        gen = None
    else:
        gen = _pg_schema_url()
        url = next(gen)
    application = create_app(Settings(database_url=url))
    wf: Workflow = application.state.workflow
    for name, role in ROLES.items():
        wf.create_user(name, PASSWORDS[name], role)
    yield application
    wf.db.dispose()
    if gen is not None:
        gen.close()


def test_page_ids_beyond_the_integer_range_are_404_on_both_databases(any_app: Any) -> None:
    with make_client(any_app) as c:
        login(c, "rita")
        for path in (
            "/proposals/2147483648",
            "/proposals/99999999999999999999",
            "/proposals/2147483648/compare",
            "/proposals/2147483648/revise",
            "/proposals/2147483648/export.md",
        ):
            r = c.get(path)
            assert r.status_code == 404, (path, r.status_code, r.text[:300])
        r = c.get("/api/v1/proposals/2147483648", headers=token_for(any_app.state.workflow, "rita"))
        assert r.status_code in (404, 422)


def test_405_names_the_allowed_methods(client: Any) -> None:
    r = client.delete("/login")
    assert r.status_code == 405
    assert "GET" in r.headers["allow"] and "POST" in r.headers["allow"]
    r = client.put("/api/v1/me", headers={"Accept": "application/json"})
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    msg = r.json()["error"]["message"]
    assert msg == "PUT is not allowed on /api/v1/me; it accepts GET"


def test_the_sqlite_file_is_created_private(tmp_path: Path) -> None:
    from detente.store.db import Database

    db = Database(f"sqlite:///{tmp_path / 'sub' / 'private.sqlite3'}")
    db.upgrade()
    f = tmp_path / "sub" / "private.sqlite3"
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        p = f.with_name(f.name + suffix)
        if p.exists():
            assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0
    with db.read() as s:
        assert str(s.execute(text("PRAGMA journal_mode")).scalar()).lower() == "wal"
        assert int(s.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 5000
    db.dispose()


def test_the_decision_form_has_no_default_outcome(client: Any, wf: Workflow) -> None:
    p = wf.submit(actor(wf, "alice"), VERIFICATION)
    csrf = login(client, "rita")
    html = client.get(f"/proposals/{p.id}").text
    select = html[html.index('<select name="outcome"') :]
    select = select[: select.index("</select>")]
    assert 'value="" selected disabled' in select and "required" in select
    assert 'value="approved" selected' not in select
    r = client.post(
        f"/proposals/{p.id}/decision",
        data={"csrf_token": csrf, "reasoning": "Long enough reasoning.", "base_revision": "1"},
    )
    assert r.status_code == 422
    assert wf.get(actor(wf, "rita"), p.id).decisions == []


def test_markdown_export_does_not_pass_raw_html(client: Any, wf: Workflow) -> None:
    hostile = VERIFICATION.replace(
        "title:", 'title: "<img src=x onerror=alert(1)> <script>alert(2)</script>"\nx_old_title:', 1
    ).replace("\nx_old_title:", "\n# old title:", 1)
    p = wf.submit(actor(wf, "alice"), hostile)
    login(client, "alice")
    r = client.get(f"/proposals/{p.id}/export.md")
    assert r.status_code == 200
    assert "<script>" not in r.text and "<img" not in r.text
    assert "&lt;script>" in r.text


def test_stale_update_jobs_are_failed(wf: Workflow) -> None:
    from detente.web.screening_admin import UPDATE_START, job

    ada = actor(wf, "ada")
    dead = wf.record(
        ada,
        UPDATE_START,
        "lists",
        "update",
        {"sources": ["x"], "worker": f"{os.uname().nodename}:999999"},
    )
    j = job(wf, dead)
    assert j["state"] == "failed" and "stale" in j["error"]
    mine = wf.record(
        ada,
        UPDATE_START,
        "lists",
        "update",
        {"sources": ["x"], "worker": f"{os.uname().nodename}:{os.getpid()}"},
    )
    assert job(wf, mine)["state"] == "failed"  # no thread of this process runs it


def test_downloads_back_off_and_honour_retry_after(httpserver: Any) -> None:
    import httpx

    from detente.screening.update import DownloadError, _fetch

    httpserver.expect_ordered_request("/list.csv").respond_with_data(
        "busy", status=429, headers={"Retry-After": "3"}
    )
    httpserver.expect_ordered_request("/list.csv").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/list.csv").respond_with_data("a,b\n1,2\n")
    waits: list[float] = []
    with httpx.Client() as client:
        assert (
            _fetch(client, httpserver.url_for("/list.csv"), 2, sleep=waits.append) == b"a,b\n1,2\n"
        )
    assert waits[0] == 3.0 and 0 < waits[1] <= 2.0
    httpserver.expect_request("/gone.csv").respond_with_data("no", status=404)
    waits.clear()
    with httpx.Client() as client, pytest.raises(DownloadError):
        _fetch(client, httpserver.url_for("/gone.csv"), 2, sleep=waits.append)
    assert waits == []  # a 404 is not retried


def test_an_admin_unlocks_a_user_from_the_users_page(client: Any, wf: Workflow) -> None:
    from datetime import UTC, datetime

    from detente.errors import AuthenticationError, LoginThrottledError

    fixed = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    wf.clock = lambda: fixed
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            wf.authenticate("alice", "wrong-password", client="10.0.0.1")
    with pytest.raises(LoginThrottledError):
        wf.authenticate("alice", PASSWORDS["alice"], client="10.0.0.1")
    csrf = login(client, "ada")
    uid = wf.get_user("alice").id
    r = client.post(f"/admin/users/{uid}/unlock", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert wf.authenticate("alice", PASSWORDS["alice"], client="10.0.0.1").username == "alice"
    client.cookies.clear()
    csrf = login(client, "rita")
    r = client.post(f"/admin/users/{uid}/unlock", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 403
