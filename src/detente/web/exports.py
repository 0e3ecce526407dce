"""Exports of a stored assessment: JSON, HTML, Markdown and PDF, re-rendered exactly from what was stored.

HTML, Markdown and PDF carry the decision record: the reviewer's latest decision on the exported
revision (blank for signing when there is none) and the audit-chain head at export time, so a
filed copy can be checked against the review database later. The mitigation plan downloads as
``plan.docx`` (editable), ``plan.pdf`` or ``plan.md``.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime

from fastapi.responses import Response

from detente.errors import DetenteError, NotFoundError
from detente.report import Record, render, render_pdf
from detente.report.document import Reviewer
from detente.report.plan import render_plan
from detente.store.service import Workflow
from detente.store.views import Actor

MEDIA = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "plan.md": "text/markdown; charset=utf-8",
    "plan.pdf": "application/pdf",
    "plan.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def decision_record(wf: Workflow, actor: Actor, proposal_id: int, revision: int) -> Record:
    """The latest decision on this revision and the audit-chain head, for the filed report."""
    detail = wf.get(actor, proposal_id)
    decisions = [d for d in detail.decisions if d.revision_number == revision]
    reviewer = None
    if decisions:
        d = decisions[-1]
        role: str = ""
        with contextlib.suppress(DetenteError):
            role = wf.get_user(d.reviewer).role
        reviewer = Reviewer(
            name=d.reviewer,
            role=role,
            decision=d.outcome,
            date=d.created_at.date().isoformat(),
            reasoning=d.reasoning,
            conditions=d.conditions,
        )
    entries, _total = wf.audit_entries(limit=1)
    head = entries[0] if entries else None
    return Record(
        reviewer=reviewer,
        source="web",
        revision=revision,
        audit_seq=head.seq if head else None,
        audit_head=head.hash if head else None,
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def export_response(
    wf: Workflow, actor: Actor, proposal_id: int, fmt: str, rev: int | None
) -> Response:
    if fmt not in MEDIA:
        raise NotFoundError(f"no export format {fmt!r} (use one of {', '.join(MEDIA)})")
    meta, a = wf.assessment(actor, proposal_id, rev)
    body: bytes | str
    if fmt.startswith("plan."):
        body = render_plan(a, fmt.removeprefix("plan."))
    elif fmt == "json":
        body = render(a, fmt)
    else:
        record = decision_record(wf, actor, proposal_id, meta.revision_number)
        body = render_pdf(a, record=record) if fmt == "pdf" else render(a, fmt, record=record)
    slug = re.sub(r"[^a-z0-9]+", "-", a.proposal_id.lower()).strip("-")[:60] or "proposal"
    name = f"detente-{proposal_id}-r{meta.revision_number}-{slug}.{fmt}"
    disposition = "inline" if fmt == "html" else "attachment"
    if fmt in ("pdf", "html", "plan.pdf", "plan.docx"):
        wf.record(
            actor,
            "report.export",
            "proposal",
            proposal_id,
            {"format": fmt, "revision": meta.revision_number},
        )
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
