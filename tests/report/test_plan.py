"""`detente plan`: an editable DOCX and a PDF plan, each measure with its owner, check and review."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from detente.assessment.result import Assessment
from detente.cli.main import app
from detente.report import document as doc
from detente.report.plan import mitigation_plan, plan_markdown

from .conftest import EXAMPLES


def _recommended(a: Assessment) -> list[str]:
    return [s.id for s in a.safeguards if not s.planned]


@pytest.fixture(scope="module")
def example(assessed: dict[str, Assessment]) -> Path:
    """The first example for which the assessment recommends at least three safeguards."""
    for e in EXAMPLES:
        if len(_recommended(assessed[e.stem])) >= 3:
            return e
    pytest.fail("no example recommends three or more safeguards")


def test_plan_covers_conditions_and_recommendations(
    assessed: dict[str, Assessment], example: Path
) -> None:
    a = assessed[example.stem]
    plan = mitigation_plan(a)
    ids = {m.id for m in plan.measures}
    assert set(_recommended(a)) <= ids
    assert {s.id for s in a.safeguards if s.planned} <= ids
    resp = doc.responsibilities()
    roles = {r.name for r in resp.roles.values()}
    for m in plan.measures:
        assert m.responsible in roles and m.check and m.review and m.mitigates
    # the verdict's conditions come first, in the page-1 order
    conds = [m for m in plan.measures if m.status == "condition"]
    assert len(conds) == len(doc.actions(a))
    assert plan.measures[: len(conds)] == conds
    md = plan_markdown(plan)
    assert md.count("- **Responsible:**") == len(plan.measures)


def test_cli_plan_writes_an_editable_docx_and_a_pdf(
    assessed: dict[str, Assessment], example: Path, tmp_path: Path
) -> None:
    r = CliRunner().invoke(
        app, ["plan", str(example), "--no-screen", "-o", str(tmp_path), "-f", "docx", "-f", "pdf"]
    )
    assert r.exit_code == 0, r.output
    docx_path = tmp_path / f"{example.stem}-plan.docx"
    pdf_path = tmp_path / f"{example.stem}-plan.pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF")
    d = Document(str(docx_path))
    headings = [
        p.text for p in d.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    plan = mitigation_plan(assessed[example.stem])
    for m in plan.measures:
        assert f"{m.number}. {m.measure}" in headings
    fields: list[dict[str, str]] = []
    for t in d.tables[: len(plan.measures)]:
        fields.append({row.cells[0].text: row.cells[1].text for row in t.rows})
    assert [f["Responsible"] for f in fields] == [m.responsible for m in plan.measures]
    assert all(f["Compliance check"] and f["Review"] for f in fields)
    # an office edits it: the fields are plain table cells
    fields_table = d.tables[0]
    fields_table.rows[-1].cells[1].text = "Filed in the grants system"
    d.save(str(tmp_path / "edited.docx"))
    assert (
        "Filed in the grants system"
        in Document(str(tmp_path / "edited.docx")).tables[0].rows[-1].cells[1].text
    )


def test_cli_plan_refuses_unknown_format(example: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["plan", str(example), "--no-screen", "-o", str(tmp_path), "-f", "odt"]
    )
    assert r.exit_code == 2 and "unknown plan format" in r.output
