"""The core commands: framework show/export, schema, an alternative framework, reproduce."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from detente.cli.main import app
from detente.framework.loader import default_framework_path

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_framework_show_draws_the_matrix() -> None:
    r = runner.invoke(app, ["framework", "show", "--rules", "--safeguards"])
    assert r.exit_code == 0, r.output
    for text in (
        "Verification mechanisms",
        "Infrastructure",
        "moderate",
        "high",
        "X-R4-WEIGHTS-ON-RIVAL",
        "third-party-hosting",
    ):
        assert text in r.output


def test_framework_export_json_round_trips() -> None:
    r = runner.invoke(app, ["framework", "export", "--format", "json"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["framework"]["id"] == "bucknall-siddiqui-2025"
    assert len(data["framework"]["areas"]) == 4 and len(data["framework"]["risks"]) == 4
    assert {"framework", "rules", "safeguards"} == set(data["stamps"])


def test_framework_export_bad_format_is_exit_2() -> None:
    r = runner.invoke(app, ["framework", "export", "--format", "xml"])
    assert r.exit_code == 2 and "unknown format" in r.output


def test_schema_prints_json_schema() -> None:
    r = runner.invoke(app, ["schema"])
    assert r.exit_code == 0
    schema = json.loads(r.output)
    assert "parties" in schema["properties"] and "parties" in schema["required"]
    r = runner.invoke(app, ["schema", "assessment"])
    assert "verdict" in json.loads(r.output)["properties"]


def _alt_framework(tmp_path: Path) -> Path:
    src = default_framework_path().parent
    for f in src.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    fw = tmp_path / "framework.yaml"
    text = fw.read_text(encoding="utf-8")
    # an analyst who reads §6.2 R4 (standards capture) as moderate
    marker = 'ref: "framework.md §6.2 R4"'
    head, tail = text.split(marker, 1)
    head = (
        head[: head.rindex("level: low")]
        + "level: moderate"
        + head[head.rindex("level: low") + len("level: low") :]
    )
    fw.write_text(
        re.sub(r'version: "([^"]+)"', r'version: "\1-alt"', head, count=1) + marker + tail,
        encoding="utf-8",
    )
    return fw


def test_alternative_framework_is_used_and_stamped(tmp_path: Path) -> None:
    fw = _alt_framework(tmp_path)
    out = tmp_path / "out"
    ref = ROOT / "tests" / "reference" / "protocols.yaml"
    r = runner.invoke(
        app,
        [
            "assess",
            str(ref),
            "--framework",
            str(fw),
            "--no-screen",
            "--out",
            str(out),
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads((out / "protocols.json").read_text(encoding="utf-8"))
    assert data["framework"]["version"].endswith("-alt")
    r4 = next(x for x in data["risks"] if x["short"] == "R4")
    assert r4["baseline"] == "moderate"
    assert data["verdict"]["level"] == "suitable_with_safeguards"


def test_assess_twice_gives_identical_bytes(tmp_path: Path) -> None:
    for run in ("a", "b"):
        r = runner.invoke(
            app,
            [
                "assess",
                str(ROOT / "examples"),
                "--out",
                str(tmp_path / run),
                "--format",
                "json",
                "--format",
                "md",
                "--format",
                "html",
                "--as-of",
                "2026-11-01",
                "-q",
            ],
        )
        assert r.exit_code == 0, r.output
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(files) >= 36
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_reproduce_stored_assessment(tmp_path: Path) -> None:
    ex = ROOT / "examples" / "11-shared-cluster-frontier-weights.yaml"
    r = runner.invoke(
        app,
        ["assess", str(ex), "--out", str(tmp_path), "--format", "json", "--as-of", "2026-11-01"],
    )
    assert r.exit_code == 0
    stored = tmp_path / f"{ex.stem}.json"
    r = runner.invoke(app, ["reproduce", str(stored)])
    assert r.exit_code == 0, r.output
    assert "identical" in r.output
    # with another framework the recorded versions differ and so does the result
    r = runner.invoke(app, ["reproduce", str(stored), "--framework", str(_alt_framework(tmp_path))])
    assert "version differs" in r.output
    # a tampered record does not re-compute to itself
    data = json.loads(stored.read_text(encoding="utf-8"))
    data["verdict"]["level"] = "suitable"
    stored.write_text(json.dumps(data), encoding="utf-8")
    r = runner.invoke(app, ["reproduce", str(stored)])
    assert r.exit_code == 1 and "different" in r.output


def test_reproduce_rejects_non_assessment(tmp_path: Path) -> None:
    f = tmp_path / "x.json"
    f.write_text('{"hello": 1}', encoding="utf-8")
    r = runner.invoke(app, ["reproduce", str(f)])
    assert r.exit_code == 2 and "not a Détente assessment" in r.output


def test_reproduce_not_utf8_exits_2_not_1(tmp_path: Path) -> None:
    # exit 1 means "re-computes differently"; an unreadable file is bad input (2), not a traceback
    f = tmp_path / "x.json"
    f.write_bytes(b"\xff\xfe{}")
    r = runner.invoke(app, ["reproduce", str(f)])
    assert r.exit_code == 2, r.output
    assert "not a Détente assessment" in r.output and "0xff" in r.output


def test_pdf_report(tmp_path: Path) -> None:
    ex = ROOT / "examples" / "01-incident-reporting-protocol.yaml"
    r = runner.invoke(
        app, ["assess", str(ex), "--out", str(tmp_path), "--format", "pdf", "--no-screen"]
    )
    assert r.exit_code == 0, r.output
    pdf = (tmp_path / f"{ex.stem}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_unknown_format_is_exit_2(tmp_path: Path) -> None:
    ex = ROOT / "examples" / "01-incident-reporting-protocol.yaml"
    r = runner.invoke(app, ["assess", str(ex), "--out", str(tmp_path), "--format", "docx"])
    assert r.exit_code == 2 and "unknown format" in r.output


def test_python_dash_m_detente_runs_the_cli() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "detente", "schema", "bogus"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "unknown schema 'bogus'" in proc.stderr


def test_assess_format_without_out_is_not_a_silent_no_op() -> None:
    ex = ROOT / "examples" / "01-incident-reporting-protocol.yaml"
    r = runner.invoke(app, ["assess", str(ex), "--format", "md", "--no-screen"])
    assert r.exit_code == 2, r.output
    assert "--out" in r.output
    r = runner.invoke(app, ["assess", str(ex), "--no-screen", "-q"])  # default formats: fine
    assert r.exit_code == 0, r.output
