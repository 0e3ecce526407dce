"""Every example's PDF checked like a document: nothing off the page, numbered pages, page 1 decides.

Each example is rendered once per paper size (A4, US Letter) and read back with pdfplumber.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest

from detente.assessment.result import Assessment
from detente.report import document as doc
from detente.report import render_pdf

from .conftest import EXAMPLES

MM = 72 / 25.4
# The stylesheet's page margins are 18 mm (top, bottom) and 15 mm (left, right); the running
# header and the page number sit in the top and bottom margins. Body text must stay inside the
# left and right margins, and nothing may come closer to the edge than a printer's usual
# unprintable border (0.25 in).
SIDE_MARGIN = 15 * MM
UNPRINTABLE = 6.35 * MM
TOLERANCE = 0.5

pytestmark = pytest.mark.slow


def squash(text: str) -> str:
    """Text without whitespace (lines wrap anywhere on paper)."""
    return re.sub(r"\s+", "", text)


def check_document(a: Assessment, pdf_bytes: bytes, paper: str) -> None:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        pages = pdf.pages
        n = len(pages)
        assert n >= 1
        size = (pages[0].width, pages[0].height)
        expected = (595.3, 841.9) if paper == "A4" else (612.0, 792.0)
        assert abs(size[0] - expected[0]) < 1 and abs(size[1] - expected[1]) < 1, size
        texts = []
        for i, page in enumerate(pages, 1):
            w, h = page.width, page.height
            outside = [
                c
                for c in page.chars
                if c["text"].strip()
                and (
                    c["x0"] < SIDE_MARGIN - TOLERANCE
                    or c["x1"] > w - SIDE_MARGIN + TOLERANCE
                    or c["top"] < UNPRINTABLE
                    or c["bottom"] > h - UNPRINTABLE
                )
            ]
            assert not outside, (
                f"{paper} page {i}: {len(outside)} character(s) outside the printable area, e.g. "
                f"{''.join(c['text'] for c in outside[:40])!r} at x={outside[0]['x0']:.0f}..{outside[0]['x1']:.0f}"
            )
            text = page.extract_text() or ""
            assert f"Page {i} of {n}" in text, f"{paper} page {i} has no page number"
            assert a.proposal_id in squash(text), f"{paper} page {i} has no running header"
            texts.append(text)
    first = squash(texts[0])
    assert squash(f"Verdict: {a.verdict.label}") in first
    for f in (*a.verdict.decisive, *a.verdict.also):
        assert f.rule in first, f"finding {f.rule} is not on page 1"
        assert squash(f.reason) in first, f"the reason of {f.rule} is not on page 1"
    assert squash(doc.benefit_risk_statement(a)) in first, "no benefit–risk statement on page 1"
    for act in doc.actions(a):
        assert squash(f"{act.number}.{act.text}") in first, f"condition {act.number} not on page 1"
        assert squash(act.owner) in first
    assert len(doc.actions(a)) >= len(a.verdict.conditions) or not a.verdict.conditions
    if n > 4:
        # after the decision page (the decision record may run onto page 2)
        assert any(t.startswith("Contents") or "\nContents\n" in t for t in texts[1:3]), (
            "a report over four pages has no table of contents"
        )
    assert any("Appendix: the full rule trace" in t for t in texts[1:])


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_example_pdf(assessed: dict[str, Assessment], example: Path, paper: str) -> None:
    a = assessed[example.stem]
    check_document(a, render_pdf(a, paper=paper), paper)


@pytest.mark.shared
@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_entity_list_hit_pdf(hit_assessment: Assessment, paper: str) -> None:
    """The screened example 17 (with its Entity List hit) passes the same checks."""
    check_document(hit_assessment, render_pdf(hit_assessment, paper=paper), paper)
