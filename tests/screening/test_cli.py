"""CLI: screen, batch screen, lists load/status/diff; bad input exits 2 without a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli.main import app

FIX = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_screen_without_index_says_not_checked(tmp_path: Path) -> None:
    r = runner.invoke(app, ["screen", "Anything", "--home", str(tmp_path)])
    assert r.exit_code == 0 and "NOT_CHECKED" in r.output


def test_bad_input_exit_2(tmp_path: Path) -> None:
    r = runner.invoke(app, ["screen", "X", "--type", "robot", "--home", str(tmp_path)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("name,type\nSomeone,robot\n")
    r = runner.invoke(
        app, ["lists", "load", str(bad), "--source", "user_csv", "--home", str(tmp_path)]
    )
    assert r.exit_code == 2 and "bad.csv:2" in r.output and "type" in r.output
    r = runner.invoke(
        app, ["lists", "load", str(tmp_path / "missing.csv"), "--home", str(tmp_path)]
    )
    assert r.exit_code == 2


def test_load_diff_status_and_batch(tmp_path: Path) -> None:
    home = str(tmp_path / "h")
    r = runner.invoke(
        app, ["lists", "load", str(FIX / "user_list.csv"), "--source", "user_csv", "--home", home]
    )
    assert r.exit_code == 0, r.output
    v2 = tmp_path / "v2" / "user_list.csv"
    v2.parent.mkdir()
    v2.write_text(
        (FIX / "user_list.csv").read_text()
        + "Another Example Company,,,org,RU,Internal watchlist,Test,,2026-02-01,W-3\n"
    )
    r = runner.invoke(app, ["lists", "load", str(v2), "--source", "user_csv", "--home", home])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["lists", "diff", "user_csv", "--home", home])
    assert (
        r.exit_code == 0
        and "1 added, 0 removed" in r.output
        and "Another Example Company" in r.output
    )
    r = runner.invoke(app, ["lists", "status", "--home", home, "--as-of", "2026-11-28"])
    assert r.exit_code == 0 and "NOT CHECKED" in r.output and "user_csv" in r.output
    r = runner.invoke(app, ["screen", "Example Frontier AI Lab", "--home", home])
    assert r.exit_code == 0 and "HIT" in r.output and "features:" in r.output
    inp = tmp_path / "parties.csv"
    inp.write_text("name,country,type\nEFAL,CN,org\nJane Example,,person\nUnrelated Org,GB,org\n")
    out = tmp_path / "res.csv"
    r = runner.invoke(app, ["screen", "--input", str(inp), "--output", str(out), "--home", home])
    assert r.exit_code == 0, r.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("name,type,country,status")
    assert [ln.split(",")[3] for ln in lines[1:]] == [
        "hit",
        "potential",
        "clear",
    ]  # a person by name alone: potential


@pytest.mark.shared
def test_load_real_lists_and_screen(shared_lists: Path, tmp_path: Path) -> None:
    # The smaller shared folders only (about 1,500 entries): loading every shared list through the
    # CLI is tests/screening/test_sides.py::test_lists_load_every_shared_folder.
    small = ("bis_entity_list_china_universities", "dod_1260h", "dod_1286", "ndaa_889_5949")
    files = [
        str(p)
        for p in sorted(shared_lists.glob("*/*"))
        if p.name != "SOURCE.md"
        if p.parent.name in small
    ]
    r = runner.invoke(app, ["lists", "load", *files, "--home", str(tmp_path)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app, ["screen", "Tsinghua University", "--country", "CN", "--home", str(tmp_path)]
    )
    assert r.exit_code == 0 and "RELATED" in r.output
    r = runner.invoke(app, ["screen", "BUAA", "--home", str(tmp_path), "--json"])
    assert r.exit_code == 0 and '"status": "hit"' in r.output


def test_load_folder_without_list_files_is_exit_2(tmp_path: Path) -> None:
    """A folder with nothing to load used to rebuild an empty index and exit 0: loaded nothing,
    said nothing. It is an error that names the folder and what was expected."""
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "README.md").write_text("not a list\n")
    r = runner.invoke(app, ["lists", "load", str(empty), "--home", str(tmp_path / "h")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "no list files found" in r.output and "nothing was loaded" in r.output


def test_load_parent_folder_reads_its_source_folders(tmp_path: Path) -> None:
    """`lists load ../shared/data/lists`: a folder with no list files of its own is read one level
    down, one subfolder per source (as the shared data is laid out)."""
    parent = tmp_path / "lists"
    (parent / "mine").mkdir(parents=True)
    (parent / "mine" / "user_list.csv").write_bytes((FIX / "user_list.csv").read_bytes())
    (parent / "SOURCE.md").write_text("about these lists\n")
    home = str(tmp_path / "h")
    r = runner.invoke(app, ["lists", "load", str(parent), "--source", "user_csv", "--home", home])
    assert r.exit_code == 0, r.output
    assert "loaded user_csv" in r.output


def test_batch_csv_not_utf8_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "parties.csv"
    bad.write_bytes("name\n清华大学\n".encode("gb18030"))
    r = runner.invoke(app, ["screen", "--input", str(bad), "--home", str(tmp_path)])
    assert r.exit_code == 2, r.output
    assert "not UTF-8" in r.output and "parties.csv" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_lists_status_bad_as_of_exits_2(tmp_path: Path) -> None:
    r = runner.invoke(app, ["lists", "status", "--as-of", "garbage", "--home", str(tmp_path)])
    assert r.exit_code == 2, r.output
    assert "--as-of 'garbage' is not a date" in r.output


def test_country_for_a_person_is_refused_not_ignored(tmp_path: Path) -> None:
    """`--country` was silently ignored for `--type person`; it is refused with what to use."""
    r = runner.invoke(
        app, ["screen", "Li Ming", "--type", "person", "--country", "CN", "--home", str(tmp_path)]
    )
    assert r.exit_code == 2 and "--nationality" in r.output and "Traceback" not in r.output
