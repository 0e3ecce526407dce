"""The packs in the assessment: acceptance cases written before running.

1. A DoW-funded fundamental-research proposal whose US researcher co-published in 2024 with an
   author at Harbin Institute of Technology (on the §1286 list since its FY22 edition, 29 Jun 2023):
   as of 1 Jun 2026 the DoW 2026 matrix applies and its co-publication factor holds, with the work
   as evidence ("mitigation required" → the verdict carries conditions); as of 1 Jun 2025 the 2025
   matrix applies, which has no co-publication factor, so nothing about the work is shown.
2. A proposal with a US party on China's Unreliable Entity List: the Chinese side's rule pack shows
   a prohibition with its basis (the UEL provisions), and the verdict is not advisable.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from detente.assessment.engine import assess
from detente.assessment.proposal import Proposal
from detente.packs.diligence import PackDiligence, lookback_for
from detente.packs.evaluate import evaluate
from detente.report import render
from detente.researcher.editions import EditionIndex, load_cn
from detente.screening.diligence import diligence_for

DOW: dict[str, Any] = {
    "title": "Evaluation methods for agentic model oversight",
    "summary": "Joint design of open benchmarks for evaluating model oversight.",
    "areas": [{"id": "evaluations"}],
    "parties": [
        {
            "id": "us-u",
            "name": "Example University",
            "country": "US",
            "type": "university",
            "role": "lead",
        },
        {"id": "gb-u", "name": "Example UK College", "country": "GB", "type": "university"},
    ],
    "people": [
        {
            "name": "Pat Smith",
            "affiliation": "us-u",
            "disclosures": {"complete": True, "citizenships": ["US"], "in_us": True},
        }
    ],
    "forms": ["joint_publication"],
    "activities": ["design_benchmarks"],
    "publication": "open",
    "research_security": {"funder": "DoW", "fundamental": True, "award_type": "grant"},
}
WORK = {
    "id": "test:copub-2024",
    "title": "Robust reward models",
    "publication_year": 2024,
    "primary_location": {"source": {"display_name": "TestConf"}},
    "authorships": [
        {
            "author": {"display_name": "Pat Smith"},
            "institutions": [{"display_name": "Example University", "country_code": "US"}],
            "raw_affiliation_strings": ["Dept. of CS, Example University"],
        },
        {
            "author": {"display_name": "Li Lei"},
            "institutions": [
                {"display_name": "Harbin Institute of Technology", "country_code": "CN"}
            ],
            "raw_affiliation_strings": [
                "School of Computer Science, Harbin Institute of Technology, Harbin, China"
            ],
        },
    ],
}


def _assess(
    proposal: Proposal,
    as_of: date,
    index: EditionIndex,
    tmp_path: Path,
    records: list[Path] | None = None,
) -> Any:
    copubs, notes = lookback_for(proposal, as_of, index=index, records=records)
    report = evaluate(
        proposal,
        as_of,
        lists=index,
        copublications=copubs,
        lists_loaded=sorted(index.loaded),
        notes=notes,
    )
    base = diligence_for(proposal, home=tmp_path / "home", as_of=as_of)
    return report, assess(proposal, diligence=PackDiligence(base, report))


def _clause(report: Any, pack: str, clause: str) -> Any:
    p = next(x for x in report.packs if x.pack_id == pack)
    return next((c for c in p.clauses if c.id == clause), None), p


@pytest.fixture()
def records(tmp_path: Path) -> Path:
    p = tmp_path / "works.jsonl"
    p.write_text(json.dumps(WORK) + "\n", encoding="utf-8")
    return p


def test_dow_2026_copublication_factor_with_the_work(
    index: EditionIndex, records: Path, tmp_path: Path
) -> None:
    p = Proposal.model_validate(DOW)
    report, a = _assess(p, date(2026, 6, 1), index, tmp_path, [records])
    c, pack = _clause(report, "us-dow-matrix", "copublication-5y")
    assert (
        pack.version == "2026" and c.state == "holds" and c.outcome.value == "mitigation_required"
    )
    w = c.works[0]
    assert (w.work_id, w.year, w.coauthor, w.entry_name) == (
        "test:copub-2024",
        2024,
        "Li Lei",
        "Harbin Institute of Technology",
    )
    assert (
        w.raw_affiliation.startswith("School of Computer Science, Harbin")
        and w.in_force_on_publication is True
    )
    assert "pack.mitigation_required" in a.due_diligence_flags
    rules = {r.rule for r in [*a.verdict.decisive, *a.verdict.also]}
    assert "V-PACK-MITIGATION" in rules
    md = render(a, "md")
    assert "Research-security rule packs" in md and "Robust reward models" in md
    assert "DoW decision matrix (2026)" in md


def test_dow_as_of_2025_has_no_copublication_factor(
    index: EditionIndex, records: Path, tmp_path: Path
) -> None:
    p = Proposal.model_validate(DOW)
    report, a = _assess(p, date(2025, 6, 1), index, tmp_path, [records])
    c, pack = _clause(report, "us-dow-matrix", "copublication-5y")
    assert pack.version == "2025" and c is None
    assert "Robust reward models" not in render(a, "md")
    assert "pack.mitigation_required" not in a.due_diligence_flags


UEL: dict[str, Any] = {
    "title": "Shared red-teaming protocol for autonomous systems",
    "areas": [{"id": "protocols"}],
    "parties": [
        {"name": "Lockheed Martin Corporation", "country": "US", "type": "company"},
        {"name": "Example CN University", "country": "CN", "type": "university"},
    ],
    "forms": ["dialogue"],
    "activities": ["draft_protocol"],
    "publication": "open",
}


def test_us_party_on_uel_prohibited_for_the_chinese_side(
    index: EditionIndex, tmp_path: Path
) -> None:
    p = Proposal.model_validate(UEL)
    report, a = _assess(p, date(2025, 6, 1), index, tmp_path)
    c, pack = _clause(report, "cn-partner-side", "uel-party")
    assert pack.view == "CN" and c.state == "holds" and c.outcome.value == "prohibited"
    assert "Unreliable Entity List" in c.source.citation and c.verified
    assert "Lockheed Martin Corporation" in c.evidence[0]
    assert a.verdict.level == "not_advisable"
    assert "V-PACK-PROHIBITED" in {r.rule for r in a.verdict.decisive}


def test_us_party_on_the_real_uel(shared_lists: Path, tmp_path: Path) -> None:
    """The same with China's list file read through the packs' small adapter (load_cn)."""
    f = shared_lists / "cn_countermeasures" / "sanctions.csv"
    if not f.is_file():
        pytest.skip(f"{f} not found")
    ls = load_cn(f)
    idx = EditionIndex(ls, {x.list_id for x in ls}, {})
    p = Proposal.model_validate(UEL)
    report, _a = _assess(p, date(2025, 6, 1), idx, tmp_path)
    c, _ = _clause(report, "cn-partner-side", "uel-party")
    assert c.outcome.value == "prohibited" and "2023-02-16" in c.evidence[0]
    # before the designation (16 Feb 2023) the listing was not in force
    report, _ = _assess(p, date(2023, 1, 1), idx, tmp_path)
    c, _ = _clause(report, "cn-partner-side", "uel-party")
    assert c.state == "does_not_hold"


def test_real_author_real_lists(
    shared_editions: EditionIndex,
    shared_biblio: Path,
    paperlists_records: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real US author (Lehigh) whose 2024 papers have UESTC co-authors (§1286 since FY22)."""
    f = shared_biblio / "paperlists_ai_venues" / "works_openalex_shaped.jsonl.gz"
    from detente.researcher import lookback as lookback_mod

    def session_records(paths: list[Path]) -> Any:  # the session's index of the same file
        assert list(paths) == [f]
        return paperlists_records

    monkeypatch.setattr(lookback_mod, "RecordsSource", session_records)
    idx = shared_editions
    d = json.loads(json.dumps(DOW))
    d["parties"][0] = {
        "id": "lehigh",
        "name": "Lehigh University",
        "country": "US",
        "type": "university",
        "role": "lead",
    }
    d["people"] = [{"name": "Lifang He", "affiliation": "lehigh"}]
    p = Proposal.model_validate(d)
    report, _ = _assess(p, date(2026, 6, 1), idx, tmp_path, [f])
    c, _ = _clause(report, "us-dow-matrix", "copublication-5y")
    assert c.state == "holds" and c.outcome.value == "mitigation_required"
    assert any(
        w.entry_name == "University of Electronic Science and Technology of China"
        and w.year == 2024
        and w.in_force_on_publication
        for w in c.works
    )
    report, _ = _assess(p, date(2025, 6, 1), idx, tmp_path, [f])
    c, _ = _clause(report, "us-dow-matrix", "copublication-5y")
    assert c is None


def test_html_report_shows_the_packs(index: EditionIndex, tmp_path: Path) -> None:
    p = Proposal.model_validate(UEL)
    _, a = _assess(p, date(2025, 6, 1), index, tmp_path)
    html = render(a, "html")
    assert "Research-security rule packs" in html and "Unreliable Entity List" in html
