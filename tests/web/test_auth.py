"""Authorisation: sign-in, CSRF, roles, who can read what, cookies, tokens."""

from __future__ import annotations

from detente.store.service import Workflow

from .conftest import actor, csrf_of, login, make_client, token_for
from .samples import PROTOCOL_JSON, VERIFICATION


def test_pages_need_a_session(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = client.get("/proposals/1", follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/proposals/new", data={"title": "x"})
    assert r.status_code == 401
    assert "Please sign in" in r.text


def test_login_sets_a_hardened_session_cookie(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "csrf_token": csrf_of(page.text),
            "username": "alice",
            "password": "alice-password",
            "next": "/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "detente_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    assert r.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_secure_cookies_can_be_required(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from detente.web.app import create_app
    from detente.web.settings import Settings

    monkeypatch.setenv("DETENTE_HOME", str(tmp_path))
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 's.sqlite3'}", secure_cookies=True)
    )
    app.state.workflow.create_user("zed", "zed-password", "submitter")
    from fastapi.testclient import TestClient

    c = TestClient(app, base_url="https://testserver")
    page = c.get("/login")
    assert "Secure" in page.headers["set-cookie"]
    r = c.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "username": "zed", "password": "zed-password"},
        follow_redirects=False,
    )
    assert "Secure" in r.headers["set-cookie"]


def test_wrong_password_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "username": "alice", "password": "nope-nope"},
    )
    assert r.status_code == 401
    assert "wrong user name or password" in r.text


def test_login_without_csrf_token_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/login")
    r = client.post("/login", data={"username": "alice", "password": "alice-password"})
    assert r.status_code == 403
    assert "CSRF" in r.text


def test_forms_without_or_with_a_wrong_csrf_token_are_refused(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "rita")
    p = wf.submit(actor(wf, "alice"), VERIFICATION)
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": csrf[:-2] + "xx"}):
        r = client.post(f"/proposals/{p.id}/comment", data={**data, "body": "hello"})
        assert r.status_code == 403, data
        r = client.post(
            f"/proposals/{p.id}/decision",
            data={
                **data,
                "outcome": "approved",
                "reasoning": "a good enough reason",
                "base_revision": "1",
            },
        )
        assert r.status_code == 403
        r = client.post("/logout", data=data)
        assert r.status_code == 403
    assert wf.get(actor(wf, "rita"), p.id).comments == []
    assert wf.get(actor(wf, "rita"), p.id).decisions == []
    # With the right token it works.
    r = client.post(f"/proposals/{p.id}/comment", data={"csrf_token": csrf, "body": "hello"})
    assert r.status_code == 200
    assert len(wf.get(actor(wf, "rita"), p.id).comments) == 1


def test_a_csrf_token_of_another_session_is_refused(app, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    a, b = make_client(app), make_client(app)
    login(a, "alice")
    other = login(b, "bob")
    r = a.post("/proposals/new", data={"csrf_token": other, "mode": "text", "text": VERIFICATION})
    assert r.status_code == 403


def test_submitter_cannot_read_another_submitters_proposal(app, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    p = wf.submit(actor(wf, "alice"), VERIFICATION)
    bob = make_client(app)
    login(bob, "bob")
    for path in (
        f"/proposals/{p.id}",
        f"/proposals/{p.id}/compare",
        f"/proposals/{p.id}/revise",
        f"/proposals/{p.id}/export.json",
        f"/proposals/{p.id}/export.pdf",
    ):
        r = bob.get(path)
        assert r.status_code == 404, path
        assert "Joint verification" not in r.text
    assert "Joint verification" not in bob.get("/").text
    headers = token_for(wf, "bob")
    for path in (
        f"/api/v1/proposals/{p.id}",
        f"/api/v1/proposals/{p.id}/assessment",
        f"/api/v1/proposals/{p.id}/revisions/1",
        f"/api/v1/proposals/{p.id}/screening",
        f"/api/v1/proposals/{p.id}/comments",
        f"/api/v1/proposals/{p.id}/report?format=html",
    ):
        r = bob.get(path, headers=headers)
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "not_found"
    r = bob.post(
        f"/api/v1/proposals/{p.id}/revisions",
        headers=headers,
        json={"source": PROTOCOL_JSON, "base_revision": 1},
    )
    assert r.status_code == 404
    listing = bob.get("/api/v1/proposals", headers=headers).json()
    assert listing["total"] == 0
    # The owner and reviewers can.
    alice = make_client(app)
    login(alice, "alice")
    assert alice.get(f"/proposals/{p.id}").status_code == 200
    assert bob.get(f"/api/v1/proposals/{p.id}", headers=token_for(wf, "rita")).status_code == 200


def test_roles_limit_what_each_user_can_do(app, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    p = wf.submit(actor(wf, "alice"), VERIFICATION)
    alice = make_client(app)
    csrf = login(alice, "alice")
    r = alice.post(
        f"/proposals/{p.id}/decision",
        data={
            "csrf_token": csrf,
            "outcome": "approved",
            "reasoning": "approving my own",
            "base_revision": "1",
        },
    )
    assert r.status_code == 403
    r = alice.post(
        f"/proposals/{p.id}/comment",
        data={"csrf_token": csrf, "kind": "request_changes", "body": "only reviewers may"},
    )
    assert r.status_code == 403
    assert alice.get("/admin/users").status_code == 403
    assert alice.get("/admin/audit").status_code == 403
    r = alice.post(
        "/admin/users",
        data={"csrf_token": csrf, "username": "eve", "password": "eve-password", "role": "admin"},
    )
    assert r.status_code == 403
    h = token_for(wf, "alice")
    assert alice.get("/api/v1/audit", headers=h).status_code == 403
    r = alice.post(
        f"/api/v1/proposals/{p.id}/decisions",
        headers=h,
        json={"outcome": "approved", "reasoning": "approving my own", "base_revision": 1},
    )
    assert r.status_code == 403
    ada = make_client(app)
    login(ada, "ada")
    assert ada.get("/admin/users").status_code == 200
    assert "Hash chain intact" in ada.get("/admin/audit").text


def test_api_tokens(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").headers["www-authenticate"] == "Bearer"
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer dtk_made_up"}).status_code == 401
    )
    raw, view = wf.create_token(actor(wf, "rita"), "t")
    h = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=h).json()["username"] == "rita"
    wf.revoke_token(actor(wf, "rita"), view.id)
    r = client.get("/api/v1/me", headers=h)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    # Session cookies do not authenticate the API (so the API needs no CSRF token).
    login(client, "rita")
    assert client.get("/api/v1/me").status_code == 401


def test_account_page_creates_and_revokes_tokens(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "bob")
    r = client.post("/account/tokens", data={"csrf_token": csrf, "name": "laptop"})
    assert r.status_code == 200
    import re

    raw = re.search(r'id="new-token">([^<]+)<', r.text)
    assert raw
    h = {"Authorization": f"Bearer {raw.group(1)}"}
    assert client.get("/api/v1/me", headers=h).json()["username"] == "bob"
    tid = wf.list_tokens(actor(wf, "bob"))[0].id
    assert (
        client.post(f"/account/tokens/{tid}/revoke", data={"csrf_token": csrf}).status_code == 200
    )
    assert client.get("/api/v1/me", headers=h).status_code == 401


def test_logout_ends_the_session(client) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_open_redirects_are_not_followed(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "csrf_token": csrf_of(page.text),
            "username": "alice",
            "password": "alice-password",
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_changing_the_password_on_the_account_page(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    form = {"csrf_token": csrf, "new": "a-new-password-1", "repeat": "a-new-password-1"}
    r = client.post("/account/password", data={**form, "current": "not-my-password"})
    # a typo in the current password is a field to correct, not "please sign in"
    assert r.status_code == 422 and "current password" in r.text
    assert "Please sign in" not in r.text and "wrong user name" not in r.text
    assert client.get("/account").status_code == 200  # still signed in
    r = client.post(
        "/account/password",
        data={**form, "current": "alice-password"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/account?done=password"
    assert wf.authenticate("alice", "a-new-password-1").username == "alice"
