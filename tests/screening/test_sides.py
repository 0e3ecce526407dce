"""Both sides' lists: each side's due diligence applies the lists that bind it (US lists bind US
parties, China's lists Chinese parties); reports and `lists status` cover both."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.assessment.engine import assess
from detente.assessment.loader import load_proposal
from detente.assessment.proposal import Proposal
from detente.cli.main import app
from detente.report import render
from detente.screening import diligence_for
from detente.screening.store import load_paths

from .conftest import FIXED_NOW

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "18-autonomy-safety-cases-uel.yaml"
AS_OF = date(2026, 11, 28)
UEL_NOTICE = "http://www.mofcom.gov.cn/article/zwgk/gkzcfb/202302/20230203391289.shtml"
runner = CliRunner()


def _us_cn() -> Proposal:
    return Proposal.model_validate(
        {
            "title": "Workshop on safety cases for autonomous systems",
            "areas": [{"id": "protocols"}],
            "parties": [
                {"name": "Lockheed Martin Corporation", "country": "US", "role": "lead"},
                {"name": "Peking University", "country": "CN"},
            ],
            "forms": ["workshop"],
        }
    )


@pytest.mark.shared
def test_us_party_on_the_uel_is_a_finding_of_the_chinese_side(real_home: Path) -> None:
    dd = diligence_for(_us_cn(), home=real_home, as_of=AS_OF)
    by = {s.side: s for s in dd.sides}
    assert set(by) == {"US", "CN"}
    cn, us = by["CN"], by["US"]
    assert cn.jurisdictions == ["CN"] and "cn_mofcom_uel" in cn.lists
    assert not any(i.startswith("cn_") for i in us.lists)
    assert cn.status == "partial"  # a hand-kept transcription: reported as partly checked
    lm_cn = next(f for f in cn.findings if f.name == "Lockheed Martin Corporation")
    uel = next(m for m in lm_cn.matches if m.list_id == "cn_mofcom_uel")
    assert uel.entry_name == "Lockheed Martin Corporation" and uel.score >= dd.threshold
    assert uel.programmes == ["UEL"]  # the measure
    assert uel.authority == "Ministry of Commerce"
    assert uel.listing_date == "2023-02-16"
    assert uel.notice_url == UEL_NOTICE
    assert uel.jurisdiction == "CN" and uel.severity == "restricting"
    assert lm_cn.status == "hit"
    # the US institution's office sees only US-list findings: none for Lockheed Martin
    lm_us = next(f for f in us.findings if f.name == "Lockheed Martin Corporation")
    assert lm_us.status == "clear" and not lm_us.matches
    assert "dd.restricting_hit" in dd.flags()
    a = assess(_us_cn(), diligence=dd)
    md = render(a, "md")
    assert "US side (US lists)" in md and "CN side (CN lists)" in md
    assert (
        UEL_NOTICE in md and "listed 2023-02-16" in md and "authority: Ministry of Commerce" in md
    )
    html = render(a, "html")
    assert 'data-dd="sides"' in html and UEL_NOTICE in html


@pytest.mark.shared
def test_uel_example_proposal(real_home: Path) -> None:
    from detente.framework.loader import get_framework

    fw = get_framework()
    p = load_proposal(EXAMPLE, fw)
    dd = diligence_for(p, home=real_home, as_of=AS_OF)
    cn = next(s for s in dd.sides if s.side == "CN")
    lm = next(f for f in cn.findings if f.key == "lockheed")
    assert any(m.list_id == "cn_mofcom_uel" and m.notice_url == UEL_NOTICE for m in lm.matches)
    a = assess(p, fw, diligence=dd)
    assert a.verdict.level in {"needs_senior_review", "not_advisable"}
    assert assess(p, fw).verdict.level == "suitable"  # risk alone


def test_side_whose_lists_are_not_loaded_is_not_checked(tmp_path: Path) -> None:
    fix = Path(__file__).parent / "fixtures" / "csl_sample.json"
    load_paths([fix], source="trade_gov_csl_json", retrieved_at=FIXED_NOW, home=tmp_path)
    dd = diligence_for(_us_cn(), home=tmp_path, as_of=AS_OF)
    by = {s.side: s for s in dd.sides}
    assert by["US"].status in {"checked", "partial"}
    assert by["CN"].status == "not_checked" and "NOT CHECKED" in by["CN"].note
    assert {f.status for f in by["CN"].findings} == {"not_checked"}
    assert "dd.not_checked" in dd.flags()
    md = render(assess(_us_cn(), diligence=dd), "md")
    assert "| *lists checked* |" in md and "NOT CHECKED" in md
    # a proposal with no Chinese side does not need China's lists
    us_gb = _us_cn().model_copy(
        update={
            "parties": [
                _us_cn().parties[0],
                _us_cn()
                .parties[1]
                .model_copy(update={"name": "Imperial College", "country": "GB"}),
            ]
        }
    )
    dd2 = diligence_for(us_gb, home=tmp_path, as_of=AS_OF)
    # the default rivalry puts the UK on the US side (allies share a side): one side, whose
    # jurisdictions are both countries, and China's lists bind neither
    (us,) = dd2.sides
    assert us.side == "US"
    assert not any(c.list_id.startswith("cn_") for c in us.coverage)


def test_lists_status_covers_both_sides(tmp_path: Path) -> None:
    fix = Path(__file__).parent / "fixtures" / "csl_sample.json"
    home = str(tmp_path)
    r = runner.invoke(app, ["lists", "status", "--home", home, "--as-of", "2026-11-28"])
    assert r.exit_code == 0
    assert "US lists (bind US parties): NOT CHECKED" in r.output
    assert "CN lists (bind CN parties): NOT CHECKED" in r.output
    load_paths([fix], source="trade_gov_csl_json", retrieved_at=FIXED_NOW, home=tmp_path)
    r = runner.invoke(app, ["lists", "status", "--home", home, "--json"])
    data = json.loads(r.output)
    cov = {c["list_id"]: c for c in data["coverage"]}
    assert cov["cn_mofcom_uel"]["status"] == "not_checked"
    assert cov["cn_mofcom_uel"]["jurisdiction"] == "CN"
    assert cov["us_ofac_sdn"]["status"] == "checked"
    assert data["jurisdictions"]["CN"].startswith("NOT CHECKED")
    assert not data["jurisdictions"]["US"].startswith("NOT CHECKED")


def test_lists_update_says_china_publishes_no_data(tmp_path: Path) -> None:
    r = runner.invoke(app, ["lists", "update", "cn_countermeasures", "--home", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "SKIP" in r.output and "not published as data" in r.output
    assert "mofcom.gov.cn" in r.output and "NOT CHECKED" in r.output
    r = runner.invoke(app, ["lists", "sources"])
    assert "cn_countermeasures" in r.output and "CC BY-NC 4.0" in r.output


@pytest.mark.shared
def test_lists_load_every_shared_folder(
    shared_lists: Path, shared_lists_load: tuple[Path, str]
) -> None:
    """`lists load` of every shared folder into an empty home: the session's one load of the
    real lists is that command (tests/conftest.py), so its output is checked here."""
    home, output = shared_lists_load
    folders = sorted(str(p) for p in shared_lists.iterdir() if p.is_dir())
    for folder in folders:
        assert f"loaded {Path(folder).name}" in output or Path(folder).name in {
            "ofac_non_sdn_consolidated",
            "us_csl_partial",
        }
    assert "loaded cn_countermeasures: 610 entries" in output
    r = runner.invoke(app, ["lists", "status", "--home", str(home), "--as-of", "2026-11-28"])
    assert "CN lists (bind CN parties): 5 partial" in r.output
