"""Readers for the list formats Détente knows, and detection of which source a file is.

Each format is registered as a list loader (``detente.list_loaders`` entry points, see
:mod:`detente.screening.providers`); a third-party loader may claim files with ``detect``.

Each reader takes the files of one source (name -> bytes) and returns a :class:`ParsedSource`.
A file that cannot be read raises :class:`~detente.errors.ListFormatError` naming the file,
line and field.  Readers never guess a person's country from their name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from detente.errors import ListFormatError, Problem
from detente.screening.entries import ListEntry, ParsedSource
from detente.screening.identifiers import (
    CITIZENSHIP,
    DOB,
    NATIONALITY,
    from_csl_row,
    from_ofac_remarks,
    normalise_date,
)
from detente.screening.normalize import country_code, derive_parents, looks_like_acronym

Files = Mapping[str, bytes]

# ---- helpers ---------------------------------------------------------------------------------


def _text(data: bytes, fname: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    data = data.rstrip(b"\x1a\r\n ") + b"\n" if data.strip(b"\x1a\r\n ") else b""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ListFormatError(
                f"{fname}: not UTF-8 text", problems=[Problem(str(exc), file=fname)]
            ) from None


def _null(v: str | None) -> str:
    if v is None:
        return ""
    v = v.strip()
    return "" if v in {"-0-", "-0"} else v


def _split(v: str | None, sep: str = ";") -> tuple[str, ...]:
    if not v:
        return ()
    return tuple(p.strip() for p in v.split(sep) if p.strip())


def _id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


_PAREN = re.compile(r"\s*\(([^()]*)\)")


def split_name(raw: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Split "Name (ACR) (a.k.a. Other)*" into (name, acronyms, aliases)."""
    name = raw.strip().rstrip("*").strip()
    acr: list[str] = []
    ali: list[str] = []
    for m in _PAREN.finditer(name):
        inner = m.group(1).strip()
        inner = re.sub(
            r"^(?:a\.?k\.?a\.?|f\.?k\.?a\.?|formerly|also known as)[:,]?\s*", "", inner, flags=re.I
        )
        if not inner:
            continue
        if looks_like_acronym(inner):
            acr.append(inner)
        elif len(inner) > 2:
            ali.append(inner)
    clean = _PAREN.sub("", name).strip(" ,;") if (acr or ali) else name
    return (clean or name), tuple(acr), tuple(ali)


def _csv_rows(text: str, fname: str, *, header: bool) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if not row or not any(c.strip() for c in row):
                continue
            yield reader.line_num, row
    except csv.Error as exc:
        raise ListFormatError(
            f"{fname}: malformed CSV",
            problems=[Problem(str(exc), file=fname, line=reader.line_num)],
        ) from None


def _dict_rows(
    text: str, fname: str, required: Iterable[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    rows = _csv_rows(text, fname, header=True)
    try:
        _, head = next(rows)
    except StopIteration:
        raise ListFormatError(
            f"{fname}: empty file", problems=[Problem("no header row", file=fname, line=1)]
        ) from None
    head = [h.strip().lstrip("\ufeff") for h in head]
    missing = [c for c in required if c not in head]
    if missing:
        raise ListFormatError(
            f"{fname}: not the expected columns",
            problems=[
                Problem(
                    f"missing column(s) {', '.join(missing)}; found {', '.join(head[:12])}",
                    file=fname,
                    line=1,
                )
            ],
        )
    for line, row in rows:
        if row[: len(head)] == head:
            continue  # repeated header (the CSL file has one)
        yield line, {h: (row[i] if i < len(row) else "") for i, h in enumerate(head)}


def _require(files: Files, name: str, source: str) -> bytes:
    if name not in files:
        raise ListFormatError(
            f"source {source}: file {name} is missing",
            problems=[Problem("required file not given", file=name)],
        )
    return files[name]


_AKA = re.compile(r"\b(?:a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*'([^']+)'", re.I)
_DATE_DMY = re.compile(r"(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{4})")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


def _country_of_address(addr: str) -> str | None:
    tail = addr.rsplit(",", 1)[-1].strip().rstrip(".")
    tail = re.sub(r"\s*\d[\d\-\s]*$", "", tail)  # "China 100071"
    cc = country_code(tail)
    if cc is None:
        cc = country_code(re.sub(r"^\d+\s*", "", tail))
    return cc


# ---- OFAC legacy CSV -------------------------------------------------------------------------


def _ofac_list_for(programs: tuple[str, ...], consolidated: bool) -> str:
    if not consolidated:
        return "us_ofac_sdn"
    if any("CMIC" in p for p in programs):
        return "us_ofac_ns_cmic"
    if any("EO13662" in p for p in programs):
        return "us_ofac_ssi"
    return "us_ofac_non_sdn_other"


def load_ofac_csv(files: Files, source_id: str) -> ParsedSource:
    consolidated = any(n.startswith("cons_") for n in files)
    pre = "cons_" if consolidated else ""
    prim_name = "cons_prim.csv" if consolidated else "sdn.csv"
    prim = _text(_require(files, prim_name, source_id), prim_name)
    rows: dict[str, int] = {}
    notes: list[str] = []

    def side(name: str) -> list[tuple[int, list[str]]]:
        if name not in files:
            return []
        out = list(_csv_rows(_text(files[name], name), name, header=False))
        rows[name] = len(out)
        return out

    aliases: dict[str, list[tuple[str, str]]] = {}
    for _line, r in side(f"{pre}alt.csv"):
        if len(r) >= 4:
            aliases.setdefault(r[0].strip(), []).append((_null(r[2]).strip('"'), _null(r[3])))
    addrs: dict[str, list[tuple[str, str | None]]] = {}
    for _line, r in side(f"{pre}add.csv"):
        if len(r) >= 5:
            text = ", ".join(x for x in (_null(r[2]), _null(r[3]), _null(r[4])) if x)
            addrs.setdefault(r[0].strip(), []).append((text, country_code(_null(r[4]))))
    comments: dict[str, str] = {}
    for _line, r in side(f"{pre}comments.csv" if consolidated else "sdn_comments.csv"):
        if len(r) >= 2:
            comments[r[0].strip()] = comments.get(r[0].strip(), "") + _null(r[1])

    entries: list[ListEntry] = []
    n = 0
    seen: set[str] = set()
    for line, r in _csv_rows(prim, prim_name, header=False):
        n += 1
        if len(r) < 4 or not r[0].strip().isdigit():
            raise ListFormatError(
                f"{prim_name}: not an OFAC primary-record file",
                problems=[
                    Problem(
                        "expected ent_num, name, type, programme ...",
                        file=prim_name,
                        line=line,
                        field="ent_num",
                    )
                ],
            )
        ent = r[0].strip()
        seen.add(ent)
        name = _null(r[1])
        typ = _null(r[2]).lower()
        schema = {"individual": "person", "vessel": "other", "aircraft": "other"}.get(typ, "org")
        programs = tuple(p.strip() for p in re.split(r"\]\s*\[", _null(r[3])) if p.strip())
        remarks = _null(r[11]) if len(r) > 11 else ""
        remarks += comments.get(ent, "")
        al = [a for t, a in aliases.get(ent, []) if a]
        al += [m.group(1).strip() for m in _AKA.finditer(remarks)]
        ad = addrs.get(ent, [])
        acr = tuple(a for a in al if looks_like_acronym(a))
        entries.append(
            ListEntry(
                source_id=source_id,
                list_id=_ofac_list_for(programs, consolidated),
                entry_id=ent,
                name=name,
                schema=schema,
                aliases=tuple(dict.fromkeys(a for a in al if a not in acr)),
                acronyms=acr,
                countries=tuple(dict.fromkeys(c for _, c in ad if c)) if schema != "person" else (),
                addresses=tuple(a for a, _ in ad if a),
                programs=programs,
                remarks=remarks[:2000],
                extra=from_ofac_remarks(remarks) if schema == "person" else (),
            )
        )
    rows[prim_name] = n
    orphan = len(set(aliases) - seen)
    if orphan:
        notes.append(
            f"{orphan} alias groups in {pre}alt.csv have no primary record in {prim_name} "
            "(files of different dates: vintage mismatch)"
        )
    return ParsedSource(source_id, tuple(entries), rows, None, tuple(notes))


# ---- OFAC XML (sdn.xml publication schema) ---------------------------------------------------


def load_ofac_xml(files: Files, source_id: str) -> ParsedSource:
    import xml.etree.ElementTree as ET

    fname = next((n for n in files if n.lower().endswith(".xml")), "sdn.xml")
    data = _require(files, fname, source_id)
    if b"<!ENTITY" in data or b"<!entity" in data:
        # sdn.xml declares no entities; a file that does may be an entity-expansion bomb.
        raise ListFormatError(
            f"{fname}: the list file declares XML entities, which the OFAC format never does",
            problems=[Problem("entity declarations are refused (<!ENTITY …>)", file=fname)],
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise ListFormatError(
            f"{fname}: not well-formed XML", problems=[Problem(str(exc), file=fname, line=line)]
        ) from None

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def child(el: ET.Element, name: str) -> ET.Element | None:
        for c in el:
            if local(c.tag) == name:
                return c
        return None

    def text(el: ET.Element | None, name: str) -> str:
        if el is None:
            return ""
        c = child(el, name)
        return (c.text or "").strip() if c is not None else ""

    if local(root.tag) != "sdnList":
        raise ListFormatError(
            f"{fname}: root element is <{local(root.tag)}>, expected <sdnList>",
            problems=[Problem("unexpected root", file=fname, line=1)],
        )
    published = None
    pub = child(root, "publshInformation") or child(root, "publishInformation")
    if pub is not None:
        m = re.match(r"(\d{2})/(\d{2})/(\d{4})", text(pub, "Publish_Date"))
        if m:
            published = f"{m.group(3)}-{m.group(1)}-{m.group(2)}"
    entries: list[ListEntry] = []
    for e in root:
        if local(e.tag) != "sdnEntry":
            continue
        uid = text(e, "uid")
        first, last = text(e, "firstName"), text(e, "lastName")
        if not uid or not last:
            raise ListFormatError(
                f"{fname}: an sdnEntry lacks uid or lastName",
                problems=[Problem("missing uid/lastName", file=fname, field="sdnEntry")],
            )
        typ = text(e, "sdnType").lower()
        schema = {"individual": "person", "vessel": "other", "aircraft": "other"}.get(typ, "org")
        name = f"{last}, {first}" if first else last
        programs = tuple(
            (p.text or "").strip()
            for p in (child(e, "programList") or [])
            if (p.text or "").strip()
        )
        als: list[str] = []
        for aka in child(e, "akaList") or []:
            af, al = text(aka, "firstName"), text(aka, "lastName")
            if al:
                als.append(f"{al}, {af}" if af else al)
        addrs: list[str] = []
        ccs: list[str] = []
        for ad in child(e, "addressList") or []:
            parts = [
                text(ad, k)
                for k in (
                    "address1",
                    "address2",
                    "address3",
                    "city",
                    "stateOrProvince",
                    "postalCode",
                    "country",
                )
            ]
            addrs.append(", ".join(p for p in parts if p))
            cc = country_code(text(ad, "country"))
            if cc:
                ccs.append(cc)
        acr = tuple(a for a in als if looks_like_acronym(a))
        entries.append(
            ListEntry(
                source_id=source_id,
                list_id="us_ofac_sdn",
                entry_id=uid,
                name=name,
                schema=schema,
                aliases=tuple(a for a in als if a not in acr),
                acronyms=acr,
                countries=tuple(dict.fromkeys(ccs)) if schema != "person" else (),
                addresses=tuple(a for a in addrs if a),
                programs=programs,
                remarks=text(e, "remarks"),
                extra=_xml_ids(e, local, text) if schema == "person" else (),
            )
        )
    return ParsedSource(source_id, tuple(entries), {fname: len(entries)}, published)


def _xml_ids(e: Any, local: Any, text: Any) -> tuple[tuple[str, str], ...]:
    """Birth dates, nationalities, citizenships and ids of an sdn.xml person (issue 8)."""
    out: list[tuple[str, str]] = []
    for el in e.iter():
        tag = local(el.tag)
        if tag == "dateOfBirthItem":
            out += [(DOB, d) for d in normalise_date(text(el, "dateOfBirth"))]
        elif tag in {"nationality", "citizenship"} and len(el):
            cc = country_code(text(el, "country"))
            if cc:
                out.append((NATIONALITY if tag == "nationality" else CITIZENSHIP, cc))
        elif tag == "id" and len(el):
            typ, num = text(el, "idType"), text(el, "idNumber")
            if num:
                out += from_csl_row({"ids": [{"type": typ, "number": num}]})
    out += [p for p in from_ofac_remarks(text(e, "remarks")) if p not in out]
    return tuple(dict.fromkeys(out))


# ---- trade.gov Consolidated Screening List ---------------------------------------------------

_CSL_LISTS: tuple[tuple[str, str], ...] = (
    ("(SDN)", "us_ofac_sdn"),
    ("(EL)", "us_bis_entity_list"),
    ("(MEU)", "us_bis_meu"),
    ("(DPL)", "us_bis_dpl"),
    ("(UVL)", "us_bis_uvl"),
    ("(SSI)", "us_ofac_ssi"),
    ("(CMIC)", "us_ofac_ns_cmic"),
    ("(ISN)", "us_state_isn"),
    ("(DTC)", "us_state_dtc"),
    ("(PLC)", "us_ofac_non_sdn_other"),
    ("(NS-MBS", "us_ofac_non_sdn_other"),
    ("(FSE)", "us_ofac_non_sdn_other"),
    ("(CAP)", "us_ofac_non_sdn_other"),
)
_CSL_SHORT = {
    "SDN": "us_ofac_sdn",
    "EL": "us_bis_entity_list",
    "MEU": "us_bis_meu",
    "DPL": "us_bis_dpl",
    "UVL": "us_bis_uvl",
    "SSI": "us_ofac_ssi",
    "CMIC": "us_ofac_ns_cmic",
    "ISN": "us_state_isn",
    "DTC": "us_state_dtc",
    "PLC": "us_ofac_non_sdn_other",
    "MBS": "us_ofac_non_sdn_other",
    "FSE": "us_ofac_non_sdn_other",
    "CAP": "us_ofac_non_sdn_other",
}


def _csl_list(source: str) -> str | None:
    for marker, lid in _CSL_LISTS:
        if marker in source:
            return lid
    s = source.strip().upper()
    return _CSL_SHORT.get(s)


def _csl_entry(source_id: str, d: Mapping[str, Any], where: str) -> ListEntry | None:
    src = str(d.get("source") or "")
    lid = _csl_list(src)
    if lid is None:
        return None
    raw_name = str(d.get("name") or "").strip()
    if not raw_name:
        return None
    name, acr, als = split_name(raw_name)
    alt = d.get("alt_names")
    alts = list(alt) if isinstance(alt, list) else list(_split(str(alt or "")))
    addr_raw = d.get("addresses")
    addrs: list[str] = []
    ccs: list[str] = []
    if isinstance(addr_raw, list):
        for a in addr_raw:
            if isinstance(a, dict):
                parts = [
                    str(a.get(k) or "")
                    for k in ("address", "city", "state", "postal_code", "country")
                ]
                addrs.append(", ".join(p for p in parts if p))
                cc = country_code(str(a.get("country") or ""))
                if cc:
                    ccs.append(cc)
            elif isinstance(a, str):
                addrs.append(a)
    else:
        addrs = list(_split(str(addr_raw or "")))
    if not isinstance(addr_raw, list) or not ccs:
        for a in addrs:
            cc = _country_of_address(a)
            if cc:
                ccs.append(cc)
    typ = str(d.get("type") or "").lower()
    schema = {"individual": "person", "entity": "org", "vessel": "other", "aircraft": "other"}.get(
        typ, "unknown"
    )
    progs = d.get("programs")
    programs = tuple(progs) if isinstance(progs, list) else _split(str(progs or ""))
    acr_all = list(acr) + [a for a in alts if looks_like_acronym(a)]
    eid = str(d.get("_id") or d.get("id") or d.get("entity_number") or _id(src, raw_name))
    extra = tuple(
        (k, str(d.get(k)))
        for k in ("license_requirement", "license_policy", "federal_register_notice")
        if d.get(k)
    )
    if schema == "person":
        extra += from_csl_row(d)
    return ListEntry(
        source_id=source_id,
        list_id=lid,
        entry_id=eid,
        name=name,
        schema=schema,
        aliases=tuple(dict.fromkeys([*als, *(a for a in alts if a not in acr_all)])),
        acronyms=tuple(dict.fromkeys(acr_all)),
        countries=tuple(dict.fromkeys(ccs)) if schema != "person" else (),
        addresses=tuple(addrs),
        programs=programs,
        listed_on=str(d.get("start_date") or "") or None,
        ended_on=str(d.get("end_date") or "") or None,
        parents=derive_parents(name) if schema != "person" else (),
        remarks=str(d.get("remarks") or "")[:2000],
        extra=extra,
    )


def load_csl_csv(files: Files, source_id: str) -> ParsedSource:
    fname = next((n for n in files if n.lower().endswith(".csv")), "consolidated.csv")
    text = _text(_require(files, fname, source_id), fname)
    entries: list[ListEntry] = []
    n = 0
    truncated = 0
    for line, d in _dict_rows(text, fname, ("source", "name", "alt_names", "addresses")):
        n += 1
        if not d.get("source_information_url") and not d.get("source_list_url") and line > 2:
            truncated += 1
        e = _csl_entry(source_id, d, f"{fname}:{line}")
        if e is not None:
            entries.append(e)
    notes = (f"{truncated} row(s) look truncated (missing trailing columns)",) if truncated else ()
    return ParsedSource(source_id, tuple(entries), {fname: n}, None, notes)


def load_csl_json(files: Files, source_id: str) -> ParsedSource:
    fname = next((n for n in files if n.lower().endswith(".json")), "consolidated.json")
    data = _json(_require(files, fname, source_id), fname)
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list):
        raise ListFormatError(
            f"{fname}: expected a 'results' array",
            problems=[Problem("no results array", file=fname, field="results")],
        )
    entries = []
    for i, d in enumerate(results):
        if not isinstance(d, dict):
            raise ListFormatError(
                f"{fname}: result {i} is not an object",
                problems=[Problem("not an object", file=fname, field=f"results[{i}]")],
            )
        e = _csl_entry(source_id, d, f"{fname}[{i}]")
        if e is not None:
            entries.append(e)
    published = None
    if isinstance(data, dict):
        for k in ("search_performed_at", "sources_used", "published"):
            v = data.get(k)
            if isinstance(v, str) and re.match(r"\d{4}-\d{2}-\d{2}", v):
                published = v[:10]
        su = data.get("sources_used")
        if isinstance(su, list):
            dates = [
                str(s.get("last_imported") or s.get("source_last_updated") or "")[:10]
                for s in su
                if isinstance(s, dict)
            ]
            dates = [d for d in dates if d]
            if dates:
                published = max(dates)
    return ParsedSource(source_id, tuple(entries), {fname: len(results)}, published)


def _json(data: bytes, fname: str) -> Any:
    from detente._yamlio import LIST_LIMITS, load_json

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(
            f"{fname}: not valid JSON", problems=[Problem(str(exc), file=fname)]
        ) from None
    return load_json(text, fname, ListFormatError, "list file", LIST_LIMITS)


# ---- OpenSanctions transcriptions (1260H, §1286/§889/§5949, MIEU) ----------------------------


def load_os_1260h(files: Files, source_id: str) -> ParsedSource:
    fname = next(iter(files))
    text = _text(files[fname], fname)
    latest: dict[str, ListEntry] = {}
    n = 0
    ended = 0
    for _line, d in _dict_rows(
        text, fname, ("Name", "Clean Name", "Alias", "Parent Name", "Start date", "End date")
    ):
        n += 1
        raw = d["Clean Name"].strip() or d["Name"].strip()
        if not raw:
            continue
        name, acr, als = split_name(raw)
        _, acr2, als2 = split_name(d["Name"])
        alias_cells = [a for a in _split(d.get("Alias")) + _split(d.get("Previous Name")) if a]
        acr_all = tuple(
            dict.fromkeys([*acr, *acr2, *(a for a in alias_cells if looks_like_acronym(a))])
        )
        aliases = tuple(dict.fromkeys([*als, *als2, *(a for a in alias_cells if a not in acr_all)]))
        parent_raw = d.get("Parent Name", "").strip()
        parents = (split_name(parent_raw)[0],) if parent_raw else ()
        e = ListEntry(
            source_id=source_id,
            list_id="us_dod_1260h",
            entry_id=_id("1260h", name),
            name=name,
            schema="org",
            aliases=aliases,
            acronyms=acr_all,
            countries=("CN",),
            programs=("NDAA FY2021 §1260H",),
            listed_on=d.get("Start date") or None,
            ended_on=d.get("End date") or None,
            parents=parents,
            remarks=d.get("Note", ""),
        )
        prev = latest.get(name)
        if prev is None or (e.listed_on or "") >= (prev.listed_on or ""):
            latest[name] = e
    entries = []
    for e in latest.values():
        if e.ended_on:
            # latest listing period ended: kept as history (reported as context, never a hit)
            ended += 1
            e = replace(e, formerly_listed=True)
        entries.append(e)
    notes = (
        (
            f"{ended} names whose latest listing period has an end date are kept as formerly "
            "listed (context only, not screened as hits)",
        )
        if ended
        else ()
    )
    return ParsedSource(source_id, tuple(entries), {fname: n}, None, notes)


def _nkey(raw: str) -> str:
    """A listed name compared across editions: acronym/alias brackets dropped, case folded."""
    return " ".join(split_name(raw)[0].casefold().split())


def _special_list(program: str) -> str | None:
    if "1286" in program:
        return "us_dod_1286"
    if "889" in program:
        return "us_ndaa_889"
    if "5949" in program:
        return "us_ndaa_5949"
    return None


def load_os_special_leg(files: Files, source_id: str) -> ParsedSource:
    rows: dict[str, int] = {}
    entries: list[ListEntry] = []
    notes: list[str] = []
    for fname in sorted(files):
        text = _text(files[fname], fname)
        parsed = list(
            _dict_rows(text, fname, ("schema", "name", "aliases", "program", "report-date"))
        )
        rows[fname] = len(parsed)
        editions = sorted({d["report-date"].strip() for _, d in parsed if d["report-date"].strip()})
        current = editions[-1] if editions else None
        if current and len(editions) > 1:
            notes.append(
                f"{fname}: screening the latest edition ({current}); names only in earlier editions "
                f"({', '.join(editions[:-1])}) or with an end date are kept as formerly listed "
                "(context only)"
            )
        in_current = {
            (_special_list(d["program"]), _nkey(d["name"]))
            for _, d in parsed
            if not current or d["report-date"].strip() == current
        }
        first_seen: dict[tuple[str | None, str], str] = {}
        for _, d in parsed:
            k = (_special_list(d["program"]), _nkey(d["name"]))
            ed = d["report-date"].strip()
            if ed and (k not in first_seen or ed < first_seen[k]):
                first_seen[k] = ed
        former: dict[tuple[str | None, str], ListEntry] = {}
        former_ed: dict[tuple[str | None, str], str] = {}
        for line, d in parsed:
            lid = _special_list(d["program"])
            if lid is None:
                raise ListFormatError(
                    f"{fname}: unknown programme",
                    problems=[Problem(d["program"][:80], file=fname, line=line, field="program")],
                )
            key = (lid, _nkey(d["name"]))
            edition = d["report-date"].strip()
            end = d.get("end-date", "").strip()
            ended_on: str | None = None
            if current and edition != current:
                if key in in_current:
                    continue
                ended_on = end or f"FY{current} edition (absent from it under this name)"
            elif end:
                ended_on = end
            name, acr, als = split_name(d["name"])
            cells = _split(d["aliases"])
            acr_all = tuple(dict.fromkeys([*acr, *(a for a in cells if looks_like_acronym(a))]))
            parents = list(derive_parents(name))
            m = re.search(r"affiliated with ([^;.]+)", d.get("notes", ""), re.I)
            if m:
                parents.append(m.group(1).strip())
            cc = country_code(d.get("country", ""))
            first = first_seen.get(key)
            e = ListEntry(
                source_id=source_id,
                list_id=lid,
                entry_id=_id(lid, name),
                name=name,
                schema="person" if d["schema"].strip().lower() == "person" else "org",
                aliases=tuple(dict.fromkeys([*als, *(a for a in cells if a not in acr_all)])),
                acronyms=acr_all,
                countries=(cc,) if cc else (),
                programs=(d["program"].strip(),),
                listed_on=d.get("start-date")
                or (
                    f"FY{first if ended_on else current} edition"
                    if (first if ended_on else current)
                    else None
                ),
                ended_on=ended_on,
                parents=tuple(dict.fromkeys(parents)),
                remarks=d.get("notes", ""),
                formerly_listed=ended_on is not None,
            )
            if ended_on is None:
                entries.append(e)
            else:
                prev = former.get(key)
                if prev is None or edition >= (former_ed.get(key) or ""):
                    former[key] = e
                    former_ed[key] = edition
        entries.extend(former.values())
    return ParsedSource(source_id, tuple(entries), rows, None, tuple(notes))


def load_os_mieu(files: Files, source_id: str) -> ParsedSource:
    fname = next(iter(files))
    text = _text(files[fname], fname)
    entries = []
    n = 0
    for _line, d in _dict_rows(text, fname, ("Type", "Name", "Alias", "Country", "Date")):
        n += 1
        name, acr, als = split_name(d["Name"])
        cells = _split(d["Alias"])
        acr_all = tuple(dict.fromkeys([*acr, *(a for a in cells if looks_like_acronym(a))]))
        cc = country_code(d["Country"])
        end = d.get("End date", "").strip()
        entries.append(
            ListEntry(
                formerly_listed=bool(end),
                ended_on=end or None,
                source_id=source_id,
                list_id="us_bis_mieu",
                entry_id=_id("mieu", name),
                name=name,
                schema="person" if d["Type"].lower() == "person" else "org",
                aliases=tuple(dict.fromkeys([*als, *(a for a in cells if a not in acr_all)])),
                acronyms=acr_all,
                countries=(cc,) if cc else (),
                programs=(d.get("Program", "").strip() or "US-BIS-MIEU",),
                listed_on=d.get("Date") or None,
                parents=derive_parents(name),
            )
        )
    return ParsedSource(source_id, tuple(entries), {fname: n})


# ---- BIS Entity List extract with raw entry text --------------------------------------------

_ALIAS_INTRO = re.compile(r",?\s*a\.k\.a\.?,?\s*(?:the following\s+\w+\s+alias(?:es)?:)?\s*", re.I)


def parse_el_raw(name: str, raw: str) -> tuple[tuple[str, ...], str]:
    """Aliases and address from an Entity List entry's text."""
    rest = raw[len(name) :] if raw.startswith(name) else raw
    m = _ALIAS_INTRO.search(rest)
    aliases: list[str] = []
    address = rest
    if m and "\u2014" in rest[m.end() :][:5] + rest[m.end() : m.end() + 2]:
        body = rest[m.end() :]
        segs = [s for s in body.split("\u2014") if s.strip()]
        for i, s in enumerate(segs):
            s = s.strip()
            if i == len(segs) - 1:
                cut = re.search(r"\.\s+(?=\S)", s)
                if cut:
                    aliases.append(s[: cut.start()].strip())
                    address = s[cut.end() :]
                else:
                    aliases.append(s.rstrip("."))
                    address = ""
            else:
                aliases.append(re.sub(r"[;,]?\s*(?:and)?\s*$", "", s).strip())
    else:
        address = rest.lstrip(", ")
    return tuple(a for a in aliases if a), address.strip()


def load_el_universities(files: Files, source_id: str) -> ParsedSource:
    fname = next(iter(files))
    data = _json(files[fname], fname)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ListFormatError(
            f"{fname}: expected {{'generatedAt', 'entries': [...]}}",
            problems=[Problem("no entries array", file=fname, field="entries")],
        )
    entries = []
    for i, d in enumerate(data["entries"]):
        if not isinstance(d, dict) or not isinstance(d.get("name"), str):
            raise ListFormatError(
                f"{fname}: entry {i} has no name",
                problems=[Problem("missing name", file=fname, field=f"entries[{i}].name")],
            )
        raw = str(d.get("raw") or d["name"])
        name, acr, als = split_name(d["name"])
        aliases, address = parse_el_raw(d["name"], raw)
        acr_all = tuple(dict.fromkeys([*acr, *(a for a in aliases if looks_like_acronym(a))]))
        cc = _country_of_address(address) if address else None
        if cc is None and re.search(r"\bChina\b", address):
            cc = "CN"
        entries.append(
            ListEntry(
                source_id=source_id,
                list_id="us_bis_entity_list",
                entry_id=_id("el", name),
                name=name,
                schema="org",
                aliases=tuple(dict.fromkeys([*als, *(a for a in aliases if a not in acr_all)])),
                acronyms=acr_all,
                countries=(cc,) if cc else (),
                addresses=(address,) if address else (),
                programs=("EAR Supplement No. 4 to Part 744",),
                parents=derive_parents(name),
                remarks=raw[:2000],
            )
        )
    gen = data.get("generatedAt")
    return ParsedSource(
        source_id, tuple(entries), {fname: len(entries)}, str(gen)[:10] if gen else None
    )


# ---- KAIST multi-list compilation ------------------------------------------------------------

_KAIST_LISTS = {
    "us-bis-entity-list": "us_bis_entity_list",
    "jp-meti-end-user-list": "jp_meti_eul",
    "us-dod-section-1260h": "us_dod_1260h",
    "us-dhs-uflpa": "us_dhs_uflpa",
    "us-dod-section-1286": "us_dod_1286",
    "ca-ised-named-research-organizations": "ca_ised_nro",
    "us-ofac-ns-cmic": "us_ofac_ns_cmic",
    "us-bis-military-end-user-list": "us_bis_meu",
}


def load_kaist(files: Files, source_id: str) -> ParsedSource:
    fname = next(iter(files))
    data = _json(files[fname], fname)
    if not isinstance(data, list):
        raise ListFormatError(
            f"{fname}: expected a JSON array of records",
            problems=[Problem("not an array", file=fname)],
        )
    entries: list[ListEntry] = []
    unknown: set[str] = set()
    for i, rec in enumerate(data):
        try:
            lid_raw = rec["source"]["list_id"]
            names = rec["name"]
            english = str(names.get("english") or "").strip()
        except (KeyError, TypeError, AttributeError):
            raise ListFormatError(
                f"{fname}: record {i} lacks source.list_id or name",
                problems=[Problem("bad record", file=fname, field=f"[{i}]")],
            ) from None
        lid = _KAIST_LISTS.get(lid_raw)
        if lid is None:
            unknown.add(str(lid_raw))
            continue
        if not english:
            continue
        ccs: list[str] = []
        for c in rec.get("countries") or []:
            for part in str(c).split("/"):
                cc = country_code(part)
                if cc:
                    ccs.append(cc)
        native = str(names.get("native") or "").strip()
        korean = str(names.get("korean") or "").strip()
        rid = str(rec.get("id") or _id(lid, english))
        base_aliases = [str(a) for a in rec.get("aliases") or [] if str(a).strip()]
        groups = [g.strip() for g in re.split(r"\s+-\s+", english) if g.strip()]
        head = groups[0]
        select = re.search(r"select affiliates:?$", head, re.I)
        head = re.sub(r",?\s*(?:and|select) affiliates:?$", "", head, flags=re.I).strip()
        common = ListEntry(
            source_id=source_id,
            list_id=lid,
            entry_id=rid,
            name=head,
            countries=tuple(dict.fromkeys(ccs)),
            programs=(str(rec["source"].get("list_name") or lid_raw),),
            remarks=str(rec.get("listing_rationale") or "")
            + (" " + str(rec.get("remarks")) if rec.get("remarks") else ""),
        )
        if select and len(groups) > 1:
            for j, g in enumerate(groups[1:]):
                nm, acr, als = split_name(g)
                entries.append(
                    replace(
                        common,
                        entry_id=f"{rid}#{j + 1}",
                        name=f"{head} - {nm}",
                        acronyms=acr,
                        aliases=(nm, *als),
                        parents=(head,),
                    )
                )
            continue
        nm, acr, als = split_name(head)
        more: list[str] = []
        for g in groups[1:]:
            n2, a2, l2 = split_name(g)
            acr = acr + a2
            more.append(n2)
            more.extend(l2)
        acr_all = tuple(
            dict.fromkeys([*acr, *(a for a in base_aliases + more if looks_like_acronym(a))])
        )
        aliases = tuple(dict.fromkeys(a for a in [*als, *more, *base_aliases] if a not in acr_all))
        entries.append(
            replace(
                common,
                name=nm,
                aliases=aliases,
                acronyms=acr_all,
                native_names=tuple(dict.fromkeys(n for n in (native, korean) if n)),
                parents=derive_parents(nm),
            )
        )
    notes = (f"records of unknown lists skipped: {', '.join(sorted(unknown))}",) if unknown else ()
    ingested = next(
        (
            str(r.get("ingested_at"))[:10]
            for r in data
            if isinstance(r, dict) and r.get("ingested_at")
        ),
        None,
    )
    return ParsedSource(source_id, tuple(entries), {fname: len(data)}, ingested, notes)


# ---- China's measures (OpenSanctions transcription of MOFCOM / MFA / TAO notices) -------------

# The `List` column (the measure) -> registry list id.  A blank measure is an MFA (or TAO)
# decision that names no list: MFA countermeasures before or under the AFSL, or a TAO listing.
_CN_MEASURES: dict[str, str] = {
    "uel": "cn_mofcom_uel",
    "list of export controls": "cn_mofcom_export_control",
    "export control watch list": "cn_mofcom_watch_list",
    "afsl": "cn_afsl_countermeasures",
    "list of targets of countermeasures": "cn_afsl_countermeasures",
    "decision on countermeasures against u.s. military-industry enterprises": (
        "cn_afsl_countermeasures"
    ),
    "decision on countermeasures against u.s. military-industry enterprises and senior managers": (
        "cn_afsl_countermeasures"
    ),
    'diehard "taiwan independence" separatists': "cn_tao_taiwan_independence",
    'henchmen and accomplices of "taiwan independence"': "cn_tao_taiwan_independence",
}
CN_COLUMNS = ("Type", "Name", "Alias", "Chinese name", "Country", "Body", "List", "Date")


def cn_list_for(measure: str, body: str, topics: str) -> str | None:
    """The registry list a row of the China transcription belongs to (None: unknown measure)."""
    m = " ".join(measure.split()).casefold()
    if m:
        return _CN_MEASURES.get(m)
    b = body.casefold()
    if "taiwan" in b:
        return "cn_tao_taiwan_independence"
    if "export.control" in topics:
        return "cn_mofcom_export_control"
    # MFA (or unnamed) countermeasure decisions that name no list
    return "cn_afsl_countermeasures"


def cn_date(raw: str) -> str | None:
    """DD.MM.YY or DD.MM.YYYY -> YYYY-MM-DD (None when blank or not a date)."""
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})", raw.strip())
    if not m:
        return None
    d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
    year = int(y) + 2000 if len(y) == 2 else int(y)
    try:
        from datetime import date as _date

        return _date(year, mo, d).isoformat()
    except ValueError:
        return None


def load_os_cn_sanctions(files: Files, source_id: str) -> ParsedSource:
    """China's UEL, export-control lists, AFSL/MFA countermeasures and TAO lists, one row per
    designation.  Each row keeps its measure (programme), issuing authority, date, end date and
    the official notice URL; a row with an end date is history (formerly listed), never a hit."""
    fname = next(iter(files))
    text = _text(files[fname], fname)
    entries: list[ListEntry] = []
    n = 0
    ended = 0
    unknown: set[str] = set()
    for line, d in _dict_rows(text, fname, CN_COLUMNS):
        n += 1
        raw = d["Name"].strip()
        if not raw:
            raise ListFormatError(
                f"{fname}: a row has no name",
                problems=[Problem("empty Name", file=fname, line=line, field="Name")],
            )
        measure = " ".join(d["List"].split())
        body = " ".join(d["Body"].split())
        lid = cn_list_for(measure, body, d.get("Topics", ""))
        if lid is None:
            unknown.add(measure)
            continue
        raw_date, raw_end = d["Date"].strip(), d.get("End date", "").strip()
        listed = cn_date(raw_date)
        if raw_date and listed is None:
            raise ListFormatError(
                f"{fname}: bad date",
                problems=[
                    Problem(
                        f"{raw_date!r} is not DD.MM.YY or DD.MM.YYYY",
                        file=fname,
                        line=line,
                        field="Date",
                    )
                ],
            )
        end = cn_date(raw_end) if raw_end else None
        if raw_end and end is None:
            raise ListFormatError(
                f"{fname}: bad end date",
                problems=[
                    Problem(
                        f"{raw_end!r} is not DD.MM.YY or DD.MM.YYYY",
                        file=fname,
                        line=line,
                        field="End date",
                    )
                ],
            )
        typ = d["Type"].strip().casefold()
        schema = "person" if typ == "person" else "org"
        name, acr, als = split_name(raw)
        cells = _split(d["Alias"])
        acr_all = tuple(dict.fromkeys([*acr, *(a for a in cells if looks_like_acronym(a))]))
        native = d["Chinese name"].strip()
        cc = country_code(d["Country"]) if d["Country"].strip() else None
        url = d.get("Source URL", "").strip()
        programme = measure or (f"{body} decision (no list named)" if body else "(no list named)")
        extra: list[tuple[str, str]] = [("measure", programme)]
        if body:
            extra.append(("authority", body))
        if url:
            extra.append(("notice_url", url))
        if cc and schema == "person":
            extra.append(("nationality", cc))
        if d.get("QID", "").strip():
            extra.append(("wikidata", d["QID"].strip()))
        if end:
            ended += 1
        entries.append(
            ListEntry(
                source_id=source_id,
                list_id=lid,
                entry_id=_id("cn", lid, name, listed or "", url),
                name=name,
                schema=schema,
                aliases=tuple(dict.fromkeys([*als, *(a for a in cells if a not in acr_all)])),
                acronyms=acr_all,
                native_names=(native,) if native else (),
                countries=(cc,) if cc and schema != "person" else (),
                addresses=(d["Address"].strip(),) if d.get("Address", "").strip() else (),
                programs=(programme,),
                listed_on=listed,
                ended_on=end,
                parents=derive_parents(name) if schema != "person" else (),
                remarks=" ".join(d.get("Summary", "").split())[:2000],
                extra=tuple(extra),
                formerly_listed=end is not None,
            )
        )
    notes: list[str] = []
    if ended:
        notes.append(
            f"{ended} designation(s) with an end date are kept as formerly listed "
            "(context only, never a hit)"
        )
    if unknown:
        notes.append(f"rows of unknown measures skipped: {', '.join(sorted(unknown))}")
    dates = [e.listed_on for e in entries if e.listed_on]
    return ParsedSource(
        source_id, tuple(entries), {fname: n}, max(dates) if dates else None, tuple(notes)
    )


# ---- user CSV --------------------------------------------------------------------------------

USER_CSV_COLUMNS = (
    "name",
    "aliases",
    "name_native",
    "type",
    "country",
    "list",
    "meaning",
    "programme",
    "listed_on",
    "entry_id",
)


def load_user_csv(files: Files, source_id: str) -> ParsedSource:
    rows: dict[str, int] = {}
    entries: list[ListEntry] = []
    for fname in sorted(files):
        text = _text(files[fname], fname)
        n = 0
        for line, d in _dict_rows(text, fname, ("name",)):
            n += 1
            name = d.get("name", "").strip()
            if not name:
                raise ListFormatError(
                    f"{fname}: a row has no name",
                    problems=[Problem("empty name", file=fname, line=line, field="name")],
                )
            typ = d.get("type", "org").strip().lower() or "org"
            if typ not in {"org", "person"}:
                raise ListFormatError(
                    f"{fname}: bad type",
                    problems=[
                        Problem(
                            f"type must be org or person, not {typ!r}",
                            file=fname,
                            line=line,
                            field="type",
                        )
                    ],
                )
            cc_raw = d.get("country", "").strip()
            cc = country_code(cc_raw) if cc_raw else None
            if cc_raw and cc is None:
                raise ListFormatError(
                    f"{fname}: unknown country",
                    problems=[
                        Problem(
                            f"unknown country {cc_raw!r}", file=fname, line=line, field="country"
                        )
                    ],
                )
            cells = _split(d.get("aliases"))
            acr = tuple(a for a in cells if looks_like_acronym(a))
            nat = d.get("name_native", "").strip()
            meaning = d.get("meaning", "").strip()
            entries.append(
                ListEntry(
                    source_id=source_id,
                    list_id="user",
                    entry_id=d.get("entry_id", "").strip() or f"{Path(fname).stem}:{line}",
                    name=name,
                    schema=typ,
                    aliases=tuple(a for a in cells if a not in acr),
                    acronyms=acr,
                    native_names=(nat,) if nat else (),
                    countries=(cc,) if cc and typ == "org" else (),
                    programs=tuple(
                        p for p in (d.get("list", "").strip(), d.get("programme", "").strip()) if p
                    ),
                    listed_on=d.get("listed_on", "").strip() or None,
                    parents=derive_parents(name) if typ == "org" else (),
                    remarks=meaning,
                )
            )
        rows[fname] = n
    return ParsedSource(source_id, tuple(entries), rows)


# ---- detection -------------------------------------------------------------------------------


def detect_source(path: Path) -> str:
    """Which registered source a local file belongs to (by name and content)."""
    name = path.name.lower()
    if name in {"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"}:
        return "ofac_sdn"
    if name.startswith("cons_") and name.endswith(".csv"):
        return "ofac_consolidated"
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ListFormatError(
            f"{path}: cannot read", problems=[Problem(str(exc), file=str(path))]
        ) from None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    first = text.splitlines()[0] if text else ""
    if (name.endswith(".xml") or text.startswith("<")) and "sdnList" in text:
        return "ofac_sdn_xml"
    if first.startswith("_id,source,entity_number"):
        return "trade_gov_csl"
    if first.startswith("Name,Clean Name,Alias"):
        return "dod_1260h"
    if first.startswith("schema,name,aliases,topics,program"):
        rest = head.decode("utf-8", errors="replace")
        return "dod_1286" if "1286" in rest else "ndaa_889_5949"
    if first.startswith("Type,QID,Name,Alias,Chinese name"):
        return "cn_countermeasures"
    if first.startswith("Type,Name,Alias,Country"):
        return "bis_mieu"
    if text.startswith("{") and '"generatedAt"' in text and '"entries"' in text:
        return "bis_entity_list_china_universities"
    if text.startswith("[") and '"list_id"' in text:
        return "kaist_restricted_parties"
    if (text.startswith("{") and '"results"' in text) or (
        text.startswith("[") and '"source"' in text
    ):
        return "trade_gov_csl_json"
    for sid in _plugin_detections(path, head):
        return sid
    cols = [c.strip().lower() for c in first.split(",")]
    if "name" in cols:
        return "user_csv"
    raise ListFormatError(
        f"{path}: cannot tell which list this is; pass --source ID",
        problems=[Problem("unrecognised header or format", file=str(path), line=1)],
    )


def _plugin_detections(path: Path, head: bytes) -> Iterator[str]:
    """Source ids that registered list loaders with a ``detect`` claim for a file."""
    from detente import registry

    for _name, loader in registry.all_of("list_loader"):
        if loader.detect is not None and (sid := loader.detect(path, head)):
            yield sid
