"""Golden files pin the JSON and Markdown of every example (screening off, so they are stable).

After an intended change, regenerate with ``DETENTE_UPDATE_GOLDEN=1 pytest tests/core/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from detente.assessment.engine import assess, reproduce
from detente.assessment.loader import load_proposal
from detente.assessment.result import Assessment
from detente.framework.model import Framework
from detente.report import render, render_json

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("DETENTE_UPDATE_GOLDEN") == "1"


def _check(path: Path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {path.name} missing: run with DETENTE_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden file"


def test_there_are_enough_examples() -> None:
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_example_golden(fw: Framework, example: Path) -> None:
    a = assess(load_proposal(example, fw), fw)
    _check(GOLDEN / f"{example.stem}.json", render_json(a))
    _check(GOLDEN / f"{example.stem}.md", render(a, "md"))
    # the expected verdict written in the example's header is what the tool says
    header = example.read_text(encoding="utf-8").splitlines()
    expected = next(
        line.split(":", 1)[1].strip() for line in header if line.startswith("# expected verdict")
    )
    assert a.verdict.level == expected


@pytest.mark.parametrize("example", EXAMPLES[:3], ids=[e.stem for e in EXAMPLES[:3]])
def test_stored_json_re_renders_identically(fw: Framework, example: Path) -> None:
    a = assess(load_proposal(example, fw), fw)
    stored = render_json(a)
    again = Assessment.model_validate_json(stored)
    assert render_json(again) == stored
    assert render(again, "md") == render(a, "md")
    assert render(again, "html") == render(a, "html")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_engine_records_equal_their_validated_reload(fw: Framework, example: Path) -> None:
    """The records the engine sets up without validation (detente._construct) validate, and
    validated they are equal to what the engine built."""
    a = assess(load_proposal(example, fw), fw)
    assert Assessment.model_validate_json(render_json(a)) == a


def test_html_report_is_self_contained(fw: Framework) -> None:
    a = assess(load_proposal(EXAMPLES[0], fw), fw)
    html = render(a, "html")
    assert "<style>" in html and "http://" not in html.replace("http://www.w3.org", "")
    assert 'class="heat"' in html and "data-verdict" in html
    assert a.framework.version in html and "reading of the reasoning" in html
    assert 'data-dd="not-checked"' in html  # not checked is shown as such


def test_examples_readme_lists_every_example_with_its_verdict(fw: Framework) -> None:
    table = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    for example in EXAMPLES:
        row = next((line for line in table.splitlines() if f"[`{example.name}`]" in line), None)
        assert row is not None, f"{example.name} is missing from examples/README.md"
        verdict = assess(load_proposal(example, fw), fw).verdict.level
        assert row.rstrip().endswith(f"`{verdict}` |"), f"{example.name}: README says otherwise"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_a_filed_assessment_reproduces_byte_for_byte(fw: Framework, example: Path) -> None:
    """The recorded proposal, validated again, reads the same facts (what was not stated stays
    not stated), so `reproduce` gives the same assessment."""
    a = assess(load_proposal(example, fw), fw)
    filed = Assessment.model_validate_json(render_json(a))
    again, diffs = reproduce(filed, fw)
    assert not diffs
    assert render_json(again) == render_json(a)
