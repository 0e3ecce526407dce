"""Reports of an assessment: JSON, Markdown, self-contained HTML, PDF and the terminal.

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
SUFFIX = {"json": ".json", "md": ".md", "html": ".html", "text": ".txt"}


def render_json(a: Assessment) -> str:
    """Deterministic JSON: same assessment, same bytes."""
    return json.dumps(a.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False) + "\n"


def render(a: Assessment, fmt: str = "json", *, record: Record | None = None) -> str:
    """Render an assessment as ``json``, ``md``, ``html`` or ``text`` (plain terminal text).

    ``record`` (the web app's decision and audit-chain head) fills the decision record of the
    Markdown and HTML reports; without it the reviewer block is left blank for signing.
    """
    if fmt == "json":
        return render_json(a)
    if fmt == "md":
        from detente.report.markdown import render_markdown

        return render_markdown(a, record)
    if fmt == "html":
        from detente.report.html import render_html

        return render_html(a, record=record)
    if fmt == "text":
        from detente.report.terminal import render_text

        return render_text(a)
    from detente.errors import InputError

    raise InputError(f"unknown report format {fmt!r} (use one of {', '.join(FORMATS)})")


PAPERS: tuple[str, ...] = ("A4", "letter")
TOC_ABOVE_PAGES = 4


def render_pdf(a: Assessment, *, paper: str = "A4", record: Record | None = None) -> bytes:
    """The report printed to PDF with WeasyPrint, on A4 or US Letter.

    Page numbers and a running header on every page; a table of contents when the report runs
    over four pages (laid out once to count the pages, then again with the contents).
    """
    from weasyprint import HTML

    from detente.report.html import render_html

    if paper not in PAPERS:
        from detente.errors import InputError

        raise InputError(f"unknown paper size {paper!r} (use A4 or letter)")
    # Most reports run over four pages: lay out with the contents first, and only when that
    # fits in TOC_ABOVE_PAGES + 1 pages see whether the report without contents is short enough.
    doc = HTML(string=render_html(a, for_print=True, paper=paper, record=record, toc=True)).render()
    if len(doc.pages) <= TOC_ABOVE_PAGES + 1:
        short = HTML(string=render_html(a, for_print=True, paper=paper, record=record)).render()
        if len(short.pages) <= TOC_ABOVE_PAGES:
            doc = short
    pdf: bytes = doc.write_pdf()
    return pdf


__all__ = ["FORMATS", "PAPERS", "SUFFIX", "Record", "render", "render_json", "render_pdf"]
