"""The REST API: CRUD, pagination, ETags and optimistic locking, and the one error shape."""

from __future__ import annotations

import json

import pytest

from detente.errors import ProposalError
from detente.store.service import Workflow

from .conftest import token_for
from .samples import PROTOCOL_JSON, VERIFICATION, WITH_SAFEGUARD


def _shape(body: dict) -> dict:  # type: ignore[type-arg]
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"code", "message", "problems"}
    for p in err["problems"]:
        assert set(p) == {"message", "file", "line", "column", "field"}
    return err  # type: ignore[no-any-return]


@pytest.fixture
def alice(wf: Workflow) -> dict[str, str]:
    return token_for(wf, "alice")


@pytest.fixture
def rita(wf: Workflow) -> dict[str, str]:
    return token_for(wf, "rita")


def test_create_read_revise_decide(client, alice, rita) -> None:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/proposals", headers=alice, json={"source": VERIFICATION, "filename": "v.yaml"}
    )
    assert r.status_code == 201, r.text
    p = r.json()
    assert r.headers["location"] == f"/api/v1/proposals/{p['id']}"
    assert r.headers["etag"] == f'"p{p["id"]}-r1"'
    pid = p["id"]
    got = client.get(f"/api/v1/proposals/{pid}", headers=alice)
    assert got.status_code == 200 and got.headers["etag"] == f'"p{pid}-r1"'
    a = client.get(f"/api/v1/proposals/{pid}/assessment", headers=alice).json()
    assert a["assessment"]["schema"] == "detente.assessment/1"
    assert a["meta"]["framework_version"] == a["assessment"]["framework"]["version"]
    s = client.get(f"/api/v1/proposals/{pid}/screening", headers=alice).json()
    assert s["status"] == "not_checked"
    c = client.post(
        f"/api/v1/proposals/{pid}/comments",
        headers=rita,
        json={"kind": "request_safeguard", "safeguard_id": "independent-code-review"},
    )
    assert c.status_code == 201
    r = client.post(
        f"/api/v1/proposals/{pid}/revisions",
        headers={**alice, "If-Match": got.headers["etag"]},
        json={"source": WITH_SAFEGUARD},
    )
    assert r.status_code == 201 and r.json()["current_revision"] == 2
    revs = client.get(f"/api/v1/proposals/{pid}/revisions", headers=alice).json()
    assert [x["number"] for x in revs] == [1, 2]
    assert (
        client.get(f"/api/v1/proposals/{pid}/revisions/1", headers=alice).json()["source_text"]
        == VERIFICATION
    )
    d = client.post(
        f"/api/v1/proposals/{pid}/decisions",
        headers=rita,
        json={
            "outcome": "approved",
            "reasoning": "Code review counters the backdoor risk.",
            "base_revision": 2,
        },
    )
    assert d.status_code == 201
    assert client.get(f"/api/v1/proposals/{pid}", headers=alice).json()["status"] == "approved"
    pdf = client.get(f"/api/v1/proposals/{pid}/report?format=pdf&revision=1", headers=alice)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_proposal_as_a_json_object(client, alice) -> None:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/proposals", headers=alice, json={"proposal": json.loads(PROTOCOL_JSON)}
    )
    assert r.status_code == 201
    r = client.post("/api/v1/proposals", headers=alice, json={"proposal": {}, "source": "title: x"})
    assert r.status_code == 422
    assert _shape(r.json())["code"] == "invalid_input"


def test_stale_revision_conflicts_and_nothing_is_lost(client, alice) -> None:  # type: ignore[no-untyped-def]
    pid = client.post("/api/v1/proposals", headers=alice, json={"source": VERIFICATION}).json()[
        "id"
    ]
    first = client.post(
        f"/api/v1/proposals/{pid}/revisions",
        headers=alice,
        json={"source": WITH_SAFEGUARD, "base_revision": 1},
    )
    assert first.status_code == 201
    second = client.post(
        f"/api/v1/proposals/{pid}/revisions",
        headers={**alice, "If-Match": f'"p{pid}-r1"'},
        json={"source": PROTOCOL_JSON},
    )
    assert second.status_code == 409
    err = _shape(second.json())
    assert err["code"] == "conflict" and "revision 2" in err["message"]
    revs = client.get(f"/api/v1/proposals/{pid}/revisions", headers=alice).json()
    assert [x["number"] for x in revs] == [1, 2]
    r = client.post(
        f"/api/v1/proposals/{pid}/revisions", headers=alice, json={"source": PROTOCOL_JSON}
    )
    assert r.status_code == 422 and _shape(r.json())["problems"][0]["field"] == "base_revision"
    r = client.post(
        f"/api/v1/proposals/{pid}/revisions",
        headers={**alice, "If-Match": '"p999-r1"'},
        json={"source": VERIFICATION},
    )
    assert r.status_code == 422


def test_invalid_proposals_get_the_cli_problems(client, alice, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    bad = VERIFICATION.replace("country: CN", "country: China").replace(
        "publication: open", "publication: maybe"
    )
    r = client.post(
        "/api/v1/proposals", headers=alice, json={"source": bad, "filename": "bad.yaml"}
    )
    assert r.status_code == 422
    err = _shape(r.json())
    assert err["code"] == "invalid_proposal"
    with pytest.raises(ProposalError) as cli:
        wf.parse(bad, "bad.yaml")
    assert err["problems"] == [p.to_dict() for p in cli.value.problems]
    assert any(p["line"] and p["field"] == "parties[1].country" for p in err["problems"])
    # the message says what a country is, not only how long it may be
    country = next(p for p in err["problems"] if p["field"] == "parties[1].country")
    assert "'china' is not a two-letter iso 3166-1 country code" in country["message"].lower()


@pytest.mark.parametrize(
    "source",
    [
        "title: [unclosed",
        '{"title": ',
        "- just\n- a list\n",
        "",
        "title: x\ntitle: y\nparties: []\n",
        "\x00",
    ],
)
def test_malformed_documents_are_422_never_500(client, alice, source: str) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/proposals", headers=alice, json={"source": source})
    assert r.status_code == 422, r.text
    _shape(r.json())


def test_malformed_json_bodies_and_bad_params(client, alice) -> None:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/proposals",
        headers={**alice, "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert r.status_code == 422 and _shape(r.json())["code"] == "invalid_input"
    r = client.post("/api/v1/proposals", headers=alice, json={"sauce": "x"})
    assert r.status_code == 422 and any(
        p["field"] == "body.sauce" for p in _shape(r.json())["problems"]
    )
    for path in (
        "/api/v1/proposals?limit=0",
        "/api/v1/proposals?limit=abc",
        "/api/v1/proposals?status=lost",
        "/api/v1/proposals?verdict=suitible",  # a typo must not look like "no proposals"
        "/api/v1/proposals/abc",
        "/api/v1/proposals/0",
        f"/api/v1/proposals/{2**70}",
    ):
        r = client.get(path, headers=alice)
        assert r.status_code == 422, path
        _shape(r.json())


def test_unknown_ids_are_404(client, alice) -> None:  # type: ignore[no-untyped-def]
    for path in (
        "/api/v1/proposals/4242",
        "/api/v1/proposals/4242/assessment",
        "/api/v1/nothing-here",
    ):
        r = client.get(path, headers=alice)
        assert r.status_code == 404 and _shape(r.json())["code"] == "not_found"
    pid = client.post("/api/v1/proposals", headers=alice, json={"source": VERIFICATION}).json()[
        "id"
    ]
    r = client.get(f"/api/v1/proposals/{pid}/revisions/7", headers=alice)
    assert r.status_code == 404 and "no revision 7" in _shape(r.json())["message"]


def test_wrong_method_keeps_its_status_and_shape(client, alice) -> None:  # type: ignore[no-untyped-def]
    r = client.delete("/api/v1/proposals", headers=alice)
    assert r.status_code == 405 and _shape(r.json())["code"] == "method_not_allowed"


def test_oversized_bodies_are_413(client, alice) -> None:  # type: ignore[no-untyped-def]
    big = "title: big\nnotes: " + "x" * 1_200_000 + "\n"
    r = client.post("/api/v1/proposals", headers=alice, json={"source": big})
    assert r.status_code == 413 and _shape(r.json())["code"] == "payload_too_large"

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"source": "'
        for _ in range(40):
            yield b"y" * 50_000
        yield b'"}'

    r = client.post(
        "/api/v1/proposals", headers={**alice, "Content-Type": "application/json"}, content=chunks()
    )
    assert r.status_code == 413 and _shape(r.json())["code"] == "payload_too_large"


def test_pagination(client, alice, rita) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        client.post(
            "/api/v1/proposals",
            headers=alice,
            json={"source": VERIFICATION.replace("Joint", f"Joint {i}")},
        )
    page = client.get("/api/v1/proposals?limit=2", headers=rita).json()
    assert page["total"] == 5 and len(page["items"]) == 2 and page["next_offset"] == 2
    last = client.get("/api/v1/proposals?limit=2&offset=4", headers=rita).json()
    assert len(last["items"]) == 1 and last["next_offset"] is None
    ids = {
        p["id"]
        for o in (0, 2, 4)
        for p in client.get(f"/api/v1/proposals?limit=2&offset={o}", headers=rita).json()["items"]
    }
    assert len(ids) == 5


def test_stateless_assessment_and_framework(client, alice) -> None:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/assess", headers=alice, json={"source": PROTOCOL_JSON, "filename": "p.json"}
    )
    assert r.status_code == 200 and r.json()["verdict"]["level"]
    fw = client.get("/api/v1/framework", headers=alice).json()
    assert {"framework", "rules", "safeguards", "stamps"} <= set(fw)
    assert client.get("/api/v1/proposals", headers=alice).json()["total"] == 0


def test_audit_api_for_admins(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    h = token_for(wf, "ada")
    v = client.get("/api/v1/audit/verify", headers=h).json()
    assert v["ok"] is True and v["entries"] >= 4
    page = client.get("/api/v1/audit?limit=3", headers=h).json()
    assert len(page["items"]) == 3 and page["items"][0]["seq"] > page["items"][1]["seq"]


def test_openapi_spec_and_docs_page(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/proposals" in spec["paths"]
    assert [p for p in spec["paths"] if not p.startswith("/api/v1/")] == []  # no HTML pages
    assert "PersonalToken" in spec["components"]["securitySchemes"]
    assert "ErrorOut" in spec["components"]["schemas"]
    assert client.get("/healthz").json()["status"] == "ok"
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()


def test_every_operation_is_in_the_api_reference(client) -> None:  # type: ignore[no-untyped-def]
    import re
    from pathlib import Path

    def norm(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", path)

    reference = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    documented = {
        f"{m} {norm(p)}"
        for m, p in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)", reference)
    }
    spec = client.get("/api/v1/openapi.json").json()
    operations = {f"{m.upper()} {norm(p)}" for p, ops in spec["paths"].items() for m in ops}
    assert sorted(operations - documented) == []


def test_a_value_where_fields_are_expected_is_explained(client, alice) -> None:  # type: ignore[no-untyped-def]
    """`areas: [evaluations]` (docs: `- id: evaluations`) must not answer with a class name."""
    bad = "title: x\nareas: [evaluations]\nparties:\n  - {name: A, country: US}\n"
    r = client.post("/api/v1/proposals", headers=alice, json={"source": bad})
    problem = _shape(r.json())["problems"][0]
    assert r.status_code == 422 and problem["field"] == "areas[0]" and problem["line"] == 2
    assert "AreaRef" not in problem["message"]
    assert (
        "'evaluations' is a single value where fields (key: value) are expected"
        in (problem["message"])
    )
