"""Reviewer dispositions: recorded per (subject, list entry), reused until the entry changes on the
list, expired when it does; verdict flags read only confirmed matches."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.assessment.engine import assess
from detente.assessment.proposal import Person, Proposal
from detente.cli.main import app
from detente.report import render
from detente.screening import diligence_for
from detente.screening.dispositions import (
    DispositionSet,
    entry_fingerprint,
    load_all,
    make_record,
    read_file,
    subject_key,
)
from detente.screening.entries import ListEntry
from detente.screening.store import load_paths

from .conftest import FIXED_NOW

FIX = Path(__file__).parent / "fixtures"
AS_OF = date(2026, 11, 28)
runner = CliRunner()
ENTRY = "user:W-1"


def _proposal() -> Proposal:
    return Proposal.model_validate(
        {
            "title": "Workshop on incident-reporting formats",
            "areas": [{"id": "protocols"}],
            "parties": [
                {"name": "Example University", "country": "US", "role": "lead"},
                {"name": "Example Frontier AI Lab", "country": "CN"},
            ],
            "forms": ["workshop"],
        }
    )


def _home(tmp_path: Path, text: str | None = None) -> Path:
    home = tmp_path / "home"
    src = FIX / "user_list.csv"
    if text is not None:
        src = tmp_path / "v" / "user_list.csv"
        src.parent.mkdir(exist_ok=True)
        src.write_text(text, encoding="utf-8")
    load_paths([src], source="user_csv", retrieved_at=FIXED_NOW, home=home)
    return home


def _lab(dd: object) -> object:
    from detente.screening.models import DueDiligence

    assert isinstance(dd, DueDiligence)
    return next(r for r in dd.parties if r.name == "Example Frontier AI Lab")


def test_fingerprint_is_stable_and_tracks_listed_content() -> None:
    e = ListEntry(source_id="s", list_id="user", entry_id="W-1", name="Acme", aliases=("A",))
    same_elsewhere = ListEntry(
        source_id="other", list_id="user", entry_id="W-1", name="Acme", aliases=("A",)
    )
    changed = ListEntry(
        source_id="s", list_id="user", entry_id="W-1", name="Acme", aliases=("A", "B")
    )
    assert entry_fingerprint(e) == entry_fingerprint(same_elsewhere)
    assert entry_fingerprint(e) != entry_fingerprint(changed)
    assert len(entry_fingerprint(e)) == 24


def test_false_positive_clears_the_match_in_the_next_assessment(tmp_path: Path) -> None:
    home = _home(tmp_path)
    before = diligence_for(_proposal(), home=home, as_of=AS_OF)
    assert _lab(before).status == "hit"  # type: ignore[attr-defined]
    assert "dd.restricting_hit" in before.flags()  # the user list is restricting
    r = runner.invoke(
        app,
        [
            "screen",
            "Example Frontier AI Lab",
            "--country",
            "CN",
            "--dispose",
            "false_positive",
            "--entry",
            ENTRY,
            "--reason",
            "Different lab: the listed one is in Shenzhen, ours is a Hangzhou start-up",
            "--reviewer",
            "alice",
            "--home",
            str(home),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "confirmed by reviewer alice" in r.output and "false positive" in r.output
    after = diligence_for(_proposal(), home=home, as_of=AS_OF)
    lab = _lab(after)
    m = lab.matches[0]  # type: ignore[attr-defined]
    assert m.disposition is not None and not m.disposition.expired
    assert m.effective_status == "cleared" and m.confirmed_by == "reviewer"
    assert lab.status == "clear" and "alice" in lab.note  # type: ignore[attr-defined]
    assert "dd.restricting_hit" not in after.flags()
    md = render(assess(_proposal(), diligence=after), "md")
    assert "confirmed by reviewer alice" in md and "false positive" in md
    # the same decision is reused for a later screening of the same subject and entry
    r = runner.invoke(
        app, ["screen", "Example Frontier AI Lab", "--country", "CN", "--home", str(home)]
    )
    assert r.exit_code == 0 and "CLEAR" in r.output and "confirmed by reviewer alice" in r.output


def test_changed_entry_expires_the_disposition(tmp_path: Path) -> None:
    home = _home(tmp_path)
    before = diligence_for(_proposal(), home=home, as_of=AS_OF)
    m = _lab(before).matches[0]  # type: ignore[attr-defined]
    rec = make_record(
        subject="Example Frontier AI Lab",
        entry=ENTRY,
        fingerprint=m.entry_fingerprint,
        decision="false_positive",
        reason="Different organisation",
        reviewer="bob",
    )
    ds = DispositionSet([rec])
    cleared = diligence_for(_proposal(), home=home, as_of=AS_OF, dispositions=ds)
    assert "dd.restricting_hit" not in cleared.flags()
    # the list changes the entry (a new alias): the disposition no longer applies
    text = (FIX / "user_list.csv").read_text(encoding="utf-8")
    _home(tmp_path, text.replace("EFAL; Frontier Example Lab", "EFAL; Frontier Example Lab; FEL2"))
    after = diligence_for(_proposal(), home=home, as_of=AS_OF, dispositions=ds)
    m2 = _lab(after).matches[0]  # type: ignore[attr-defined]
    assert m2.entry_fingerprint != m.entry_fingerprint
    assert m2.disposition is not None and m2.disposition.expired
    assert m2.confirmed_by == "automated" and m2.effective_status == "hit"
    assert "dd.restricting_hit" in after.flags()
    md = render(assess(_proposal(), diligence=after), "md")
    assert "EXPIRED" in md


def test_true_match_confirms_and_potential_is_a_review_item(tmp_path: Path) -> None:
    home = _home(tmp_path)
    # a shortened name scores below a hit threshold of 0.999: a potential match
    prop = _proposal().model_copy(
        update={
            "parties": [
                _proposal().parties[0],
                _proposal().parties[1].model_copy(update={"name": "Example Frontiers AI Lab Co"}),
            ]
        }
    )
    dd = diligence_for(prop, home=home, as_of=AS_OF, threshold=0.999)
    r = next(r for r in dd.parties if r.name == "Example Frontiers AI Lab Co")
    m = r.matches[0]
    assert m.score < 0.999 and m.disposition is None
    assert dd.match_status(m) == "potential"
    assert "dd.potential_match" in dd.flags() and "dd.restricting_hit" not in dd.flags()
    plain = assess(prop)
    a = assess(prop, diligence=dd)
    assert a.verdict.level == plain.verdict.level  # a review item, never a worse verdict
    assert any("potential" in c for c in a.verdict.conditions)
    rec = make_record(
        subject=subject_key("Example Frontiers AI Lab Co"),
        entry=ENTRY,
        fingerprint=m.entry_fingerprint or "",
        decision="true_match",
        reason="Same registration number",
        reviewer="carol",
    )
    dd2 = diligence_for(
        prop, home=home, as_of=AS_OF, threshold=0.999, dispositions=DispositionSet([rec])
    )
    assert "dd.restricting_hit" in dd2.flags() and "dd.potential_match" not in dd2.flags()


def test_disposition_file_yaml_and_csv(tmp_path: Path) -> None:
    home = _home(tmp_path)
    m = _lab(diligence_for(_proposal(), home=home, as_of=AS_OF)).matches[0]  # type: ignore[attr-defined]
    y = tmp_path / "d.yaml"
    y.write_text(
        "dispositions:\n"
        f"  - subject: Example Frontier AI Lab\n    entry: {ENTRY}\n"
        f"    entry_fingerprint: {m.entry_fingerprint}\n    decision: false_positive\n"
        "    reason: Different lab\n    reviewer: dave\n",
        encoding="utf-8",
    )
    assert [r.reviewer for r in read_file(y)] == ["dave"]
    c = tmp_path / "d.csv"
    c.write_text(
        "subject,entry,entry_fingerprint,decision,reason,reviewer\n"
        f"Example Frontier AI Lab,{ENTRY},{m.entry_fingerprint},false_positive,Different,erin\n",
        encoding="utf-8",
    )
    ds = load_all(home, files=[c])
    dd = diligence_for(_proposal(), home=home, as_of=AS_OF, dispositions=ds)
    assert "dd.restricting_hit" not in dd.flags()
    # assess --dispositions reads the file; the report shows the reviewer
    prop = tmp_path / "p.yaml"
    prop.write_text(
        "title: Workshop on incident-reporting formats\nareas: [{id: protocols}]\nforms: [workshop]\n"
        "parties:\n  - {name: Example University, country: US, role: lead}\n"
        "  - {name: Example Frontier AI Lab, country: CN}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = runner.invoke(
        app,
        ["assess", str(prop), "--dispositions", str(y), "-o", str(out), "-f", "md", "-q"],
        env={"DETENTE_HOME": str(home)},
    )
    assert r.exit_code == 0, r.output
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "confirmed by reviewer dave" in md


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            "subject,entry,entry_fingerprint,decision,reason,reviewer\nX,user:W-1,abc,maybe,r,a\n",
            "decision",
        ),
        (
            "subject,entry,entry_fingerprint,decision,reason,reviewer\nX,user:W-1,abc,true_match,,a\n",
            "reason",
        ),
        (
            "subject,entry,entry_fingerprint,decision,reason,reviewer\nX,W-1,abc,true_match,r,a\n",
            "entry",
        ),
        (
            "subject,entry,entry_fingerprint,decision,reason,reviewer\nX,user:W-1,,true_match,r,a\n",
            "entry_fingerprint",
        ),
    ],
)
def test_bad_disposition_file_is_one_clear_message(tmp_path: Path, body: str, field: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(body, encoding="utf-8")
    prop = tmp_path / "p.yaml"
    prop.write_text("title: T\nparties: [{name: A, country: US}]\n", encoding="utf-8")
    r = runner.invoke(
        app,
        ["assess", str(prop), "--dispositions", str(f), "-q"],
        env={"DETENTE_HOME": str(tmp_path / "h")},
    )
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "bad.csv:2" in r.output and field in r.output


def test_dispose_needs_a_known_entry_and_reason(tmp_path: Path) -> None:
    home = _home(tmp_path)
    base = ["screen", "Example Frontier AI Lab", "--home", str(home), "--dispose", "false_positive"]
    r = runner.invoke(app, [*base, "--entry", "user:NOPE", "--reason", "x", "--reviewer", "a"])
    assert r.exit_code == 2 and "not among the matches" in r.output
    r = runner.invoke(app, [*base, "--entry", ENTRY, "--reviewer", "a"])
    assert r.exit_code == 2 and "reason" in r.output
    r = runner.invoke(app, ["screen", "X", "--home", str(home), "--entry", ENTRY])
    assert r.exit_code == 2


def test_person_false_positive_from_a_file_clears_the_person(tmp_path: Path) -> None:
    home = _home(tmp_path)
    prop = _proposal().model_copy(
        update={"people": [Person(name="Dr. Jane Example", affiliation="Example University")]}
    )
    dd = diligence_for(prop, home=home, as_of=AS_OF)
    jane = dd.people[0]
    # a name alone never confirms a person: potential, for a reviewer to dispose of
    assert jane.status == "potential" and jane.name == "Jane Example"
    m = jane.matches[0]
    f = tmp_path / "d.csv"
    f.write_text(
        "subject,type,entry,entry_fingerprint,decision,reason,reviewer\n"
        f"Jane Example,person,{m.list_id}:{m.entry_id},{m.entry_fingerprint},false_positive,"
        "Different person: other birth year and employer,frank\n",
        encoding="utf-8",
    )
    (rec,) = read_file(f)
    assert rec.subject_key == "person:jane example"
    dd2 = diligence_for(prop, home=home, as_of=AS_OF, dispositions=DispositionSet([rec]))
    assert dd2.people[0].status == "clear" and "frank" in dd2.people[0].note
    md = render(assess(prop, diligence=dd2), "md")
    assert "confirmed by reviewer frank" in md
