"""Admins manage restricted-party lists from the web: status, update from official sources, upload.

Updates run against a local HTTP server (pytest-httpserver) through the
``lists_mirror`` setting, the same ``<mirror>/<source>/<file>`` layout as
``detente lists update --mirror``; nothing is fetched from the internet.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from detente.screening.store import current_snapshots
from detente.store.service import Workflow
from detente.web.app import create_app
from detente.web.settings import Settings

from .conftest import PASSWORDS, ROLES, actor, login, make_client, token_for

USER_LIST = (
    "name,aliases,name_native,type,country,list,meaning,programme,listed_on,entry_id\n"
    "Example Frontier AI Lab,EFAL; Frontier Example Lab,示例前沿人工智能实验室,org,CN,"
    "Internal watchlist,Prior incident: data exfiltration,,2026-01-15,W-1\n"
    "Jane Example,,,person,,Internal watchlist,Contract dispute,,2025-06-01,W-2\n"
).encode()

MIEU = (
    b"Type,Name,Alias,Country,Date\n"
    b"Organization,Example Aviation Research Institute,EARI,China,2025-01-15\n"
    b"Organization,Second Example Defence Bureau,,China,2025-01-15\n"
)

LISTED = """\
title: Joint evaluation work with a listed lab
parties:
  - name: Example University
    country: US
    type: university
  - name: Example Frontier AI Lab
    country: CN
    type: company
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def lists_app(tmp_path: Path, home: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DETENTE_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    application = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}",
            lists_mirror=httpserver.url_for("/"),
            lists_retries=0,
            lists_timeout=10,
        )
    )
    wf: Workflow = application.state.workflow
    for name, role in ROLES.items():
        wf.create_user(name, PASSWORDS[name], role)
    yield application
    application.state.list_jobs.join()
    wf.db.dispose()


@pytest.fixture
def admin(lists_app) -> Iterator[tuple[TestClient, str]]:  # type: ignore[no-untyped-def]
    with make_client(lists_app) as c:
        yield c, login(c, "ada")


def _serve_mieu(server: HTTPServer, status: int = 200) -> None:
    server.clear()
    if status == 200:
        server.expect_request("/bis_mieu/mieu.csv").respond_with_data(MIEU, content_type="text/csv")
    else:
        server.expect_request("/bis_mieu/mieu.csv").respond_with_data("boom", status=status)


def _actions(wf: Workflow) -> list[str]:
    entries, _ = wf.audit_entries(limit=500)
    return [e.action for e in entries]


def test_admin_loads_a_user_list_through_the_page_and_it_screens(
    lists_app, admin, home: Path
) -> None:  # type: ignore[no-untyped-def]
    c, csrf = admin
    r = c.get("/admin/lists")
    assert r.status_code == 200
    assert "Load list files" in r.text and "Update from official sources" in r.text
    r = c.post(
        "/admin/lists/load",
        data={"csrf_token": csrf, "source": "", "published": "2026-01-31"},
        files=[("files", ("watchlist.csv", USER_LIST, "text/csv"))],
    )
    assert r.status_code == 200, r.text
    assert 'id="loaded"' in r.text
    assert "user_csv" in r.text and "watchlist.csv: 2" in r.text
    assert current_snapshots(home).get("user_csv")
    wf: Workflow = lists_app.state.workflow
    entries = wf.audit_by_action(["lists.load"])
    assert entries and entries[0].actor == "ada"
    assert entries[0].details["snapshots"][0]["entries"] == 2
    assert entries[0].details["files"] == {"watchlist.csv": {"bytes": len(USER_LIST)}}
    # A proposal naming the listed party now shows a hit on its assessment page.
    p = wf.submit(actor(wf, "alice"), LISTED)
    page = c.get(f"/proposals/{p.id}")
    assert page.status_code == 200
    assert 'class="status-hit"' in page.text
    assert "User-supplied list (entry user:W-1" in page.text


def test_load_errors_are_shown_on_the_page(lists_app, admin) -> None:  # type: ignore[no-untyped-def]
    c, csrf = admin
    r = c.post("/admin/lists/load", data={"csrf_token": csrf})
    assert r.status_code == 422 and "choose one or more list files" in r.text
    r = c.post(
        "/admin/lists/load",
        data={"csrf_token": csrf},
        files=[("files", ("mystery.csv", b"foo,bar\n1,2\n", "text/csv"))],
    )
    assert r.status_code == 422 and "cannot tell which list this is" in r.text
    r = c.post(
        "/admin/lists/load",
        data={"csrf_token": csrf, "source": "no_such_source"},
        files=[("files", ("watchlist.csv", USER_LIST, "text/csv"))],
    )
    assert r.status_code == 422 and "no_such_source" in r.text
    r = c.post(
        "/admin/lists/load",
        data={"csrf_token": csrf, "published": "January"},
        files=[("files", ("watchlist.csv", USER_LIST, "text/csv"))],
    )
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text
    assert "lists.load_failed" in _actions(lists_app.state.workflow)


def test_list_upload_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_HOME", str(tmp_path / "home"))
    application = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'w.sqlite3'}", max_list_upload_bytes=1000)
    )
    wf: Workflow = application.state.workflow
    wf.create_user("ada", PASSWORDS["ada"], "admin")
    with make_client(application) as c:
        csrf = login(c, "ada")
        r = c.post(
            "/admin/lists/load",
            data={"csrf_token": csrf},
            files=[("files", ("big.csv", b"name\n" + b"x" * 200_000, "text/csv"))],
        )
        assert r.status_code == 413
        headers = token_for(wf, "ada")
        r = c.post(
            "/api/v1/lists/load",
            headers=headers,
            files=[("files", ("big.csv", b"name\n" + b"x" * 200_000, "text/csv"))],
        )
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "payload_too_large"
    wf.db.dispose()


def test_admin_loads_through_the_api_and_the_screening_shows_a_hit(lists_app, home: Path) -> None:  # type: ignore[no-untyped-def]
    wf: Workflow = lists_app.state.workflow
    with make_client(lists_app) as c:
        admin_h = token_for(wf, "ada")
        r = c.post(
            "/api/v1/lists/load",
            headers=admin_h,
            files=[("files", ("watchlist.csv", USER_LIST, "text/csv"))],
        )
        assert r.status_code == 201, r.text
        snaps = r.json()["snapshots"]
        assert [s["source_id"] for s in snaps] == ["user_csv"]
        assert snaps[0]["entries"] == 2 and snaps[0]["files"] == {"watchlist.csv": 2}
        alice_h = token_for(wf, "alice")
        r = c.post("/api/v1/proposals", headers=alice_h, json={"source": LISTED})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        scr = c.get(f"/api/v1/proposals/{pid}/screening", headers=alice_h).json()
        statuses = {p["name"]: p["status"] for p in scr["data"]["parties"]}
        assert statuses["Example Frontier AI Lab"] == "hit"
        # reviewers read the status; it shows the list just loaded
        r = c.get("/api/v1/lists", headers=token_for(wf, "rita"))
        assert r.status_code == 200
        body = r.json()
        assert body["available"] is True
        assert body["jobs"][0]["kind"] == "load" and body["jobs"][0]["state"] == "done"
        job = c.get(f"/api/v1/lists/jobs/{body['jobs'][0]['id']}", headers=admin_h).json()
        assert job["snapshots"][0]["source_id"] == "user_csv"
        # bad input keeps the error shape
        r = c.post(
            "/api/v1/lists/load",
            headers=admin_h,
            files=[("files", ("mystery.csv", b"foo,bar\n1,2\n", "text/csv"))],
        )
        assert r.status_code == 422
        err = r.json()["error"]
        assert err["code"] == "invalid_list"
        # named as uploaded: no server temporary folder, no CLI option
        assert err["message"].startswith("mystery.csv: cannot tell which list this is")
        assert err["problems"][0]["file"] == "mystery.csv"
        assert "detente-lists-" not in r.text and "--source" not in r.text


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_only_admins_manage_lists(lists_app, who: str) -> None:  # type: ignore[no-untyped-def]
    wf: Workflow = lists_app.state.workflow
    with make_client(lists_app) as c:
        csrf = login(c, who)
        assert c.get("/admin/lists").status_code == 403
        r = c.post("/admin/lists/update", data={"csrf_token": csrf})
        assert r.status_code == 403
        r = c.post(
            "/admin/lists/load",
            data={"csrf_token": csrf},
            files=[("files", ("watchlist.csv", USER_LIST, "text/csv"))],
        )
        assert r.status_code == 403
        h = token_for(wf, who)
        r = c.post("/api/v1/lists/update", headers=h, json={})
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        r = c.post(
            "/api/v1/lists/load",
            headers=h,
            files=[("files", ("watchlist.csv", USER_LIST, "text/csv"))],
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        r = c.get("/api/v1/lists", headers=h)
        assert r.status_code == (200 if who == "rita" else 403)
    assert "lists.load" not in _actions(wf)
    assert "lists.update_start" not in _actions(wf)


def test_list_forms_need_the_csrf_token(lists_app, admin) -> None:  # type: ignore[no-untyped-def]
    c, _csrf = admin
    assert c.post("/admin/lists/update", data={}).status_code == 403
    r = c.post(
        "/admin/lists/load",
        data={"csrf_token": "wrong"},
        files=[("files", ("watchlist.csv", USER_LIST, "text/csv"))],
    )
    assert r.status_code == 403


def test_update_from_a_mirror_then_a_500_keeps_the_previous_snapshot(  # type: ignore[no-untyped-def]
    lists_app, admin, httpserver: HTTPServer, home: Path
) -> None:
    c, csrf = admin
    jobs = lists_app.state.list_jobs
    wf: Workflow = lists_app.state.workflow
    _serve_mieu(httpserver)
    r = c.post(
        "/admin/lists/update",
        data={"csrf_token": csrf, "sources": "bis_mieu"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "update-started" in r.headers["location"]
    jobs.join()
    first = current_snapshots(home)["bis_mieu"]
    page = c.get("/admin/lists").text
    assert "outcome-updated" in page and "updated: 2 entries" in page
    done = wf.audit_by_action(["lists.update"])
    assert done[0].details["state"] == "done"
    assert done[0].details["outcomes"][0]["result"] == "updated"

    _serve_mieu(httpserver, status=500)
    r = c.post("/admin/lists/update", data={"csrf_token": csrf, "sources": "bis_mieu"})
    assert r.status_code == 200  # followed the redirect to the Lists page
    jobs.join()
    assert current_snapshots(home)["bis_mieu"] == first  # the previous snapshot stays current
    page = c.get("/admin/lists").text
    assert "kept previous snapshot" in page and "HTTP 500" in page
    assert "outcome-kept_previous" in page
    done = wf.audit_by_action(["lists.update"])
    assert done[0].details["state"] == "failed"
    assert done[0].details["outcomes"][0]["result"] == "kept_previous"
    assert f"kept previous snapshot {first}" in done[0].details["outcomes"][0]["message"]
    assert wf.verify_audit().ok


def test_update_through_the_api(lists_app, httpserver: HTTPServer, home: Path) -> None:  # type: ignore[no-untyped-def]
    wf: Workflow = lists_app.state.workflow
    _serve_mieu(httpserver, status=500)
    with make_client(lists_app) as c:
        h = token_for(wf, "ada")
        r = c.post("/api/v1/lists/update", headers=h, json={"sources": ["bis_mieu"]})
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        assert r.headers["location"] == f"/api/v1/lists/jobs/{job_id}"
        lists_app.state.list_jobs.join()
        job = c.get(f"/api/v1/lists/jobs/{job_id}", headers=h).json()
        assert job["state"] == "failed"
        (o,) = job["outcomes"]
        assert o["source_id"] == "bis_mieu" and o["result"] == "failed"
        assert "HTTP 500" in o["message"] and "NOT loaded" in o["message"]
        assert "bis_mieu" not in current_snapshots(home)
        r = c.post("/api/v1/lists/update", headers=h, json={"sources": ["nope"]})
        assert r.status_code == 422 and r.json()["error"]["problems"][0]["field"] == "sources[0]"
        assert c.get("/api/v1/lists/jobs/999999", headers=h).status_code == 404
