"""API ingest against a local server replaying the real OpenAlex pages from ../shared."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from detente.errors import DataSourceError
from detente.landscape.api import ApiConfig, fetch_into_store, retry_after_seconds

pytestmark = pytest.mark.shared


def _page(shared_biblio: Path, name: str) -> dict[str, Any]:
    with gzip.open(shared_biblio / "openalex_api_samples" / name, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


class Replay:
    """Serves page 1 (cursor *), a 429 then page 2 (cursor c2), then page 3 (last)."""

    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, str]] = []
        self.throttled = False

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.calls.append(args)
        cursor = args.get("cursor")
        if cursor == "c2" and not self.throttled:
            self.throttled = True
            return Response("slow down", status=429, headers={"Retry-After": "7"})
        idx = {"*": 0, "c2": 1, "c3": 2}[cursor or "*"]
        page = json.loads(json.dumps(self.pages[idx]))
        page["meta"]["next_cursor"] = {0: "c2", 1: "c3", 2: None}[idx]
        return Response(json.dumps(page), content_type="application/json")


@pytest.fixture
def replay(shared_biblio: Path) -> Replay:
    p1 = _page(shared_biblio, "works_doi_filter_chunk1_page1.json.gz")
    p2 = _page(shared_biblio, "works_doi_filter_chunk2_page1.json.gz")
    p3 = _page(shared_biblio, "works_keypapers_2.json.gz")
    # A malformed record in the middle of page 2: skipped and counted, never a crash.
    p2["results"].insert(3, {"id": "https://openalex.org/W1", "authorships": "not a list"})
    return Replay([p1, p2, p3])


def test_paging_retry_and_malformed(httpserver: HTTPServer, replay: Replay, tmp_path: Path) -> None:
    httpserver.expect_request("/works").respond_with_handler(replay)
    slept: list[float] = []
    db = tmp_path / "api.duckdb"
    report = fetch_into_store(
        db,
        filter_="doi:10.1/x",
        config=ApiConfig(base_url=httpserver.url_for(""), mailto="me@example.org"),
        sleep=slept.append,
    )
    assert [c.get("cursor") for c in replay.calls] == ["*", "c2", "c2", "c3"]
    assert all(c["mailto"] == "me@example.org" and c["per-page"] == "200" for c in replay.calls)
    assert all(c["filter"] == "doi:10.1/x" for c in replay.calls)
    assert slept == [7.0]  # honoured Retry-After
    assert report.records_read == 49 + 51 + 2
    assert report.malformed == 1
    assert "authorships" in report.problems[0]
    ids = {
        r["id"]
        for p in replay.pages
        for r in p["results"]
        if isinstance(r.get("authorships"), list)
    }
    assert report.works_stored == len(ids)
    con = duckdb.connect(str(db), read_only=True)
    try:
        n_countries = con.execute("SELECT count(DISTINCT country) FROM work_countries").fetchone()
        keys = con.execute("SELECT count(*), count(DISTINCT work_key) FROM works").fetchone()
    finally:
        con.close()
    assert n_countries is not None and n_countries[0] > 3
    assert keys is not None and keys[0] == keys[1] == len(ids)


def test_resume_from_saved_cursor(httpserver: HTTPServer, replay: Replay, tmp_path: Path) -> None:
    httpserver.expect_request("/works").respond_with_handler(replay)
    db = tmp_path / "api.duckdb"
    cfg = ApiConfig(base_url=httpserver.url_for(""))
    first = fetch_into_store(db, search="x", config=cfg, max_pages=1, sleep=lambda s: None)
    assert first.records_read == 49
    second = fetch_into_store(db, search="x", config=cfg, sleep=lambda s: None)
    assert [c["cursor"] for c in replay.calls] == ["*", "c2", "c2", "c3"]
    assert second.records_read == 53
    again = fetch_into_store(db, search="x", config=cfg, sleep=lambda s: None)
    assert again.records_read == 0 and again.works_stored == second.works_stored


def test_gives_up_after_retries(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/works").respond_with_data("boom", status=503)
    slept: list[float] = []
    with pytest.raises(DataSourceError, match="503"):
        fetch_into_store(
            tmp_path / "x.duckdb",
            search="x",
            config=ApiConfig(base_url=httpserver.url_for(""), max_retries=2, backoff=0.01),
            sleep=slept.append,
        )
    assert len(slept) == 2


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("garbage") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:{port}",  # connection refused
        "http://openalex.invalid",  # DNS failure (.invalid never resolves, RFC 6761)
    ],
)
def test_offline_fails_fast_with_hint(base: str, tmp_path: Path) -> None:
    slept: list[float] = []
    with pytest.raises(DataSourceError) as info:
        fetch_into_store(
            tmp_path / "x.duckdb",
            search="x",
            config=ApiConfig(base_url=base.format(port=_closed_port())),
            sleep=slept.append,
        )
    msg = str(info.value)
    assert "cannot connect to the OpenAlex API" in msg and "landscape ingest" in msg
    assert len(slept) <= 1 and sum(slept) <= 1.0  # one short retry, not a minute of back-off
