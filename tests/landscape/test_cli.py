"""CLI: ingest, tag, figure, status; bad input exits 2 with one message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from detente.cli.main import app

from .conftest import write_jsonl_gz

runner = CliRunner()


def test_ingest_tag_figure(tmp_path: Path, small_corpus: list[dict[str, Any]]) -> None:
    src = write_jsonl_gz(tmp_path / "w.jsonl.gz", small_corpus)
    db = str(tmp_path / "db.duckdb")
    r = runner.invoke(app, ["landscape", "ingest", str(src), "--db", db])
    assert r.exit_code == 0, r.output
    assert "6 works in store" in r.output
    r = runner.invoke(app, ["landscape", "tag", "--db", db])
    assert r.exit_code == 0, r.output
    assert "classifier not trained; using keyword definition" in r.output
    out = tmp_path / "fig"
    r = runner.invoke(
        app,
        [
            "landscape",
            "figure",
            "--db",
            db,
            "--focal",
            "US",
            "--from",
            "2020",
            "--to",
            "2021",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert (out / "landscape_US_2020-2021_safety.svg").exists()
    assert (
        (out / "landscape_US_2020-2021_safety.csv")
        .read_text()
        .startswith("year,all_works,focal_works")
    )
    r = runner.invoke(app, ["landscape", "status", "--db", db])
    assert r.exit_code == 0 and "works" in r.output


def test_bad_input_exit_2(tmp_path: Path, small_corpus: list[dict[str, Any]]) -> None:
    src = write_jsonl_gz(tmp_path / "w.jsonl.gz", small_corpus)
    db = str(tmp_path / "db.duckdb")
    runner.invoke(app, ["landscape", "ingest", str(src), "--db", db])
    for args in (
        ["landscape", "figure", "--db", db, "--focal", "USA"],
        ["landscape", "figure", "--db", db, "--area", "astrology"],
        ["landscape", "figure", "--db", db, "--from", "2024", "--to", "2020"],
        ["landscape", "figure", "--db", str(tmp_path / "none.duckdb")],
        ["landscape", "ingest", str(tmp_path / "missing.jsonl"), "--db", db],
        ["landscape", "classifier", "evaluate"],
    ):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output and "error:" in r.output


def test_definition_file_errors(tmp_path: Path, small_corpus: list[dict[str, Any]]) -> None:
    src = write_jsonl_gz(tmp_path / "w.jsonl.gz", small_corpus)
    db = str(tmp_path / "db.duckdb")
    runner.invoke(app, ["landscape", "ingest", str(src), "--db", db])
    bad = tmp_path / "def.yaml"
    bad.write_text("method: nonsense\nthreshold: 3\n")
    r = runner.invoke(app, ["landscape", "tag", "--db", db, "--definition", str(bad)])
    assert r.exit_code == 2
    assert "def.yaml" in r.output and "threshold" in r.output
    good = tmp_path / "ok.yaml"
    good.write_text("method: all\n")
    r = runner.invoke(app, ["landscape", "tag", "--db", db, "--definition", str(good)])
    assert r.exit_code == 0 and "6 of 6 works" in r.output


def test_bad_keyword_regex_exit_2_and_tags_kept(
    tmp_path: Path, small_corpus: list[dict[str, Any]]
) -> None:
    src = write_jsonl_gz(tmp_path / "w.jsonl.gz", small_corpus)
    db = str(tmp_path / "db.duckdb")
    runner.invoke(app, ["landscape", "ingest", str(src), "--db", db])
    r = runner.invoke(app, ["landscape", "tag", "--db", db, "--method", "keyword"])
    assert r.exit_code == 0, r.output
    before = r.output.splitlines()[-1]
    cases = {
        "unclosed.yaml": ("(unclosed", "not a valid regular expression"),  # any engine
        "lookahead.yaml": ("safe(?=ty)", "RE2"),  # Python accepts it, DuckDB's RE2 does not
    }
    for name, (pattern, message) in cases.items():
        (tmp_path / name).write_text(f"method: keyword\nkeyword_regex: '{pattern}'\n")
        r = runner.invoke(
            app, ["landscape", "tag", "--db", db, "--definition", str(tmp_path / name)]
        )
        assert r.exit_code == 2, r.output
        assert message in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["landscape", "tag", "--db", db, "--method", "keyword"])
    assert r.output.splitlines()[-1] == before  # the cached tags were not wiped


def test_figure_table_marks_years_below_min_n(
    tmp_path: Path, small_corpus: list[dict[str, Any]]
) -> None:
    # 2020: 3 US papers, 2021: 2; with --min-n 3 only 2021 is below it (the chart hatches it)
    src = write_jsonl_gz(tmp_path / "w.jsonl.gz", small_corpus)
    db = str(tmp_path / "db.duckdb")
    assert runner.invoke(app, ["landscape", "ingest", str(src), "--db", db]).exit_code == 0
    args = ["landscape", "figure", "--db", db, "--subset", "all", "--from", "2020", "--to", "2021"]
    r = runner.invoke(app, [*args, "--min-n", "3", "--out", str(tmp_path / "fig")])
    assert r.exit_code == 0, r.output
    rows = {line.split()[1]: line for line in r.output.splitlines() if "│ 202" in line}
    assert rows["2021"].split("│")[2].strip() == "2*"
    assert rows["2020"].split("│")[2].strip() == "3"
    assert "* fewer than 3 US papers that year" in " ".join(r.output.split())  # caption


def test_ingest_of_an_empty_file_warns(tmp_path: Path) -> None:
    """An empty file used to report '0 records' like a success with nothing said."""
    src = tmp_path / "empty.jsonl"
    src.write_text("", encoding="utf-8")
    r = runner.invoke(app, ["landscape", "ingest", str(src), "--db", str(tmp_path / "l.duckdb")])
    assert r.exit_code == 0, r.output
    assert "no record was read" in r.output and "Nothing was added" in r.output
