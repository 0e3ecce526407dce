"""Exports of a stored assessment: JSON, HTML, Markdown and PDF, re-rendered exactly from what was stored."""

from __future__ import annotations

import re

from fastapi.responses import Response

from detente.errors import NotFoundError
from detente.report import render, render_pdf
from detente.store.service import Workflow
from detente.store.views import Actor

MEDIA = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}


def export_response(
    wf: Workflow, actor: Actor, proposal_id: int, fmt: str, rev: int | None
) -> Response:
    if fmt not in MEDIA:
        raise NotFoundError(f"no export format {fmt!r} (use one of {', '.join(MEDIA)})")
    meta, a = wf.assessment(actor, proposal_id, rev)
    body: bytes | str = render_pdf(a) if fmt == "pdf" else render(a, fmt)
    slug = re.sub(r"[^a-z0-9]+", "-", a.proposal_id.lower()).strip("-")[:60] or "proposal"
    name = f"detente-{proposal_id}-r{meta.revision_number}-{slug}.{fmt}"
    disposition = "inline" if fmt == "html" else "attachment"
    if fmt in ("pdf", "html"):
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
