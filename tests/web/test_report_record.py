"""The filed report from the web app carries the reviewer's decision and the audit-chain head."""

from __future__ import annotations

import io
import re

from docx import Document

from detente.store.service import Workflow

from .conftest import actor, login, token_for
from .samples import VERIFICATION


def test_export_carries_decision_and_audit_head(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    wf.submit(actor(wf, "alice"), VERIFICATION)
    wf.decide(
        actor(wf, "rita"),
        1,
        outcome="approved_with_conditions",
        reasoning="The independent review answers the backdoor risk.",
        conditions="Quarterly log review by the information-security officer.",
        base_revision=1,
    )
    login(client, "rita")
    md = client.get("/proposals/1/export.md?rev=1").text
    assert "| Reviewer | rita |" in md and "| Role | reviewer |" in md
    assert "approved with conditions" in md
    assert "The independent review answers the backdoor risk." in md
    assert "Quarterly log review" in md
    m = re.search(r"Audit-chain head: entry (\d+), `([0-9a-f]{64})`", md)
    assert m, "no audit-chain head in the filed report"
    entry = wf.audit_entry(int(m.group(1)))
    assert entry is not None and entry.hash == m.group(2)
    html = client.get("/proposals/1/export.html?rev=1").text
    assert "from the review workflow" in html and "Audit-chain head" in html


def test_export_without_decision_is_blank_for_signing(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    wf.submit(actor(wf, "alice"), VERIFICATION)
    login(client, "alice")
    md = client.get("/proposals/1/export.md?rev=1").text
    assert "To be completed and signed by the reviewer." in md
    assert "| Reviewer |  |" in md and "| Signature |  |" in md


def test_plan_downloads(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    wf.submit(actor(wf, "alice"), VERIFICATION)
    login(client, "alice")
    r = client.get("/proposals/1/export.plan.docx?rev=1")
    assert r.status_code == 200 and "wordprocessingml" in r.headers["content-type"]
    doc = Document(io.BytesIO(r.content))
    assert any(p.text.startswith("Mitigation plan:") for p in doc.paragraphs)
    r = client.get("/proposals/1/export.plan.pdf?rev=1")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client.get("/proposals/1").text.count("export.plan.") == 2


def test_api_serves_the_plan(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    wf.submit(actor(wf, "alice"), VERIFICATION)
    headers = token_for(wf, "alice")
    r = client.get("/api/v1/proposals/1/report?format=plan.docx", headers=headers)
    assert r.status_code == 200 and "wordprocessingml" in r.headers["content-type"]
    assert Document(io.BytesIO(r.content)).tables, "the plan's measures are tables"
    r = client.get("/api/v1/proposals/1/report?format=plan.md", headers=headers)
    assert r.status_code == 200 and r.text.startswith("# Mitigation plan:")
