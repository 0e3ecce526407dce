"""Web views of the research-security packs and the researcher look-back (issue 13)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from .conftest import login


def test_packs_page_by_date(client: TestClient) -> None:
    login(client, "alice")
    r = client.get("/packs", params={"as_of": "2026-06-01"})
    assert (
        r.status_code == 200
        and "us-dow-matrix" in r.text
        and "Version <strong>2026</strong>" in r.text
    )
    r = client.get("/packs", params={"as_of": "2025-06-01"})
    assert "Version <strong>2025</strong>" in r.text and "not enforced" in r.text
    assert client.get("/packs", params={"as_of": "soon"}).status_code == 422


def test_researcher_page(client: TestClient, tmp_path: Path) -> None:
    login(client, "alice")
    r = client.get("/researcher")
    assert r.status_code == 200 and "Look back" in r.text
    r = client.get("/researcher", params={"name": "Pat Smith"})
    assert "No landscape store" in r.text  # nothing checked is said, never shown as clean
    from detente.landscape.ingest import ingest_records
    from detente.landscape.paths import default_db_path

    work = {
        "id": "t:1",
        "title": "A shared paper",
        "publication_year": 2024,
        "authorships": [
            {
                "author": {"display_name": "Pat Smith"},
                "institutions": [{"display_name": "Example University", "country_code": "US"}],
            },
            {
                "author": {"display_name": "Li Lei"},
                "institutions": [
                    {"display_name": "Harbin Institute of Technology", "country_code": "CN"}
                ],
            },
        ],
    }
    ingest_records([work], default_db_path())
    r = client.get(
        "/researcher",
        params={"name": "Pat Smith", "affiliation": "Example University", "as_of": "2026-06-01"},
    )
    assert r.status_code == 200 and "1 works under this name" in r.text
    assert client.get("/researcher", params={"name": "x", "years": 0}).status_code == 422


def test_pages_need_a_login(client: TestClient) -> None:
    r = client.get("/packs", follow_redirects=False)
    assert r.status_code in (303, 302, 401)
