"""diligence_for: the integration contract with the assessment engine."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from detente.assessment.proposal import Proposal
from detente.screening import diligence_for
from detente.screening.store import load_paths

from .conftest import FIXED_NOW

FIX = Path(__file__).parent / "fixtures"
AS_OF = date(2026, 11, 28)


def _proposal(**extra: object) -> Proposal:
    data: dict[str, object] = {
        "title": "Joint evaluation of chip-level verification",
        "description": "Share H100 cluster access and attestation firmware; personnel exchange.",
        "parties": [
            {"name": "Example University", "country": "US", "role": "lead"},
            {
                "name": "National University of Defense Technology",
                "name_native": "国防科技大学",
                "aliases": ["NUDT"],
                "country": "CN",
                "contributes": ["chip_details"],
                "receives": ["model_weights"],
            },
            {"name": "Tsinghua University", "country": "CN"},
        ],
        "people": [{"name": "Jane Example", "affiliation": "Example University"}],
        "forms": ["personnel_exchange", "joint_hardware"],
        "funding": [{"funder": "Example Ventures", "country": "US", "type": "equity_investment"}],
    }
    data.update(extra)
    return Proposal.model_validate(data)


def test_no_index_means_not_checked_never_clear(tmp_path: Path) -> None:
    dd = diligence_for(_proposal(), home=tmp_path, as_of=AS_OF)
    assert not dd.index_built
    assert {r.status for r in dd.results()} == {"not_checked"}
    assert "dd.not_checked" in dd.flags()
    assert all(c.status == "not_checked" for c in dd.coverage)


def test_user_list_only_reports_other_lists_not_checked(tmp_path: Path) -> None:
    load_paths([FIX / "user_list.csv"], source="user_csv", retrieved_at=FIXED_NOW, home=tmp_path)
    dd = diligence_for(_proposal(), home=tmp_path, as_of=AS_OF)
    person = dd.people[0]
    # a person on a list by name alone: a potential match that needs review, never a hit
    assert person.status == "potential" and person.matches[0].list_id == "user"
    assert person.matches[0].match_status == "potential" and "dd.potential_match" in dd.flags()
    assert "dd.not_checked" in dd.flags()  # the official lists are not loaded
    assert any(c.list_id == "us_ofac_sdn" and c.status == "not_checked" for c in dd.coverage)


@pytest.mark.shared
def test_listed_party_changes_flags(real_home: Path) -> None:
    dd = diligence_for(_proposal(), home=real_home, as_of=AS_OF)
    by = {r.key: r for r in dd.parties}
    nudt = by["national-university-of-defense-technology"]
    assert nudt.status == "hit"
    top = nudt.matches[0]
    assert top.severity == "restricting" and top.meaning and top.snapshot_id and top.features
    assert by["tsinghua-university"].status == "related"
    assert by["example-university"].status == "clear"
    flags = dd.flags()
    assert {
        "dd.restricting_hit",
        "dd.related_entity",
        "dd.stale",
        "dd.controlled_tech",
        "dd.investment_review",
    } <= flags
    ids = {f.id for f in dd.controlled_technology}
    assert {
        "ct.advanced_computing_items",
        "ct.model_weights_4e091",
        "ct.encryption",
        "ct.deemed_export",
    } <= ids
    w = next(f for f in dd.controlled_technology if f.id == "ct.model_weights_4e091")
    assert (
        "rescind" in w.legal_basis
        and w.status_note
        and "Guidance, not a legal determination" in w.guidance
    )
    assert {f.id for f in dd.investment_review} == {"inv.cfius_inbound", "inv.outbound_part_850"}
    stale = {v.source_id for v in dd.list_versions if v.stale}
    assert "trade_gov_csl" in stale  # 2023-11-30 vintage
    rows = dd.summary_rows()
    assert any(
        (r["status"] == "hit" and "Entity List" in r["list"]) or r["status"] == "hit" for r in rows
    )
    # deterministic and JSON-serialisable
    again = diligence_for(_proposal(), home=real_home, as_of=AS_OF)
    assert again.model_dump_json() == dd.model_dump_json()
    json.loads(dd.model_dump_json())


@pytest.mark.shared
def test_person_screened_without_country(real_home: Path) -> None:
    p = _proposal(people=[{"name": "Ismail Haniya"}])
    dd = diligence_for(p, home=real_home, as_of=AS_OF)
    r = dd.people[0]
    # the name matches the SDN entry at hit strength, but a name alone is a potential match
    assert r.status == "potential" and r.country is None
    assert r.matches[0].score >= dd.threshold and r.matches[0].match_status == "potential"
    assert "dd.blocking_hit" not in dd.flags() and "dd.potential_match" in dd.flags()
    # the list states only a year of birth: agreeing, it is evidence for, still not a hit alone
    dd = diligence_for(
        _proposal(people=[{"name": "Ismail Haniya", "birth_date": "1962"}]),
        home=real_home,
        as_of=AS_OF,
    )
    m = dd.people[0].matches[0]
    assert any(e.kind == "birth_date" and e.direction == "for" for e in m.evidence)
    dd = diligence_for(
        _proposal(people=[{"name": "Ismail Haniya", "birth_date": "1980-02-02"}]),
        home=real_home,
        as_of=AS_OF,
    )
    assert dd.people[0].matches[0].match_status == "cleared"


def test_tech_flags_need_their_triggers(tmp_path: Path) -> None:
    p = Proposal.model_validate(
        {
            "title": "Literature review of evaluation protocols",
            "parties": [{"name": "A", "country": "GB"}, {"name": "B", "country": "CN"}],
        }
    )
    dd = diligence_for(p, home=tmp_path, as_of=AS_OF)
    assert dd.controlled_technology == [] and dd.investment_review == []


def test_titles_are_not_name_parts() -> None:
    from detente.screening.diligence import strip_titles

    assert strip_titles("Prof. Dr. Zhang Wei") == "Zhang Wei"
    assert strip_titles("Sr. Col. Kong Weiheng") == "Kong Weiheng"
    assert strip_titles("Dr") == "Dr"


def test_list_status_rows(tmp_path: Path) -> None:
    from detente.screening import list_status

    rows = list_status(tmp_path)
    assert rows and all(r["status"] == "not_checked" for r in rows)


@pytest.mark.shared
def test_alias_initials_do_not_contradict_the_full_name(real_home: Path) -> None:
    """'MIT' is Massachusetts Institute of Technology, not Mujahidin Indonesia Timur (an SDN entry)."""
    p = Proposal.model_validate(
        {
            "title": "x",
            "parties": [
                {
                    "name": "Massachusetts Institute of Technology",
                    "aliases": ["MIT"],
                    "country": "US",
                },
                {"name": "Harbin Institute of Technology", "aliases": ["HIT"], "country": "CN"},
            ],
        }
    )
    dd = diligence_for(p, home=real_home, as_of=AS_OF)
    mit, hit = dd.parties
    assert all("MUJAHIDIN" not in m.entry_name.upper() for m in mit.matches), mit.matches
    assert hit.status == "hit"  # a real listing is still found through the full name and alias
