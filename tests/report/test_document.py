"""The decision page's content in every format: findings, statement, actions with owners, record."""

from __future__ import annotations

import re

import pytest

from detente.assessment.engine import assess
from detente.assessment.proposal import Proposal
from detente.assessment.result import Assessment
from detente.errors import ProposalError
from detente.framework.model import Framework
from detente.report import document as doc
from detente.report import render
from detente.report.html import render_html
from detente.report.terminal import render_text


def test_every_safeguard_and_action_rule_has_an_owner(fw: Framework) -> None:
    resp = doc.responsibilities()
    missing = [s.id for s in fw.catalogue.safeguards if s.id not in resp.safeguards]
    assert not missing, f"safeguards without an owner in responsibilities.yaml: {missing}"
    unknown = [v.id for v in fw.rules.verdicts if v.id not in resp.verdict_rules]
    assert not unknown, f"verdict rules without an entry in responsibilities.yaml: {unknown}"


def test_an_unknown_owner_is_refused() -> None:
    data = doc.responsibilities().model_dump()
    data["safeguards"]["logged-access"]["owner"] = "janitor"
    with pytest.raises(ValueError, match="janitor"):
        doc.Responsibilities.model_validate(data)


def _verdict_box_md(md: str) -> str:
    return md.split("## Benefit and risk")[0]


def _verdict_box_html(html: str) -> str:
    m = re.search(r'<div class="verdict .*?</div>\n</div>', html, re.S)
    assert m, "no verdict box"
    return m.group(0)


@pytest.mark.parametrize(
    "name", ["06-agent-dangerous-capability-eval", "12-cbrn-red-teaming-exchange"]
)
def test_verdict_box_has_every_finding(assessed: dict[str, Assessment], name: str) -> None:
    a = assessed[name]
    rules = [v.rule for v in (*a.verdict.decisive, *a.verdict.also)]
    assert len(rules) > 1
    md, html, text = render(a, "md"), render_html(a), render_text(a, width=200)
    for r in rules:
        assert f"`{r}`" in _verdict_box_md(md)
        assert f'data-rule="{r}"' in _verdict_box_html(html)
        assert f"[{r}]" in text


def test_entity_list_hit_in_every_verdict_box(hit_assessment: Assessment) -> None:
    """Example 17 screened: the restricting-list hit is in the verdict box of md, html, text."""
    a = hit_assessment
    md, html, text = render(a, "md"), render_html(a), render_text(a, width=200)
    assert "`V-RESTRICTING-HIT`" in _verdict_box_md(md)
    assert "due diligence" in _verdict_box_md(md)
    box = _verdict_box_html(html)
    assert 'data-rule="V-RESTRICTING-HIT"' in box and "Entity List" in box
    head = text.split("Areas × risks")[0]
    assert "[V-RESTRICTING-HIT]" in head and "Entity List" in head
    # every list match says whether it is automated or confirmed by a reviewer
    notes = doc.match_summary(a)
    assert notes and all(n.confirmed_by in ("automated", "reviewer") for n in notes)
    assert "automated (not yet confirmed by a reviewer)" in _verdict_box_md(md)
    # the empowered official owns the licence determination, answering the finding
    owners = {c.owner_id: c.answers for c in doc.actions(a)}
    assert owners["empowered_official"] == ["V-RESTRICTING-HIT"]
    # the record names the list snapshots it rests on
    assert doc.basis(a).lists and "Entity List" in " ".join(doc.basis(a).lists)


def test_reviewer_disposition_is_shown_as_confirmed(hit_assessment: Assessment) -> None:
    data = hit_assessment.model_dump(mode="json", by_alias=True)
    m = next(s for s in data["due_diligence"]["parties"] if s.get("matches"))["matches"][0]
    m["disposition"] = {
        "decision": "true_match",
        "reason": "Same university, same address.",
        "reviewer": "rita",
        "decided_at": "2026-11-29T10:00:00Z",
        "entry_fingerprint": "x",
        "expired": False,
    }
    a = Assessment.model_validate(data)
    assert any(n.confirmed_by == "reviewer" and n.reviewer == "rita" for n in doc.match_summary(a))
    md = render(a, "md")
    assert "confirmed by reviewer rita" in _verdict_box_md(md)
    assert "by rita on 2026-11-29" in md  # the record lists the disposition it rests on


def test_conditions_are_numbered_with_owner_and_answer(assessed: dict[str, Assessment]) -> None:
    a = assessed["17-compute-verification-hit"]
    acts = doc.actions(a)
    assert [c.number for c in acts] == list(range(1, len(acts) + 1))
    planned = {s.id for s in a.safeguards if s.planned}
    assert {c.safeguard for c in acts if c.safeguard} == planned
    assert any(c.answers == ["dd.not_checked"] for c in acts)
    md = render(a, "md")
    for c in acts:
        assert f"{c.number}. {c.text} — **Owner:** {c.owner}" in md


def test_an_unmapped_condition_is_kept_verbatim(assessed: dict[str, Assessment]) -> None:
    data = assessed["01-incident-reporting-protocol"].model_dump(mode="json", by_alias=True)
    data["verdict"]["conditions"].append("A brand-new condition no data file knows.")
    acts = doc.actions(Assessment.model_validate(data))
    last = acts[-1]
    assert last.text == "A brand-new condition no data file knows."
    assert last.owner_id == doc.responsibilities().default.owner


def test_benefit_risk_statement_prefers_the_assessments_own(
    assessed: dict[str, Assessment],
) -> None:
    a = assessed["05-hardware-enabled-mechanisms"]
    assert a.statement and doc.benefit_risk_statement(a) == a.statement.strip()
    # an older stored assessment without a statement gets one built from its content
    old = a.model_copy(update={"statement": ""})
    built = doc.benefit_risk_statement(old)
    assert "framework.md §2" in built and a.verdict.label.lower() in built.lower()

    # the terminal and the report show the statement once: a stored assessment without one too
    for x in (a, old):
        statement = doc.benefit_risk_statement(x)
        flat = " ".join(render_text(x, width=10_000).split())
        assert flat.count(" ".join(statement.split())) == 1
        # the mitigation plan after the report is a document of its own, filed apart
        report, _, plan = render(x, "md").partition("## Mitigation plan")
        assert report.count(statement) == 1 and plan.count(statement) == 1


def _with_metadata(fw: Framework, **meta: object) -> Assessment:
    p = Proposal.model_validate(
        {
            "title": "Metadata test",
            "parties": [{"name": "Example University", "country": "US"}],
            "areas": [{"id": "protocols"}],
            "metadata": meta,
        }
    )
    return assess(p, fw)


def test_title_block_shows_metadata(fw: Framework) -> None:
    a = _with_metadata(
        fw,
        principal_investigator="Prof. Ada Example",
        department="Computer Science",
        funder="NSF",
        award_number="2412345",
        start_date="2027-01-01",
        end_date="2028-12-31",
        prepared_by="Research Security Office",
    )
    md = render(a, "md")
    for text in (
        "Prof. Ada Example",
        "Computer Science",
        "NSF",
        "2412345",
        "2027-01-01",
        "2028-12-31",
    ):
        assert text in md.split("**Verdict")[0]
    assert "Research Security Office" in render_html(a)


def test_metadata_is_optional_and_leaves_old_proposals_unchanged(fw: Framework) -> None:
    p = Proposal.model_validate({"title": "x", "parties": [{"name": "U", "country": "US"}]})
    assert "metadata" not in p.model_dump(mode="json", by_alias=True)
    with pytest.raises(ValueError, match=r"before metadata\.start_date"):
        Proposal.model_validate(
            {
                "title": "x",
                "parties": [{"name": "U", "country": "US"}],
                "metadata": {"start_date": "2027-01-01", "end_date": "2026-01-01"},
            }
        )
    with pytest.raises(ValueError):
        Proposal.model_validate(
            {"title": "x", "parties": [{"name": "U", "country": "US"}], "metadata": {"pi": "x"}}
        )
    assert ProposalError  # the loader maps these to one readable error (tests/core)


def test_markdown_decision_record_is_blank_for_signing(assessed: dict[str, Assessment]) -> None:
    md = render(assessed["03-training-run-verification"], "md")
    assert "## Decision record" in md and "| Signature |  |" in md
    assert "detente reproduce" in md
    assert md.index("## Appendix: the full rule trace") > md.index("## Due diligence")
