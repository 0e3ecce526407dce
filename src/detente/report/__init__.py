"""Reports of an assessment: JSON, Markdown, self-contained HTML, PDF and the terminal.

The formats are renderers registered by name (:mod:`detente.registry`, entry-point group
``detente.renderers``); a third-party distribution adds one the same way.

Every renderer reads only the :class:`~detente.assessment.result.Assessment`,
so a stored assessment re-renders exactly as it was first shown.
"""

from __future__ import annotations

import json
from typing import Literal

from detente.assessment.result import Assessment
from detente.report.document import Record

Format = Literal["json", "md", "html", "text"]
FORMATS: tuple[str, ...] = ("json", "md", "html", "text")
"""The built-in text formats (every registered renderer: ``registry.names("renderer")``)."""
SUFFIX = {"json": ".json", "md": ".md", "html": ".html", "text": ".txt"}


def render_json(a: Assessment) -> str:
    """Deterministic JSON: same assessment, same bytes."""
    return json.dumps(a.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False) + "\n"


def render(a: Assessment, fmt: str = "json", *, record: Record | None = None) -> str:
    """Render an assessment as text: ``json``, ``md``, ``html``, ``text`` or a registered format.

    ``record`` (the web app's decision and audit-chain head) fills the decision record of the
    Markdown and HTML reports; without it the reviewer block is left blank for signing.
    Binary formats (``pdf``) come from :func:`render_bytes`.
    """
    from detente import registry

    r = registry.get("renderer", fmt)
    if r.binary:
        from detente.errors import InputError

        raise InputError(f"{fmt!r} is a binary format; use render_bytes (or render_pdf)")
    out = r.render(a, registry.RenderOptions(record=record))
    return out if isinstance(out, str) else out.decode("utf-8")


def render_bytes(
    a: Assessment, fmt: str, *, paper: str = "A4", record: Record | None = None
) -> bytes:
    """Render an assessment in any registered format, as bytes (text formats in UTF-8)."""
    from detente import registry

    out = registry.get("renderer", fmt).render(
        a, registry.RenderOptions(record=record, paper=paper)
    )
    return out.encode("utf-8") if isinstance(out, str) else out


PAPERS: tuple[str, ...] = ("A4", "letter")


def render_pdf(a: Assessment, *, paper: str = "A4", record: Record | None = None) -> bytes:
    """The report printed to PDF with WeasyPrint (the ``pdf`` extra), on A4 or US Letter.

    Raises :class:`~detente.errors.MissingExtraError` when WeasyPrint is not installed.
    """
    return render_bytes(a, "pdf", paper=paper, record=record)


__all__ = [
    "FORMATS",
    "PAPERS",
    "SUFFIX",
    "Record",
    "render",
    "render_bytes",
    "render_json",
    "render_pdf",
]
