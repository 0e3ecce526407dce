"""Honest figures: Wilson intervals, whole vs fractional counting (hand-computed), the
country-share and institution views, focal-code checks and the rendered chart."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from detente.cli.main import app
from detente.errors import InputError
from detente.landscape.figure import draw, legend_notes
from detente.landscape.ingest import ingest_paths
from detente.landscape.measures import (
    check_country,
    country_share,
    duckdb_runner,
    find_institution,
    institution_view,
    wilson,
)
from detente.landscape.service import landscape

from .conftest import work, write_jsonl_gz

runner = CliRunner()


@pytest.fixture
def corpus_db(tmp_path: Path, small_corpus: list[dict[str, Any]]) -> Path:
    us, cn = ("MIT", "US"), ("Tsinghua University", "CN")
    extra = [
        work("W7", 2022, [[us]], "Graph neural networks"),
        work("W8", 2022, [[us], [cn]], "More graph neural networks"),
    ]
    src = write_jsonl_gz(tmp_path / "w.jsonl.gz", small_corpus + extra)
    db = tmp_path / "db.duckdb"
    ingest_paths([src], db)
    return db


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [(0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (10, 10, 0.7225, 1.0), (0, 0, 0.0, 1.0)],
)
def test_wilson(k: int, n: int, lo: float, hi: float) -> None:
    a, b = wilson(k, n)
    assert math.isclose(a, lo, abs_tol=1e-4) and math.isclose(b, hi, abs_tol=1e-4)


# Hand-computed from conftest.small_corpus (subset: all works):
# 2020: W1 US|CN, W2 US|GB, W3 one author at US+CN.
#   whole: US 3, CN 2, GB 1 of 3.  fractional: W1 US .5 CN .5; W2 US .5 GB .5;
#   W3 the single author's unit split US .5 CN .5  ->  US 1.5, CN 1, GB .5 of 3.
# 2021: W4 US; W5 CN|GB; W6 US|CN|GB.
#   whole: US 2, CN 2, GB 2 of 3.  fractional: US 1 + 1/3, CN .5 + 1/3, GB .5 + 1/3.
WHOLE = {
    (2020, "US"): 3,
    (2020, "CN"): 2,
    (2020, "GB"): 1,
    (2021, "US"): 2,
    (2021, "CN"): 2,
    (2021, "GB"): 2,
}
FRACTIONAL = {
    (2020, "US"): 1.5,
    (2020, "CN"): 1.0,
    (2020, "GB"): 0.5,
    (2021, "US"): 4 / 3,
    (2021, "CN"): 5 / 6,
    (2021, "GB"): 5 / 6,
}


@pytest.mark.parametrize(("counting", "expected"), [("whole", WHOLE), ("fractional", FRACTIONAL)])
def test_country_share_counting(
    corpus_db: Path, counting: str, expected: dict[tuple[int, str], float]
) -> None:
    con = duckdb.connect(str(corpus_db), read_only=True)
    rows = country_share(duckdb_runner(con), 2020, 2021, subset="all", counting=counting)  # type: ignore[arg-type]
    con.close()
    got = {(r.year, r.country): r.works for r in rows}
    assert got.keys() == expected.keys()
    for key, v in expected.items():
        assert math.isclose(got[key], v, abs_tol=1e-6), key
    assert all(r.total == 3 for r in rows)
    for r in rows:
        assert r.ci_low <= r.share <= r.ci_high
    if counting == "fractional":  # credits of a year sum to its works
        for year in (2020, 2021):
            assert math.isclose(sum(v for (y, _), v in got.items() if y == year), 3.0, abs_tol=1e-5)


def test_institution_view(corpus_db: Path) -> None:
    con = duckdb.connect(str(corpus_db), read_only=True)
    run = duckdb_runner(con)
    v = institution_view(run, "mit", 2020, 2022, subset="all")
    assert v.inst_name == "MIT" and v.country == "US"
    assert [(y.year, y.works) for y in v.years] == [(2020, 3), (2021, 2), (2022, 2)]
    partners = {p.inst_name: p.works for p in v.partner_institutions}
    assert partners == {"Tsinghua University": 4, "University of Oxford": 2}  # W1 W3 W6 W8
    with pytest.raises(InputError, match="no institution"):
        institution_view(run, "Nowhere Institute", 2020, 2022, subset="all")
    con.close()


@pytest.mark.parametrize("code", ["XX", "ZZ", "USA", "1", ""])
def test_unknown_focal_rejected(code: str) -> None:
    with pytest.raises(InputError, match="not a country"):
        check_country(code)
    assert check_country(" us ") == "US"


def test_cli_unknown_focal_exit_2(corpus_db: Path, tmp_path: Path) -> None:
    r = runner.invoke(
        app,
        ["landscape", "figure", "--db", str(corpus_db), "--focal", "XX", "--out", str(tmp_path)],
    )
    assert r.exit_code == 2
    assert "not a country" in r.output and "Traceback" not in r.output
    assert not list(tmp_path.glob("*.svg"))


def _svg_text(path: Path) -> str:
    return re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))


def test_chart_legend_zero_and_footer(corpus_db: Path, tmp_path: Path) -> None:
    result, _ = landscape(corpus_db, "US", 2020, 2022, subset="all", min_n=3)
    # 2022: US papers W7, W8 -> GB share is exactly zero; 2 < min_n -> hatched
    y2022 = next(y for y in result.years if y.year == 2022)
    assert y2022.focal_works == 2 and y2022.count("GB") == 0
    svg = draw(result, tmp_path)[0]
    text = _svg_text(svg)
    for note in legend_notes(result, lines=False):
        assert note in text
    assert "hatched: fewer than 3 US papers that year" in text
    assert 'id="zero-share-GB-' in text  # the zero is drawn, not left blank
    assert "Source: w.jsonl.gz" in text and "Counting: whole counting" in text
    assert "Definition: all works" in text and "Generated " in text
    assert "95% Wilson interval" in text


def test_long_ranges_are_lines(corpus_db: Path, tmp_path: Path) -> None:
    result, _ = landscape(corpus_db, "US", 2000, 2022, subset="all", min_n=3)
    result.years = [y.model_copy(update={"year": 2000 + i}) for i, y in enumerate(result.years * 6)]
    assert len(result.years) > 15
    text = _svg_text(draw(result, tmp_path)[0])
    assert "omitted: fewer than 3 US papers that year" in text
    assert "hatched:" not in text


@pytest.mark.parametrize("counting", ["whole", "fractional"])
def test_country_share_zero_is_a_row_not_a_gap(corpus_db: Path, counting: str) -> None:
    # 2022 (W7 US, W8 US|CN) has no GB work: GB gets a 0 row, not a missing year
    # (a missing row drew GB's line straight across the year and left it out of the CSV).
    con = duckdb.connect(str(corpus_db), read_only=True)
    run = duckdb_runner(con)
    rows = country_share(run, 2020, 2022, subset="all", counting=counting)  # type: ignore[arg-type]
    only = country_share(run, 2022, 2022, subset="all", counting=counting, countries=["GB"])  # type: ignore[arg-type]
    con.close()
    got = {(r.year, r.country): r for r in rows}
    assert len(got) == 3 * 3  # every year with works x every country seen
    gb = got[(2022, "GB")]
    assert (gb.works, gb.total, gb.share, gb.ci_low) == (0.0, 2, 0.0, 0.0) and gb.ci_high > 0
    assert [(r.year, r.country, r.works, r.total) for r in only] == [(2022, "GB", 0.0, 2)]


def test_partner_legend_swatches_are_solid(
    corpus_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matplotlib.pyplot as plt

    figs: list[Any] = []
    monkeypatch.setattr(plt, "close", figs.append)
    result, _ = landscape(corpus_db, "US", 2020, 2022, subset="all", min_n=4)
    assert all(y.focal_works < 4 for y in result.years)  # every bar is hatched and pale
    draw(result, tmp_path)
    legend = figs[0].axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    handles = dict(zip(labels, legend.legend_handles, strict=True))
    for p in result.top_partners[:5]:
        assert not handles[p].get_hatch(), p  # the partner's colour, not the min-n mark
        assert handles[p].get_alpha() in (None, 1.0), p
    assert any(h.get_hatch() for h in handles.values())  # the min-n entry keeps its hatch


def test_country_share_title_names_the_area(corpus_db: Path, tmp_path: Path) -> None:
    result, _ = landscape(corpus_db, "US", 2020, 2022, subset="all", min_n=3)
    cut = result.model_copy(update={"subset": "safety", "area": "evaluations"})
    text = _svg_text(draw(cut, tmp_path)[0])
    # both panels are the area cut, so both titles say so
    assert "Share of AI-safety (Evaluation methods) papers by US" in text
    assert "Each country's share of AI-safety (Evaluation methods)" in text  # wrapped after


def test_institution_country_is_the_most_common_one(tmp_path: Path) -> None:
    # one stray affiliation row in another country must not relabel the institution
    works = [work(f"W{i}", 2020, [[("Stanford University", "US")]]) for i in range(3)]
    works.append(work("W9", 2020, [[("Stanford University", "CA")]]))
    db = tmp_path / "db.duckdb"
    ingest_paths([write_jsonl_gz(tmp_path / "w.jsonl.gz", works)], db)
    con = duckdb.connect(str(db), read_only=True)
    run = duckdb_runner(con)
    _, name, country = find_institution(run, "stanford university")
    view = institution_view(run, "Stanford University", 2020, 2020, subset="all")
    con.close()
    assert (name, country) == ("Stanford University", "US")
    assert view.country == "US" and view.total_works == 4


def test_tag_cache_keyed_by_resolved_method(corpus_db: Path) -> None:
    from detente.landscape.store import LandscapeStore
    from detente.landscape.tagging import tag_store
    from detente.landscape.taxonomy import SafetyDefinition

    with LandscapeStore(corpus_db) as store:
        tag_store(store, SafetyDefinition(method="keyword"))
        store.con.execute("UPDATE work_tags SET method = 'cached'")
        # no classifier: auto resolves to keyword, the same tags -> served from the cache
        rep = tag_store(store, SafetyDefinition(method="auto"), load_classifier=False)
        assert rep.notice  # still says the classifier is not trained
        row = store.con.execute("SELECT DISTINCT method FROM work_tags").fetchall()
    assert row == [("cached",)]
