"""The pack format: validation with file/line/field, versions selected by date, CLI and docs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli.main import app
from detente.errors import FrameworkError
from detente.packs.export import export_markdown
from detente.packs.loader import bundled_packs, get_pack, load_pack_file
from detente.packs.model import Outcome, Status

REPO = Path(__file__).resolve().parents[2]
GOOD = """\
schema: detente.pack/1
id: demo
title: Demo
jurisdiction: US
view: US
kind: guidance
versions:
  - version: "1"
    valid_from: 2024-01-01
    basis: {citation: Demo text, verification: verified}
    clauses:
      - id: a
        title: A
        needs: [project_facts]
        condition: always
        check: always
        outcome: note
        wording: Note it.
        source: {citation: Demo §1, verification: verified}
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "demo.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_packs_load() -> None:
    ids = {p.id for p in bundled_packs()}
    assert {
        "us-dow-matrix",
        "us-ndaa-238",
        "us-chips-mftrp-nsf",
        "us-chips-mftrp-nih",
        "us-ear-research",
        "us-outbound-850",
        "us-eccn-4e091",
        "ca-strac",
        "cn-partner-side",
    } <= ids


def test_good_file(tmp_path: Path) -> None:
    assert load_pack_file(_write(tmp_path, GOOD)).id == "demo"


@pytest.mark.parametrize(
    "old,new,line,field,message",
    [
        (
            "outcome: note",
            "outcome: forbidden",
            17,
            "versions[0].clauses[0].outcome",
            "Input should be",
        ),
        ("check: always", "check: nonsense", 16, "versions[0].clauses[0].check", "unknown check"),
        (
            "wording: Note it.",
            "wording: Note it.\n        colour: red",
            19,
            "versions[0].clauses[0].colour",
            "unknown field",
        ),
        (
            "valid_from: 2024-01-01",
            "valid_from: 2024-01-01\n    valid_to: 2023-01-01",
            8,
            "versions[0]",
            "valid_to must be after",
        ),
    ],
)
def test_errors_name_file_line_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, message: str
) -> None:
    p = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(FrameworkError) as ei:
        load_pack_file(p)
    prob = ei.value.problems[0]
    assert prob.file == str(p) and prob.field == field and message in prob.message
    assert prob.line == line


def test_overlapping_versions_rejected(tmp_path: Path) -> None:
    text = GOOD + GOOD.split("versions:\n")[1].replace('version: "1"', 'version: "2"').replace(
        "2024-01-01", "2024-06-01"
    )
    with pytest.raises(FrameworkError) as ei:
        load_pack_file(_write(tmp_path, text))
    assert "overlap" in str(ei.value)


def test_bad_yaml_gives_line(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError) as ei:
        load_pack_file(_write(tmp_path, GOOD.replace("title: Demo", "title: Demo: bad: yaml")))
    assert ei.value.problems[0].line == 3


@pytest.mark.parametrize(
    "pack_id,as_of,version,status",
    [
        ("us-dow-matrix", "2024-01-01", "2023", Status.in_force),
        ("us-dow-matrix", "2025-06-01", "2025", Status.in_force),
        ("us-dow-matrix", "2026-05-07", "2025", Status.in_force),
        ("us-dow-matrix", "2026-05-08", "2026", Status.in_force),
        ("us-eccn-4e091", "2025-03-01", "2025-01 IFR", Status.in_force),
        ("us-eccn-4e091", "2025-05-13", "2025-05 not enforced", Status.not_enforced),
        ("us-ndaa-238", "2025-06-01", "FY2025", Status.in_force),
        ("us-ndaa-238", "2026-01-01", "FY2026", Status.in_force),
        ("us-chips-mftrp-nih", "2026-01-25", "2026-01", Status.in_force),
        ("us-chips-mftrp-nsf", "2024-05-20", "2024-05", Status.in_force),
        ("ca-strac", "2024-05-01", "2024-05", Status.in_force),
        ("us-outbound-850", "2025-01-02", "2025-01", Status.in_force),
    ],
)
def test_version_in_force_changes_with_as_of(
    pack_id: str, as_of: str, version: str, status: Status
) -> None:
    v = get_pack(pack_id).version_at(date.fromisoformat(as_of))
    assert v is not None and v.version == version and v.status == status


@pytest.mark.parametrize(
    "pack_id,as_of",
    [
        ("us-chips-mftrp-nih", "2026-01-24"),
        ("us-chips-mftrp-nsf", "2024-05-19"),
        ("ca-strac", "2024-04-30"),
        ("us-dow-matrix", "2023-06-28"),
        ("us-outbound-850", "2025-01-01"),
    ],
)
def test_not_yet_in_force(pack_id: str, as_of: str) -> None:
    assert get_pack(pack_id).version_at(date.fromisoformat(as_of)) is None


def test_unverified_dates_are_marked() -> None:
    dow = get_pack("us-dow-matrix")
    assert [v.dates_verified for v in dow.versions] == [True, False, False]
    assert get_pack("us-chips-mftrp-nsf").pending_at(date(2025, 1, 1))[0].status == Status.pending


def test_no_unverified_clause_is_stated_prohibited_without_the_cap() -> None:
    from detente.packs.model import effective_outcome

    for p in bundled_packs():
        for v in p.versions:
            for c in v.clauses:
                out, _ = effective_outcome(c, c.outcome, status=Status.in_force)
                if not c.verified:
                    assert out != Outcome.prohibited, (p.id, c.id)


def test_docs_packs_md_is_current() -> None:
    doc = (REPO / "docs" / "packs.md").read_text(encoding="utf-8")
    assert doc == export_markdown(list(bundled_packs())), (
        "docs/packs.md is out of date: run `detente packs export --format md --out docs/packs.md`"
    )


def test_cli_list_show_export() -> None:
    r = CliRunner().invoke(app, ["packs", "list", "--as-of", "2025-06-01"])
    assert r.exit_code == 0 and "us-dow-matrix" in r.stdout and "2025" in r.stdout
    r2 = CliRunner().invoke(app, ["packs", "list", "--as-of", "2026-06-01"])
    assert "2026" in r2.stdout and "not_enforced" in r2.stdout
    r = CliRunner().invoke(app, ["packs", "show", "us-dow-matrix", "--as-of", "2026-06-01"])
    assert r.exit_code == 0 and "copublication-5y" in r.stdout
    r = CliRunner().invoke(app, ["packs", "show", "nope"])
    assert r.exit_code == 2
    r = CliRunner().invoke(app, ["packs", "export", "--format", "json"])
    assert r.exit_code == 0 and '"us-ndaa-238"' in r.stdout
    r = CliRunner().invoke(app, ["packs", "list", "--as-of", "yesterday"])
    assert r.exit_code == 2
