"""A person matched by name alone is never a hit; agreeing identifiers confirm, conflicting clear."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from detente.assessment.proposal import Proposal
from detente.screening import diligence_for
from detente.screening.diligence import screen
from detente.screening.identifiers import from_ofac_remarks, normalise_date
from detente.screening.store import LoadedIndex, load_paths, open_index

from .conftest import FIXED_NOW

FIX = Path(__file__).parent / "fixtures"
NAME = "Ivan Petrovich Examplov"  # listed in sdn_sample.xml: DOB 12 Mar 1961, nationality Russia


@pytest.fixture
def sdn(tmp_path: Path) -> LoadedIndex:
    load_paths([FIX / "sdn_sample.xml"], source=None, retrieved_at=FIXED_NOW, home=tmp_path)
    idx = open_index(tmp_path)
    assert idx is not None
    return idx


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("10 Dec 1948", ["1948-12-10"]),
        ("circa 1960", ["1960"]),
        ("1955 to 1957", ["1955", "1957"]),
        ("1970-01-02", ["1970-01-02"]),
        ("Mar 1961", ["1961-03"]),
    ],
)
def test_dates(text: str, iso: list[str]) -> None:
    assert normalise_date(text) == iso


def test_ofac_remarks_identifiers() -> None:
    got = from_ofac_remarks(
        "DOB 19 Jun 1951; POB Giza, Egypt; Passport 1084010 (Egypt); alt. Passport 19820215; "
        "nationality Egypt; citizen Egypt; Operational and Military Leader of JIHAD GROUP."
    )
    assert ("dob", "1951-06-19") in got
    assert ("passport", "1084010") in got and ("passport", "19820215") in got
    assert ("nationality", "EG") in got and ("citizenship", "EG") in got
    assert ("pob", "Giza, Egypt") in got


@pytest.mark.parametrize(
    ("kwargs", "status", "match_status"),
    [
        ({}, "potential", "potential"),  # name alone: needs review
        ({"nationality": ["RU"]}, "potential", "potential"),  # one corroboration is not enough
        ({"birth_date": "1961-03-12"}, "potential", "potential"),
        ({"birth_date": "1961-03-12", "nationality": ["RU"]}, "hit", "hit"),
        ({"birth_date": "1961", "nationality": ["RU"]}, "hit", "hit"),  # year only
        ({"birth_date": "1975-05-01"}, "clear", "cleared"),  # a conflicting birth date clears
        ({"birth_date": "1961-03-12", "nationality": ["FR"]}, "potential", "potential"),
    ],
)
def test_person_needs_corroboration(
    sdn: LoadedIndex, kwargs: dict[str, object], status: str, match_status: str
) -> None:
    r = screen(sdn, NAME, schema="person", **kwargs)  # type: ignore[arg-type]
    assert r.status == status
    m = r.matches[0]
    assert m.entry_name == "EXAMPLOV, Ivan Petrovich"
    assert m.match_status == match_status
    assert m.why and m.evidence and m.evidence[0].kind == "name"
    if match_status == "cleared":
        assert any(e.direction == "against" and e.kind == "birth_date" for e in m.evidence)
    if match_status == "hit":
        assert {e.kind for e in m.evidence if e.direction == "for"} >= {"birth_date", "nationality"}


def test_name_alone_never_hit_in_a_proposal(sdn: LoadedIndex, tmp_path: Path) -> None:
    def proposal(**person: object) -> Proposal:
        return Proposal.model_validate(
            {
                "title": "Dialogue on evaluation protocols",
                "description": "Workshop series.",
                "parties": [{"name": "Example University", "country": "US"}],
                "people": [{"name": NAME, **person}],
                "forms": ["workshop"],
            }
        )

    dd = diligence_for(proposal(), home=tmp_path, as_of=date(2026, 11, 28))
    assert dd.people[0].status == "potential"
    assert "dd.blocking_hit" not in dd.flags() and "dd.potential_match" in dd.flags()
    dd = diligence_for(
        proposal(birth_date="1961-03-12", nationality=["RU"]),
        home=tmp_path,
        as_of=date(2026, 11, 28),
    )
    assert dd.people[0].status == "hit" and "dd.blocking_hit" in dd.flags()


@pytest.mark.shared
def test_common_name_is_not_an_sdn_hit(real_index: object) -> None:
    """The issue's example: "Ahmed Hassan" matched another person's alias as a blocking hit."""
    assert isinstance(real_index, LoadedIndex)
    r = screen(real_index, "Ahmed Hassan", schema="person")
    assert r.status in {"potential", "clear"}
    assert all(m.match_status != "hit" for m in r.matches)
    if r.matches:
        assert any(
            e.kind == "identifier" and e.direction == "neutral" for e in r.matches[0].evidence
        )
