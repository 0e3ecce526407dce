"""Reviewers' dispositions on the web: REST API and page (reviewer/admin only), stored, audited,
and applied to the next assessment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from detente.store.service import Workflow

from .conftest import actor, csrf_of, login, token_for
from .samples import LISTED_PARTNER

FIX = Path(__file__).resolve().parents[1] / "screening" / "fixtures" / "user_list.csv"
PROPOSAL = LISTED_PARTNER


def _body(fp: str = "0123456789abcdef01234567", decision: str = "false_positive") -> dict[str, str]:
    return {
        "subject": "Example Frontier AI Lab",
        "entry": "user:W-1",
        "entry_fingerprint": fp,
        "decision": decision,
        "reason": "Different lab: registered in another city, no shared staff",
    }


def test_api_roles_storage_and_audit(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    sub = token_for(wf, "alice")
    rev = token_for(wf, "rita")
    r = client.post("/api/v1/dispositions", json=_body(), headers=sub)
    assert r.status_code == 403 and r.json()["error"]["code"]
    assert client.get("/api/v1/dispositions", headers=sub).status_code == 403
    r = client.post("/api/v1/dispositions", json=_body(), headers=rev)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["reviewer"] == "rita" and d["subject_key"] == "org:example frontier ai lab"
    assert d["decision"] == "false_positive" and d["entry_id"] == "user:W-1"
    page = client.get("/api/v1/dispositions", headers=rev).json()
    assert page["total"] == 1 and page["items"][0]["id"] == d["id"]
    bad = client.post("/api/v1/dispositions", json={**_body(), "decision": "maybe"}, headers=rev)
    assert bad.status_code == 422
    bad = client.post("/api/v1/dispositions", json={**_body(), "entry": "W-1"}, headers=rev)
    assert bad.status_code == 422 and "entry" in bad.text
    entries, _ = wf.audit_entries(limit=5)
    e = next(x for x in entries if x.action == "disposition.record")
    assert e.object_type == "disposition" and e.details["content_sha256"]
    assert wf.verify_audit().ok


def test_page_for_reviewers_only(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    login(client, "alice")
    assert client.get("/dispositions").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    login(client, "rita")
    r = client.get("/dispositions")
    assert r.status_code == 200 and "No disposition recorded yet" in r.text
    r = client.post(
        "/dispositions",
        data={"csrf_token": csrf_of(r.text), **_body()},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "user:W-1" in r.text and "false positive" in r.text


def test_web_disposition_clears_the_match_in_the_next_assessment(wf: Workflow) -> None:
    import os

    from detente.screening.store import load_paths

    home = Path(os.environ["DETENTE_HOME"])
    load_paths([FIX], source="user_csv", retrieved_at=datetime(2026, 11, 28, tzinfo=UTC), home=home)
    _, a, _ = wf.assess_text(PROPOSAL)
    assert "dd.restricting_hit" in a.due_diligence_flags
    assert a.due_diligence is not None
    lab = next(p for p in a.due_diligence.parties if p.name == "Example Frontier AI Lab")
    fp = lab.matches[0].entry_fingerprint
    assert fp is not None
    wf.record_disposition(actor(wf, "rita"), **_body(fp))
    _, a2, _ = wf.assess_text(PROPOSAL)
    assert "dd.restricting_hit" not in a2.due_diligence_flags
    assert a2.due_diligence is not None
    lab2 = next(p for p in a2.due_diligence.parties if p.name == "Example Frontier AI Lab")
    disposition = lab2.matches[0].disposition
    assert disposition is not None and disposition.reviewer == "rita"
