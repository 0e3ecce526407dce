"""Reports of an assessment: JSON, Markdown, self-contained HTML, PDF and the terminal.

Every renderer reads only the :class:`~detente.assessment.result.Assessment`,
so a stored assessment re-renders exactly as it was first shown.
"""

from __future__ import annotations

import json
from typing import Literal

from detente.assessment.result import Assessment

Format = Literal["json", "md", "html", "text"]
FORMATS: tuple[str, ...] = ("json", "md", "html", "text")
SUFFIX = {"json": ".json", "md": ".md", "html": ".html", "text": ".txt"}


def render_json(a: Assessment) -> str:
    """Deterministic JSON: same assessment, same bytes."""
    return json.dumps(a.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False) + "\n"


def render(a: Assessment, fmt: str = "json") -> str:
    """Render an assessment as ``json``, ``md``, ``html`` or ``text`` (plain terminal text)."""
    if fmt == "json":
        return render_json(a)
    if fmt == "md":
        from detente.report.markdown import render_markdown

        return render_markdown(a)
    if fmt == "html":
        from detente.report.html import render_html

        return render_html(a)
    if fmt == "text":
        from detente.report.terminal import render_text

        return render_text(a)
    from detente.errors import InputError

    raise InputError(f"unknown report format {fmt!r} (use one of {', '.join(FORMATS)})")


def render_pdf(a: Assessment) -> bytes:
    """The HTML report printed to PDF with WeasyPrint."""
    from weasyprint import HTML

    from detente.report.html import render_html

    pdf: bytes = HTML(string=render_html(a, for_print=True)).write_pdf()
    return pdf


__all__ = ["FORMATS", "SUFFIX", "render", "render_json", "render_pdf"]
