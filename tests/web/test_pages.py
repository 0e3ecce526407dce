"""The pages: guided form, upload, assessment, comparison, review, exports, readable errors."""

from __future__ import annotations

import re

import pytest

from detente.errors import ProposalError
from detente.store.service import Workflow

from .conftest import actor, login, make_client
from .samples import LISTED_PARTNER, PROTOCOL_JSON, VERIFICATION, WITH_SAFEGUARD

FORM = {
    "mode": "form",
    "title": "Shared benchmark for deception evaluations",
    "summary": "Two institutes build a shared benchmark.",
    "party-0-name": "Institute One",
    "party-0-country": "US",
    "party-0-type": "safety_institute",
    "party-1-name": "Institute Two",
    "party-1-country": "cn",
    "party-1-contributes": ["evaluation_data", "expertise"],
    "party-2-name": "",
    "party-2-country": "",
    "areas": ["evaluations"],
    "forms": ["shared_benchmarks"],
    "activities": ["design_benchmarks", "run_evaluations"],
    "purposes": ["interoperability"],
    "people": "Li Wei | Institute Two | lead\nJane Roe | Institute One",
}


def test_guided_form_creates_and_assesses(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    r = client.post("/proposals/new", data={**FORM, "csrf_token": csrf})
    assert r.status_code == 200 and "/proposals/1" in str(r.url)
    html = r.text
    assert "Verdict:" in html and 'class="heat"' in html
    assert "NOT CHECKED" in html
    assert "Side CN" in html and "Side US" in html
    rev = wf.revision(actor(wf, "alice"), 1)
    assert rev.data["parties"][1]["country"] == "CN"
    assert {k: v for k, v in rev.data["people"][0].items() if k != "disclosures"} == {
        "name": "Li Wei",
        "name_native": None,
        "affiliation": "Institute Two",
        "role": "lead",
        "birth_date": None,  # optional identifiers of a person (issue 8), unset
        "nationality": None,
        "identifiers": None,
    }
    assert rev.source_format == "yaml"


def test_form_shows_the_cli_messages_inline(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    bad = {
        **FORM,
        "csrf_token": csrf,
        "party-1-country": "China",
        "title": "",
        "infrastructure-hosted_by": "nobody",
    }
    r = client.post("/proposals/new", data=bad)
    assert r.status_code == 422
    # The same messages parse_proposal gives the CLI for the same document.
    from starlette.datastructures import FormData

    from detente.web.forms import document_from_form, to_yaml

    fd = FormData([(k, v) for k, vs in bad.items() for v in (vs if isinstance(vs, list) else [vs])])
    with pytest.raises(ProposalError) as cli:
        wf.parse(to_yaml(document_from_form(fd)), "form")
    for p in cli.value.problems:
        assert p.message.replace("'", "&#39;") in r.text
    assert 'class="field-error"' in r.text
    # What was typed is kept.
    assert 'value="China"' in r.text and "Institute Two" in r.text
    assert wf.list_proposals(actor(wf, "rita"))[1] == 0


def test_upload_yaml_and_json(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    r = client.post(
        "/proposals/new",
        data={"csrf_token": csrf, "mode": "upload"},
        files={"file": ("p.json", PROTOCOL_JSON.encode(), "application/json")},
    )
    assert r.status_code == 200 and "Incident-reporting protocol" in r.text
    r = client.post(
        "/proposals/new", data={"csrf_token": csrf, "mode": "text", "text": VERIFICATION}
    )
    assert r.status_code == 200 and "Joint verification" in r.text
    assert wf.revision(actor(wf, "alice"), 1).source_format == "json"


@pytest.mark.parametrize("name", ["p.json", "p.yaml"])
def test_a_file_saved_with_a_byte_order_mark_is_read(client, name: str) -> None:  # type: ignore[no-untyped-def]
    """Editors on Windows save UTF-8 with a BOM; YAML files were read, JSON ones refused."""
    csrf = login(client, "alice")
    r = client.post(
        "/proposals/new",
        data={"csrf_token": csrf, "mode": "upload"},
        files={"file": (name, b"\xef\xbb\xbf" + PROTOCOL_JSON.encode(), "application/json")},
    )
    assert r.status_code == 200 and "Incident-reporting protocol" in r.text


@pytest.mark.parametrize(
    "content",
    [
        b"title: [oops",
        b"\xff\xfe not utf-8",
        b"- a\n- list\n",
        b"parties:\n  - name: X\n    country: USA\n",
    ],
)
def test_malformed_uploads_get_a_readable_422(client, content: bytes) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    r = client.post(
        "/proposals/new",
        data={"csrf_token": csrf, "mode": "upload"},
        files={"file": ("bad.yaml", content, "text/yaml")},
    )
    assert r.status_code == 422
    assert 'id="problems"' in r.text and "bad.yaml" in r.text


def test_oversized_upload_is_413_with_a_page(client) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    big = b"title: big\nnotes: " + b"x" * 1_050_000
    r = client.post(
        "/proposals/new",
        data={"csrf_token": csrf, "mode": "upload"},
        files={"file": ("big.yaml", big, "text/yaml")},
    )
    assert r.status_code == 413
    assert "Too large" in r.text and "<html" in r.text
    huge = b"x" * 2_000_000
    r = client.post(
        "/proposals/new",
        data={"csrf_token": csrf, "mode": "upload"},
        files={"file": ("huge.yaml", huge, "text/yaml")},
    )
    assert r.status_code == 413


def test_review_flow_through_pages(app, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    alice, rita = make_client(app), make_client(app)
    a_csrf, r_csrf = login(alice, "alice"), login(rita, "rita")
    alice.post("/proposals/new", data={"csrf_token": a_csrf, "mode": "text", "text": VERIFICATION})
    page = rita.get("/proposals/1")
    assert 'data-request="independent-code-review"' in page.text
    r = rita.post(
        "/proposals/1/comment",
        data={
            "csrf_token": r_csrf,
            "kind": "request_safeguard",
            "safeguard_id": "independent-code-review",
            "body": "",
        },
    )
    assert "changes requested" in r.text
    form = alice.get("/proposals/1/revise")
    assert "Reviewer requests" in form.text and 'name="base_revision" value="1"' in form.text
    r = alice.post(
        "/proposals/1/revise",
        data={
            "csrf_token": a_csrf,
            "mode": "text",
            "text": WITH_SAFEGUARD,
            "base_revision": "1",
            "note": "added review",
        },
    )
    assert r.status_code == 200 and "showing revision <strong>2</strong>" in r.text
    # A second, stale revision is refused with a readable page, and nothing is lost.
    r = alice.post(
        "/proposals/1/revise",
        data={"csrf_token": a_csrf, "mode": "text", "text": VERIFICATION, "base_revision": "1"},
    )
    assert r.status_code == 409 and "Someone changed this first" in r.text
    cmp = rita.get("/proposals/1/compare?a=1&b=2")
    assert (
        cmp.status_code == 200
        and "independent-code-review" in cmp.text
        and 'class="diff"' in cmp.text
    )
    r = rita.post(
        "/proposals/1/decision",
        data={"csrf_token": r_csrf, "outcome": "approved", "reasoning": "", "base_revision": "2"},
    )
    assert r.status_code == 422 and "reasoning" in r.text
    r = rita.post(
        "/proposals/1/decision",
        data={
            "csrf_token": r_csrf,
            "outcome": "approved",
            "reasoning": "Review counters the backdoor risk.",
            "base_revision": "2",
        },
    )
    assert r.status_code == 200 and 'data-decision="approved"' in r.text
    assert [x.number for x in wf.get(actor(wf, "rita"), 1).revisions] == [1, 2]
    dash = rita.get("/?status=approved")
    assert "Joint verification" in dash.text


@pytest.mark.parametrize(
    ("fmt", "start"), [("html", b"<!doctype html"), ("pdf", b"%PDF"), ("json", b"{"), ("md", b"#")]
)
def test_exports(client, wf: Workflow, fmt: str, start: bytes) -> None:  # type: ignore[no-untyped-def]
    wf.submit(actor(wf, "alice"), VERIFICATION)
    login(client, "alice")
    r = client.get(f"/proposals/1/export.{fmt}?rev=1")
    assert r.status_code == 200 and r.content.lstrip()[: len(start)].lower() == start.lower()
    assert "filename=" in r.headers["content-disposition"]
    assert client.get("/proposals/1/export.exe").status_code == 404


def test_error_pages_are_readable(client) -> None:  # type: ignore[no-untyped-def]
    login(client, "alice")
    r = client.get("/proposals/999")
    assert r.status_code == 404 and "Not found" in r.text and "no proposal with id 999" in r.text
    r = client.get("/proposals/abc")
    assert r.status_code == 422 and "<html" in r.text
    r = client.get("/proposals/1?rev=-3")
    assert r.status_code == 422
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "<html" in r.text


def test_admin_manages_users(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "ada")
    r = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "carol",
            "password": "carol-password",
            "role": "reviewer",
        },
    )
    assert r.status_code == 200 and "carol" in r.text
    carol = wf.get_user("carol")
    r = client.post(
        f"/admin/users/{carol.id}", data={"csrf_token": csrf, "role": "reviewer", "active": "0"}
    )
    assert r.status_code == 200 and not wf.get_user("carol").active
    me = wf.get_user("ada")
    r = client.post(
        f"/admin/users/{me.id}", data={"csrf_token": csrf, "role": "submitter", "active": "1"}
    )
    assert r.status_code == 422
    r = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "carol",
            "password": "carol-password",
            "role": "reviewer",
        },
    )
    assert r.status_code == 409
    assert client.get("/admin/lists").status_code == 200


def test_dashboard_counts_by_status_and_verdict(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    wf.submit(actor(wf, "alice"), VERIFICATION)
    wf.submit(actor(wf, "bob"), PROTOCOL_JSON)
    login(client, "rita")
    html = client.get("/").text
    assert "Joint verification" in html and "Incident-reporting" in html
    assert re.search(r'class="counts"', html)
    html = client.get("/?verdict=not_advisable").text
    assert "Joint verification" not in html
    r = client.get("/?verdict=suitible")  # a typo must not look like "no proposals"
    assert r.status_code == 422 and "unknown verdict" in r.text


def test_verdict_box_has_the_statement_and_matches(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    """The verdict box says what the report's page 1 and `detente assess` say: the benefit–risk
    statement, and each list match marked automated or confirmed by a reviewer."""
    import html
    import os
    from datetime import UTC, datetime
    from pathlib import Path

    from detente.report import document as doc
    from detente.screening.store import load_paths

    fix = Path(__file__).resolve().parents[1] / "screening" / "fixtures" / "user_list.csv"
    home = Path(os.environ["DETENTE_HOME"])
    load_paths([fix], source="user_csv", retrieved_at=datetime(2026, 11, 28, tzinfo=UTC), home=home)
    wf.submit(actor(wf, "alice"), LISTED_PARTNER)
    _meta, a = wf.assessment(actor(wf, "alice"), 1)
    statement = doc.benefit_risk_statement(a)
    assert statement and doc.match_summary(a)
    login(client, "alice")
    page = html.unescape(client.get("/proposals/1").text)
    box = page[page.index('id="verdict"') : page.index("<h2>Risk heatmap")]
    assert statement in box
    assert (
        "Example Frontier AI Lab — User-supplied list: <strong>hit</strong>, <em>automated" in box
    )


def test_error_page_back_button_works_under_the_csp(client) -> None:  # type: ignore[no-untyped-def]
    """The CSP allows scripts only from the app, so a javascript: link would do nothing."""
    login(client, "alice")
    r = client.get("/proposals/999", headers={"Referer": "http://testserver/?status=submitted"})
    assert r.status_code == 404 and "javascript:" not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert re.search(r'<a class="button secondary" href="/\?status=submitted" data-back>', r.text)
    for foreign in ("https://elsewhere.example/x", "http://testserver//elsewhere.example/"):
        r = client.get("/proposals/999", headers={"Referer": foreign})
        assert re.search(r'<a class="button secondary" href="/" data-back>', r.text)
    assert "[data-back]" in client.get("/static/app.js").text


def test_pages_name_their_icon(client) -> None:  # type: ignore[no-untyped-def]
    """Browsers ask for /favicon.ico on every page unless the page names an icon: a 404 each time."""
    page = client.get("/login").text
    assert '<link rel="icon" href="data:,">' in page
    assert "img-src 'self' data:" in client.get("/login").headers["content-security-policy"]


def test_declare_the_areas_is_offered_only_to_who_can_revise(app, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    vague = "title: A chat\nparties:\n  - {name: Example University, country: US}\n"
    wf.submit(actor(wf, "alice"), vague)
    alice, rita = make_client(app), make_client(app)
    login(alice, "alice"), login(rita, "rita")
    assert "Declare the areas" in alice.get("/proposals/1").text
    page = rita.get("/proposals/1").text
    assert "not determined — a reviewer must classify" in page
    assert 'href="/proposals/1/revise"' not in page  # a reviewer would get 403 there


def test_hidden_conditions_are_not_recorded(app, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    """The page shows the conditions only for "approved with conditions"; a reviewer who typed
    some and then chose "approved" must not record an unconditional approval with conditions."""
    wf.submit(actor(wf, "alice"), VERIFICATION)
    rita = make_client(app)
    csrf = login(rita, "rita")
    r = rita.post(
        "/proposals/1/decision",
        data={
            "csrf_token": csrf,
            "outcome": "approved",
            "conditions": "publish only after review",
            "reasoning": "Fine as proposed, no conditions.",
            "base_revision": "1",
        },
    )
    assert r.status_code == 200
    decision = wf.get(actor(wf, "rita"), 1).decisions[-1]
    assert decision.outcome == "approved" and decision.conditions == ""
