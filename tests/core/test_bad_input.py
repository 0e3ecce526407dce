"""Bad input: one clear message naming file, line and field; exit code 2; no traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from detente.cli.main import app

GOOD = """\
title: Good proposal
areas: [{id: protocols}]
parties:
  - {name: Example University, country: US, type: university}
  - {name: Example Daxue, country: CN, type: university}
"""

# name -> (file name, content, substrings the message must contain)
CASES: dict[str, tuple[str, str, list[str]]] = {
    "malformed yaml": (
        "bad.yaml",
        "title: x\nparties:\n  - name: [unclosed\n",
        ["bad.yaml:", "not valid YAML"],
    ),
    "malformed json": (
        "bad.json",
        '{"title": "x",\n "parties": [\n}',
        ["bad.json:3", "not valid JSON"],
    ),
    "unknown field": (
        "unknown.yaml",
        GOOD + "budjet: 100\n",
        ["unknown.yaml:6", "field 'budjet'", "unknown field"],
    ),
    "wrong type": (
        "type.yaml",
        GOOD.replace("title: Good proposal", "title: [1, 2]"),
        ["type.yaml:1", "field 'title'", "valid string"],
    ),
    "bad enum": (
        "enum.yaml",
        GOOD + "model_access: everything\n",
        ["enum.yaml:6", "field 'model_access'", "'everything' is not one of"],
    ),
    "bad enum in a list": (
        "enum2.yaml",
        GOOD.replace("type: university}", "type: universty}", 1),
        ["enum2.yaml:4", "field 'parties[0].type'", "'universty'"],
    ),
    "unknown area id": (
        "area.yaml",
        GOOD.replace("{id: protocols}", "{id: verfication}"),
        ["area.yaml:2", "field 'areas[0].id'", "unknown area id 'verfication'"],
    ),
    "no parties": (
        "noparties.yaml",
        "title: Lonely\nparties: []\n",
        ["noparties.yaml:2", "field 'parties'", "at least one party"],
    ),
    "parties missing": (
        "missing.yaml",
        "title: Lonely\n",
        ["missing.yaml", "field 'parties'", "required field is missing"],
    ),
    "unknown safeguard": (
        "sg.yaml",
        GOOD + "safeguards: [magic-shield]\n",
        ["sg.yaml:6", "field 'safeguards[0]'", "unknown safeguard 'magic-shield'"],
    ),
    "duplicate key": (
        "dup.yaml",
        GOOD + "title: again\n",
        ["dup.yaml:6", "duplicate key 'title'"],
    ),
    "bad country": (
        "country.yaml",
        GOOD.replace("country: US", "country: USA"),
        ["country.yaml:4", "field 'parties[0].country'"],
    ),
}

runner = CliRunner()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_message_and_exit_code(tmp_path: Path, case: str) -> None:
    name, content, expected = CASES[case]
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["assess", str(f)])
    assert result.exit_code == 2, result.output
    out = result.output
    for piece in expected:
        assert piece in out, f"{piece!r} missing from:\n{out}"
    assert "Traceback" not in out


def test_batch_continues_and_lists_failures(tmp_path: Path) -> None:
    (tmp_path / "a-good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b-bad.yaml").write_text(CASES["unknown field"][1], encoding="utf-8")
    (tmp_path / "c-good.yaml").write_text(
        GOOD.replace("Good proposal", "Another"), encoding="utf-8"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(tmp_path), "--out", str(out), "--format", "json"])
    assert result.exit_code == 2
    assert (out / "a-good.json").exists() and (out / "c-good.json").exists()
    assert not (out / "b-bad.json").exists()
    assert "1 of 3 proposal(s) could not be assessed" in result.output
    assert "b-bad.yaml:6" in result.output


def test_no_traceback_from_the_real_command(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("title: x\nparties: 3\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "detente.cli.main", "assess", str(f)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "bad.yaml:2" in proc.stderr and "parties" in proc.stderr


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def _assess_with_rules(tmp_path: Path, edit: Callable[[str], str]) -> Result:
    """`detente assess` of a good proposal with the built-in framework whose rules.yaml is edited."""
    from detente.framework.loader import default_framework_path

    src = default_framework_path().parent
    for name in ("framework.yaml", "safeguards.yaml"):
        (tmp_path / name).write_text((src / name).read_text(encoding="utf-8"), encoding="utf-8")
    rules = (src / "rules.yaml").read_text(encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(edit(rules), encoding="utf-8")
    f = tmp_path / "p.yaml"
    f.write_text(GOOD, encoding="utf-8")
    return runner.invoke(app, ["assess", str(f), "--framework", str(tmp_path / "framework.yaml")])


def test_bad_framework_file_names_file_line_and_field(tmp_path: Path) -> None:
    result = _assess_with_rules(
        tmp_path, lambda r: r.replace("when: maturity.new_research", "when: maturity.brand_new")
    )
    assert result.exit_code == 2
    assert "rules.yaml:" in result.output
    assert "unknown flag 'maturity.brand_new'" in result.output
    assert "rules[2].when" in result.output


def test_a_lower_after_a_raise_of_the_same_risk_is_a_load_error(tmp_path: Path) -> None:
    """A raise clamped at the top and followed by a lower would be lost: the pack is refused."""
    late_lower = """  - id: X-R2-LATE-LOWER
    title: A lower placed after the raises
    risk: R2_differential
    areas: ["*"]
    when: publication.open
    effect: {op: lower}
    reason: test
    ref: test
"""
    result = _assess_with_rules(
        tmp_path, lambda r: r.replace("\nbenefits:\n", "\n" + late_lower + "benefits:\n", 1)
    )
    assert result.exit_code == 2
    assert "rules.yaml" in result.output
    assert "X-R2-LATE-LOWER lowers R2_differential after rule" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_proposal_saved_by_a_windows_editor_is_read(tmp_path: Path, encoding: str) -> None:
    f = tmp_path / "p.yaml"
    f.write_bytes(GOOD.encode(encoding))  # utf-16 writes a byte-order mark
    result = runner.invoke(app, ["assess", str(f), "--no-screen"])
    assert result.exit_code == 0, result.output


def test_a_proposal_in_another_encoding_is_one_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_bytes(GOOD.replace("title:", "title: Zürich —", 1).encode("latin-1", "replace"))
    result = runner.invoke(app, ["assess", str(f), "--no-screen"])
    assert result.exit_code == 2
    assert "not UTF-8 text" in result.output and "save the file as UTF-8" in result.output
    assert "Traceback" not in result.output and "codec can't decode" not in result.output
