"""List loaders: spec-shaped fixtures, the real files in ../shared, and arbitrary input."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente import registry
from detente.errors import ListFormatError
from detente.screening.loaders import (
    detect_source,
    load_csl_json,
    load_ofac_xml,
    load_user_csv,
    parse_el_raw,
    split_name,
)
from detente.screening.registry import load_registry

FIX = Path(__file__).parent / "fixtures"


def test_registry_validates_and_names_meanings() -> None:
    reg = load_registry()
    assert {s.severity.value for s in reg.lists} == {"blocking", "restricting", "informational"}
    assert reg.list_spec("us_ofac_sdn").severity.value == "blocking"
    assert "fundamental-research" in reg.list_spec("us_dod_1286").meaning
    for s in reg.sources:
        assert s.licence


def test_bad_registry_names_the_field(tmp_path: Path) -> None:
    from detente.errors import FrameworkError

    p = tmp_path / "r.yaml"
    p.write_text(
        "version: x\nlists: [{id: a, name: A, authority: B, jurisdiction: US, severity: fatal, meaning: m, official_url: u}]\nsources: []\n"
    )
    with pytest.raises(FrameworkError) as ei:
        load_registry(p)
    assert "severity" in str(ei.value)


def test_sdn_xml_fixture() -> None:
    r = load_ofac_xml({"sdn.xml": (FIX / "sdn_sample.xml").read_bytes()}, "ofac_sdn_xml")
    assert r.published == "2026-11-20"
    by = {e.entry_id: e for e in r.entries}
    assert by["990001"].acronyms == ("EQCI",)
    assert "EXAMPLE QUANTUM LAB" in by["990001"].aliases
    assert by["990001"].countries == ("IR",)
    assert (
        by["990002"].schema == "person" and by["990002"].countries == ()
    )  # never a person's nationality
    assert by["990002"].name == "EXAMPLOV, Ivan Petrovich"
    assert by["990003"].schema == "other"


def test_csl_json_fixture() -> None:
    r = load_csl_json(
        {"consolidated.json": (FIX / "csl_sample.json").read_bytes()}, "trade_gov_csl_json"
    )
    assert r.published == "2026-11-03"
    assert len(r.entries) == 2
    el = r.entries[0]
    assert (
        el.list_id == "us_bis_entity_list" and el.name == "Example Institute of Advanced Computing"
    )
    assert el.acronyms == ("EIAC",) and el.countries == ("CN",) and el.listed_on == "2026-10-01"
    assert dict(el.extra)["license_requirement"].startswith("For all items")


def test_user_csv_fixture_and_errors(tmp_path: Path) -> None:
    r = load_user_csv({"user_list.csv": (FIX / "user_list.csv").read_bytes()}, "user_csv")
    assert [e.entry_id for e in r.entries] == ["W-1", "W-2"]
    assert r.entries[0].acronyms == ("EFAL",) and r.entries[0].native_names
    bad = b"name,type\nSomeone,robot\n"
    with pytest.raises(ListFormatError) as ei:
        load_user_csv({"bad.csv": bad}, "user_csv")
    assert ei.value.problems[0].line == 2 and ei.value.problems[0].field == "type"


def test_split_name_and_el_raw() -> None:
    assert split_name("National University of Defense Technology (NUDT)") == (
        "National University of Defense Technology",
        ("NUDT",),
        (),
    )
    assert split_name("360 Security Technology Inc. (Qihoo 360)*") == (
        "360 Security Technology Inc.",
        (),
        ("Qihoo 360",),
    )
    aliases, addr = parse_el_raw(
        "Academy of Military Medical Sciences",
        "Academy of Military Medical Sciences, a.k.a., the following one alias: —AMMS. 27 Taiping Road, Haidian District, Beijing, 100850, China.",
    )
    assert aliases == ("AMMS",) and addr.startswith("27 Taiping Road")


CN_HEAD = (
    b"Type,QID,Name,Alias,Chinese name,Country,Topics,Summary,Chinese summary,Body,List,Date,"
    b"End date,Source URL,Address\n"
)


def test_cn_loader_rows_and_bad_dates() -> None:
    from detente.screening.loaders import cn_date, load_os_cn_sanctions

    assert cn_date("16.02.23") == "2023-02-16" and cn_date("13.08.2025") == "2025-08-13"
    assert cn_date("31.02.23") is None and cn_date("") is None
    ok = CN_HEAD + (
        b"Company,,Acme Defense Corp,ADC;Acme,\xe9\x98\xbf,US,sanction.counter,,,Ministry of Commerce,"
        b"UEL,16.02.23,,http://www.mofcom.gov.cn/x.shtml,\n"
        b"Person,,Jane Roe,,,US,sanction.counter,,,Ministry of Foreign Affairs,,01.01.2022,"
        b"02.02.2023,https://www.mfa.gov.cn/y.html,\n"
    )
    p = load_os_cn_sanctions({"sanctions.csv": ok}, "cn_countermeasures")
    acme, jane = p.entries
    assert acme.list_id == "cn_mofcom_uel" and acme.acronyms == ("ADC",)
    assert dict(acme.extra)["notice_url"] == "http://www.mofcom.gov.cn/x.shtml"
    assert jane.list_id == "cn_afsl_countermeasures" and jane.formerly_listed
    assert jane.ended_on == "2023-02-02" and jane.countries == ()
    assert dict(jane.extra)["nationality"] == "US"
    bad = CN_HEAD + b"Company,,Acme,,,US,,,,Ministry of Commerce,UEL,2023-02-16,,,\n"
    with pytest.raises(ListFormatError) as exc:
        load_os_cn_sanctions({"sanctions.csv": bad}, "cn_countermeasures")
    assert exc.value.problems[0].line == 2 and exc.value.problems[0].field == "Date"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_loaders_never_crash_on_arbitrary_bytes(data: bytes) -> None:
    for fmt, files in (
        ("ofac_csv", {"sdn.csv": data}),
        ("csl_csv", {"consolidated.csv": data}),
        ("csl_json", {"consolidated.json": data}),
        ("os_1260h_csv", {"sanctions.csv": data}),
        ("os_special_leg_csv", {"section_1286.csv": data}),
        ("os_mieu_csv", {"mieu.csv": data}),
        ("el_universities_json", {"data.json": data}),
        ("kaist_json", {"restricted_parties.json": data}),
        ("os_cn_sanctions_csv", {"sanctions.csv": data}),
        ("os_cn_sanctions_csv", {"sanctions.csv": CN_HEAD + data}),
        ("user_csv", {"u.csv": data}),
        ("ofac_xml", {"sdn.xml": data}),
    ):
        with contextlib.suppress(ListFormatError):
            registry.get("list_loader", fmt).load(files, "x")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_split_name_never_crashes(text: str) -> None:
    name, _acr, _al = split_name(text)
    assert isinstance(name, str)
    parse_el_raw(text[:10], text)


@pytest.mark.shared
def test_real_files_load(shared_lists: Path) -> None:
    reg = load_registry()
    groups: dict[str, dict[str, bytes]] = {}
    for p in sorted(shared_lists.glob("*/*")):
        if p.name != "SOURCE.md":
            groups.setdefault(detect_source(p), {})[p.name] = p.read_bytes()
    assert set(groups) == {
        "ofac_sdn",
        "ofac_consolidated",
        "trade_gov_csl",
        "dod_1260h",
        "dod_1286",
        "ndaa_889_5949",
        "bis_mieu",
        "bis_entity_list_china_universities",
        "kaist_restricted_parties",
        "cn_countermeasures",
    }
    parsed = {
        sid: registry.get("list_loader", reg.source(sid).format).load(files, sid)
        for sid, files in groups.items()
    }
    sdn = parsed["ofac_sdn"]
    assert sdn.rows["sdn.csv"] == 14965  # CRLF + 0x1A EOF marker handled, no junk last row
    assert any("vintage mismatch" in n for n in sdn.notes)
    assert all(e.name and e.name != "-0-" for e in sdn.entries)
    s1286 = parsed["dod_1286"].entries
    assert {e.listed_on for e in s1286 if not e.formerly_listed} == {"FY2025 edition"}
    former = [e for e in s1286 if e.formerly_listed]
    assert former and all(e.ended_on for e in former)
    current_names = {e.name.casefold() for e in s1286 if not e.formerly_listed}
    assert not any(
        e.name.casefold() in current_names and "edition" in (e.ended_on or "") for e in former
    )
    cn = parsed["cn_countermeasures"]
    assert cn.rows["sanctions.csv"] == 610  # one row per designation, every row kept
    assert {e.list_id for e in cn.entries} == {
        "cn_mofcom_uel",
        "cn_mofcom_export_control",
        "cn_mofcom_watch_list",
        "cn_afsl_countermeasures",
        "cn_tao_taiwan_independence",
    }
    uel = [e for e in cn.entries if e.list_id == "cn_mofcom_uel"]
    assert len(uel) == 66
    lm = next(e for e in uel if e.name == "Lockheed Martin Corporation")
    extra = dict(lm.extra)
    assert lm.listed_on == "2023-02-16" and lm.programs == ("UEL",)
    assert extra["authority"] == "Ministry of Commerce"
    assert extra["notice_url"].startswith("http://www.mofcom.gov.cn/")
    assert lm.native_names == ("洛克希德·马丁公司",) and lm.countries == ("US",)
    ended = [e for e in cn.entries if e.formerly_listed]
    assert {(e.name, e.ended_on) for e in ended} >= {("AB Mano Bankas", "2026-04-24")}
    assert len(ended) == 3
    assert all(e.listed_on is None or len(e.listed_on) == 10 for e in cn.entries)
    assert not any(e.countries for e in cn.entries if e.schema == "person")
    h1260 = parsed["dod_1260h"].entries
    megvii = [e for e in h1260 if e.name == "Beijing Megvii Technology Co., Ltd."]
    assert [(e.formerly_listed, e.ended_on) for e in megvii] == [(True, "2025-01-07")]
    assert len(parsed["bis_mieu"].entries) == 13
    csl = parsed["trade_gov_csl"]
    assert any("truncated" in n for n in csl.notes)
    kaist = parsed["kaist_restricted_parties"]
    assert {e.list_id for e in kaist.entries} >= {
        "us_bis_entity_list",
        "jp_meti_eul",
        "ca_ised_nro",
    }
    assert all(
        c.isascii() and len(c) == 2 for e in kaist.entries for c in e.countries
    )  # Korean names mapped
    el = parsed["bis_entity_list_china_universities"]
    hit = next(e for e in el.entries if e.name == "Harbin Institute of Technology")
    assert len(hit.aliases) >= 6 and hit.countries == ("CN",)


_text = st.text(max_size=12)
_texts = st.lists(_text, max_size=3).map(tuple)


@settings(max_examples=60, deadline=None)
@given(
    name=_text,
    schema=st.sampled_from(["person", "org", "unknown"]),
    aliases=_texts,
    native=_texts,
    countries=_texts,
    listed_on=st.none() | _text,
    remarks=_text,
    extra=st.lists(st.tuples(_text, _text), max_size=2).map(tuple),
    formerly=st.booleans(),
)
def test_entry_json_is_asdict_and_round_trips(
    name: str,
    schema: str,
    aliases: tuple[str, ...],
    native: tuple[str, ...],
    countries: tuple[str, ...],
    listed_on: str | None,
    remarks: str,
    extra: tuple[tuple[str, str], ...],
    formerly: bool,
) -> None:
    """The hand-written ``entry_to_json`` writes exactly what ``json.dumps(asdict(e))`` did."""
    import dataclasses
    import json

    from detente.screening.entries import ListEntry, entry_from_json, entry_to_json

    e = ListEntry(
        source_id="s",
        list_id="l",
        entry_id=name[:3],
        name=name,
        schema=schema,
        aliases=aliases,
        native_names=native,
        acronyms=aliases[:1],
        countries=countries,
        addresses=native[:1],
        programs=countries[:1],
        listed_on=listed_on,
        ended_on=listed_on,
        parents=aliases[1:],
        remarks=remarks,
        extra=extra,
        formerly_listed=formerly,
    )
    out = entry_to_json(e)
    assert out == json.dumps(dataclasses.asdict(e), ensure_ascii=False)
    assert entry_from_json(out) == e
