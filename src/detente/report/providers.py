"""Détente's own report renderers, registered through the ``detente.renderers`` entry points.

Each is a light descriptor; the renderer's module (and WeasyPrint, for PDF) is imported when it
runs, so ``detente --help`` and a base install never import them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.registry import Renderer, RenderOptions

if TYPE_CHECKING:
    from detente.assessment.result import Assessment


def _json(a: Assessment, o: RenderOptions) -> str:
    from detente.report import render_json

    return render_json(a)


def _md(a: Assessment, o: RenderOptions) -> str:
    from detente.report.markdown import render_markdown

    return render_markdown(a, o.record)


def _html(a: Assessment, o: RenderOptions) -> str:
    from detente.report.html import render_html

    return render_html(a, record=o.record)


def _text(a: Assessment, o: RenderOptions) -> str:
    from detente.report.terminal import render_text

    return render_text(a)


def _pdf(a: Assessment, o: RenderOptions) -> bytes:
    from detente.report.pdf import pdf_bytes

    return pdf_bytes(a, paper=o.paper, record=o.record)


json = Renderer(
    render=_json,
    suffix=".json",
    media_type="application/json",
    description="The assessment as deterministic JSON (the schema of `detente schema assessment`).",
)
md = Renderer(
    render=_md,
    suffix=".md",
    media_type="text/markdown; charset=utf-8",
    description="A Markdown report.",
)
html = Renderer(
    render=_html,
    suffix=".html",
    media_type="text/html; charset=utf-8",
    description="A self-contained HTML report.",
)
text = Renderer(render=_text, suffix=".txt", description="Plain terminal text.")
pdf = Renderer(
    render=_pdf,
    suffix=".pdf",
    binary=True,
    media_type="application/pdf",
    requires=("weasyprint",),
    extra="pdf",
    description="The HTML report printed to PDF with WeasyPrint (A4 or letter).",
)
