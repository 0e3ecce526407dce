"""An assessment stored by an earlier version loads into the typed Assessment and renders the same.

``data/stored-assessment-f511a39.json`` was written by Détente at commit f511a39 (before the
contracts layer), through the pipeline with screening against tests/screening/fixtures/user_list.csv
and the research-security packs (as of 2026-11-30); the ``.md`` beside it is that version's report.
"""

from __future__ import annotations

from pathlib import Path

from detente.assessment.engine import reproduce
from detente.assessment.result import Assessment
from detente.model import DueDiligence, PacksReport
from detente.report import render, render_json
from detente.report.diligence import diligence_rows

DATA = Path(__file__).parent / "data"
STORED = DATA / "stored-assessment-f511a39.json"


def test_a_stored_assessment_loads_typed_and_re_renders_byte_for_byte() -> None:
    text = STORED.read_text(encoding="utf-8")
    a = Assessment.model_validate_json(text)
    assert isinstance(a.due_diligence, DueDiligence)
    assert isinstance(a.due_diligence.research_security, PacksReport)
    # field names (``schema_``), computed ``explanation`` kept; the only addition since f511a39 is
    # the providers stamp (empty: that version recorded none)
    assert render_json(a) == text.replace('  "disclaimer"', '  "providers": [],\n  "disclaimer"', 1)
    assert render(a, "md") == (DATA / "stored-assessment-f511a39.md").read_text(encoding="utf-8")


def test_the_report_reads_the_typed_fields() -> None:
    a = Assessment.model_validate_json(STORED.read_text(encoding="utf-8"))
    assert a.due_diligence is not None
    rows = diligence_rows(a.due_diligence)
    hit = next(r for r in rows["screening"] if r["name"] == "Example Frontier AI Lab")
    assert hit["status"] == "hit" and hit["list"].startswith(
        a.due_diligence.parties[1].matches[0].list_name
    )
    assert rows["sides"]["headers"] and rows["lists"]
    # the recorded flags stand for the screening when re-computed; the framework and rule pack
    # changed since (framework 1.2.0: risks toward a rival; rules and safeguards 2.1.0) are
    # named; the verdict, the levels and the due diligence are unchanged here
    again, diffs = reproduce(a)
    assert [d.split(":")[0] for d in diffs] == ["framework", "rules", "safeguards"]
    assert again.risks == a.risks and again.cells == a.cells
    # the verdict is the same; only V-RESTRICTING-HIT's wording changed (rules 2.7.1: "a hit …
    # corroborated by evidence" instead of "a confirmed match")
    reworded = {
        "A party is a confirmed match on a restricting list (e.g. Entity List, §1286, 1260H)": (
            "A party is a hit on a restricting list (e.g. Entity List, §1286, 1260H; a match "
            "corroborated by evidence, or confirmed by a reviewer)"
        )
    }
    old_verdict = a.verdict.model_dump_json()
    for before, after in reworded.items():
        old_verdict = old_verdict.replace(before, after)
    assert again.verdict.model_dump_json() == old_verdict
    assert again.due_diligence_flags == a.due_diligence_flags
    assert again.due_diligence == a.due_diligence


def test_a_due_diligence_without_packs_records_no_research_security_key() -> None:
    a = Assessment.model_validate_json(STORED.read_text(encoding="utf-8"))
    assert a.due_diligence is not None
    bare = a.due_diligence.model_copy(update={"research_security": None})
    assert "research_security" not in bare.recorded()
    assert "pack.cannot_tell" in a.due_diligence.flags() and "pack.cannot_tell" not in bare.flags()


def test_the_recorded_json_validates_against_the_published_schema() -> None:
    """docs/schema/assessment.schema.json spells out the due diligence as it is recorded."""
    import json

    import pytest

    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    root = Path(__file__).resolve().parents[2]
    schema = json.loads((root / "docs" / "schema" / "assessment.schema.json").read_text("utf-8"))
    validator = jsonschema_rs.validator_for(schema)
    recorded = json.loads(STORED.read_text(encoding="utf-8"))
    assert validator.is_valid(recorded)
    assert schema["$defs"]["DueDiligence"]["properties"]["research_security"]
    bad = json.loads(STORED.read_text(encoding="utf-8"))
    bad["due_diligence"]["parties"][0]["list_nam"] = "typo"  # a guessed key is now an error
    assert not validator.is_valid(bad)


def test_each_match_row_shows_its_own_status() -> None:
    """A party with a hit and a weaker match: the weaker row says potential, not the party's hit."""
    a = Assessment.model_validate_json(STORED.read_text(encoding="utf-8"))
    assert a.due_diligence is not None
    party = a.due_diligence.parties[1]
    weak = party.matches[0].model_copy(update={"score": 0.5, "entry_id": "other"})
    dd = a.due_diligence.model_copy(
        update={
            "parties": [
                a.due_diligence.parties[0],
                party.model_copy(update={"matches": [party.matches[0], weak]}),
            ]
        }
    )
    rows = [r for r in diligence_rows(dd)["screening"] if r["name"] == party.name]
    assert [r["status"] for r in rows] == ["hit", "potential"]
