"""One pipeline: the same proposal through the CLI, the Workflow (web app) and the REST API gives
byte-identical assessment JSON."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.assessment.result import Assessment
from detente.cli.main import app as cli_app
from detente.pipeline import AssessOptions, run_assessment
from detente.report import render_json

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "09-nuclear-c2-verification-nudt.yaml"


def test_cli_workflow_and_api_give_identical_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DETENTE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    text = EXAMPLE.read_text(encoding="utf-8")

    r = CliRunner().invoke(
        cli_app, ["assess", str(EXAMPLE), "--out", str(tmp_path / "out"), "--format", "json"]
    )
    assert r.exit_code == 0, r.output
    via_cli = (tmp_path / "out" / f"{EXAMPLE.stem}.json").read_text(encoding="utf-8")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    from detente.web.app import create_app
    from detente.web.settings import Settings

    application = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}"))
    wf = application.state.workflow
    try:
        _p, a, _reason = wf.assess_text(text, EXAMPLE.name)
        via_workflow = render_json(a)

        user = wf.create_user("alice", "alice-password", "submitter")
        from detente.store.views import Actor

        raw, _ = wf.create_token(Actor(id=user.id, username="alice", role="submitter"), "t")
        with TestClient(application) as client:
            resp = client.post(
                "/api/v1/assess",
                headers={"Authorization": f"Bearer {raw}"},
                json={"source": text, "filename": EXAMPLE.name},
            )
        assert resp.status_code == 200, resp.text
        via_api = render_json(Assessment.model_validate(resp.json()))
    finally:
        wf.db.dispose()

    assert via_cli == via_workflow == via_api
    assert json.loads(via_cli)["statement"]


def test_options_reach_the_assessment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_HOME", str(tmp_path / "home"))
    text = EXAMPLE.read_text(encoding="utf-8")
    off = run_assessment(text, options=AssessOptions(screen=False), source_name=EXAMPLE.name)
    assert off.not_checked_reason == "screening was switched off"
    assert off.assessment.due_diligence is None
    assert "dd.not_checked" in off.assessment.due_diligence_flags
