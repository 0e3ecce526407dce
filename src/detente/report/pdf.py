"""PDF reports (the ``pdf`` extra: WeasyPrint); reached through the ``pdf`` renderer."""

from __future__ import annotations

from detente.assessment.result import Assessment
from detente.report.document import Record

PAPERS: tuple[str, ...] = ("A4", "letter")
TOC_ABOVE_PAGES = 4


def pdf_bytes(a: Assessment, *, paper: str = "A4", record: Record | None = None) -> bytes:
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
