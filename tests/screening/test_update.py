"""`lists update` against a local HTTP server serving the real files from ../shared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from detente.screening.registry import SourceSpec
from detente.screening.store import current_snapshots, list_snapshots, open_index
from detente.screening.update import update_sources

pytestmark = pytest.mark.shared
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SOURCES = {
    "bis_mieu": ["mieu.csv"],
    "dod_1260h": ["sanctions.csv"],
    "ofac_sdn": ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"],
}


def _serve(
    server: HTTPServer,
    shared_lists: Path,
    *,
    override: dict[str, bytes] | None = None,
    status: dict[str, int] | None = None,
) -> None:
    server.clear()
    for sid, names in SOURCES.items():
        for name in names:
            key = f"{sid}/{name}"
            if status and key in status:
                server.expect_request(f"/{key}").respond_with_data("boom", status=status[key])
                continue
            data = (override or {}).get(key) or (shared_lists / sid / name).read_bytes()
            server.expect_request(f"/{key}").respond_with_data(data, content_type="text/csv")


def _url_for(server: HTTPServer):  # type: ignore[no-untyped-def]
    def f(spec: SourceSpec, name: str, url: str) -> str:
        assert url.startswith(
            "https://"
        )  # the registry's official URL is replaced only for the test
        return server.url_for(f"/{spec.id}/{name}")

    return f


def test_update_then_failures_keep_previous(
    httpserver: HTTPServer, shared_lists: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    _serve(httpserver, shared_lists)
    out = update_sources(
        list(SOURCES), home=home, now=NOW, url_for=_url_for(httpserver), retries=1, timeout=10
    )
    assert all(o.ok for o in out), [o.message for o in out]
    first = current_snapshots(home)
    assert set(first) == set(SOURCES)
    idx = open_index(home)
    assert idx is not None and len(idx.matcher.entries) > 15000
    sdn_manifest = next(o.manifest for o in out if o.source_id == "ofac_sdn")
    assert (
        sdn_manifest is not None
        and sdn_manifest.files["sdn.csv"].rows == 14965
        and len(sdn_manifest.content_hash) == 64
    )

    # truncated downloads: OFAC file cut mid-way (no 0x1A marker), 1260H cut to a few rows
    sdn = (shared_lists / "ofac_sdn" / "sdn.csv").read_bytes()
    milcorps = (shared_lists / "dod_1260h" / "sanctions.csv").read_bytes()
    _serve(
        httpserver,
        shared_lists,
        override={
            "ofac_sdn/sdn.csv": sdn[: len(sdn) // 2],
            "dod_1260h/sanctions.csv": milcorps[:3000],
        },
        status={"bis_mieu/mieu.csv": 500},
    )
    later = NOW + timedelta(days=1)
    out2 = {
        o.source_id: o
        for o in update_sources(
            list(SOURCES), home=home, now=later, url_for=_url_for(httpserver), retries=1, timeout=10
        )
    }
    assert (
        not out2["ofac_sdn"].ok
        and "truncated" in out2["ofac_sdn"].message
        and "kept previous snapshot" in out2["ofac_sdn"].message
    )
    assert not out2["dod_1260h"].ok and "shrink" in out2["dod_1260h"].message
    assert (
        not out2["bis_mieu"].ok
        and "HTTP 500" in out2["bis_mieu"].message
        and first["bis_mieu"] in out2["bis_mieu"].message
    )
    assert current_snapshots(home) == first
    assert [m.snapshot_id for m in list_snapshots("ofac_sdn", home)] == [first["ofac_sdn"]]


def test_first_update_failing_says_not_loaded(
    httpserver: HTTPServer, shared_lists: Path, tmp_path: Path
) -> None:
    _serve(httpserver, shared_lists, status={"bis_mieu/mieu.csv": 503})
    out = update_sources(
        ["bis_mieu"], home=tmp_path, now=NOW, url_for=_url_for(httpserver), retries=0, timeout=5
    )
    assert not out[0].ok and "NOT loaded" in out[0].message
    assert open_index(tmp_path) is None


def test_cli_update_with_mirror(httpserver: HTTPServer, shared_lists: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from detente.cli.main import app

    _serve(httpserver, shared_lists, status={"ofac_sdn/sdn.csv": 500})
    r = CliRunner().invoke(
        app,
        [
            "lists",
            "update",
            "bis_mieu",
            "ofac_sdn",
            "--mirror",
            httpserver.url_for("/"),
            "--retries",
            "0",
            "--home",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 1
    assert "OK" in r.output and "bis_mieu" in r.output
    assert "FAIL" in r.output and "HTTP 500" in r.output and "NOT loaded" in r.output
    assert "Traceback" not in r.output
