"""Native ingest of papercopilot/paperlists records (not OpenAlex-shaped).

Converted to the OpenAlex shape exactly as the shared data's SOURCE.md describes: authors
are ``author`` split on ``;``; each author's affiliations are ``aff_unique_index[i]`` split
on ``+`` (indexes into ``aff_unique_norm``); each affiliation's country is the parallel
component of ``aff_country_unique_index[i]`` (indexes into ``aff_country_unique``), mapped
from a country name to ISO-3166 alpha-2.  Vague names (Unknown, Europe, …) become null.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from detente.landscape.normalize import BadRecord, invert_abstract

COUNTRY_NAMES: dict[str, str] = {
    "united states": "US",
    "usa": "US",
    "united states of america": "US",
    "us": "US",
    "china": "CN",
    "people's republic of china": "CN",
    "prc": "CN",
    "united kingdom": "GB",
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "germany": "DE",
    "france": "FR",
    "japan": "JP",
    "canada": "CA",
    "australia": "AU",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "korea, republic of": "KR",
    "north korea": "KP",
    "singapore": "SG",
    "switzerland": "CH",
    "israel": "IL",
    "india": "IN",
    "hong kong": "HK",
    "hong kong s.a.r.": "HK",
    "hong kong sar": "HK",
    "taiwan": "TW",
    "taiwan, china": "TW",
    "macau": "MO",
    "macao": "MO",
    "italy": "IT",
    "spain": "ES",
    "portugal": "PT",
    "netherlands": "NL",
    "the netherlands": "NL",
    "belgium": "BE",
    "luxembourg": "LU",
    "austria": "AT",
    "denmark": "DK",
    "sweden": "SE",
    "norway": "NO",
    "finland": "FI",
    "iceland": "IS",
    "ireland": "IE",
    "poland": "PL",
    "czech republic": "CZ",
    "czechia": "CZ",
    "slovakia": "SK",
    "hungary": "HU",
    "romania": "RO",
    "bulgaria": "BG",
    "greece": "GR",
    "cyprus": "CY",
    "malta": "MT",
    "slovenia": "SI",
    "croatia": "HR",
    "serbia": "RS",
    "estonia": "EE",
    "latvia": "LV",
    "lithuania": "LT",
    "ukraine": "UA",
    "belarus": "BY",
    "russia": "RU",
    "russian federation": "RU",
    "turkey": "TR",
    "türkiye": "TR",
    "iran": "IR",
    "iraq": "IQ",
    "israel ": "IL",
    "lebanon": "LB",
    "jordan": "JO",
    "saudi arabia": "SA",
    "united arab emirates": "AE",
    "uae": "AE",
    "qatar": "QA",
    "kuwait": "KW",
    "oman": "OM",
    "bahrain": "BH",
    "egypt": "EG",
    "morocco": "MA",
    "tunisia": "TN",
    "algeria": "DZ",
    "nigeria": "NG",
    "kenya": "KE",
    "ethiopia": "ET",
    "ghana": "GH",
    "south africa": "ZA",
    "rwanda": "RW",
    "uganda": "UG",
    "pakistan": "PK",
    "bangladesh": "BD",
    "sri lanka": "LK",
    "nepal": "NP",
    "vietnam": "VN",
    "viet nam": "VN",
    "thailand": "TH",
    "malaysia": "MY",
    "indonesia": "ID",
    "philippines": "PH",
    "cambodia": "KH",
    "mongolia": "MN",
    "kazakhstan": "KZ",
    "uzbekistan": "UZ",
    "armenia": "AM",
    "georgia": "GE",
    "azerbaijan": "AZ",
    "new zealand": "NZ",
    "brazil": "BR",
    "argentina": "AR",
    "chile": "CL",
    "colombia": "CO",
    "peru": "PE",
    "mexico": "MX",
    "uruguay": "UY",
    "venezuela": "VE",
    "ecuador": "EC",
    "bolivia": "BO",
    "paraguay": "PY",
    "cuba": "CU",
    "costa rica": "CR",
    "panama": "PA",
    "guyana": "GY",
    "jamaica": "JM",
}
VAGUE = {"", "unknown", "europe", "european union", "north america", "international", "global"}


def country_from_name(name: str) -> str | None:
    n = " ".join(name.strip().lower().split())
    if n in VAGUE:
        return None
    return COUNTRY_NAMES.get(n)


def is_paperlists_record(record: Any) -> bool:
    return (
        isinstance(record, dict) and "aff_country_unique" in record and "authorships" not in record
    )


def _split(value: Any, sep: str, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str):
        raise BadRecord("expected text", field)
    return value.split(sep) if value != "" else []


def _index(token: str, items: list[str], field: str) -> str | None:
    token = token.strip()
    if token == "":
        return None
    if not token.isdigit():
        raise BadRecord(f"bad index {token!r}", field)
    i = int(token)
    return items[i] if i < len(items) else None


def paperlists_to_openalex(raw: dict[str, Any]) -> dict[str, Any]:
    """One paperlists record -> an OpenAlex-shaped work (same as the shared derived file)."""
    source_file = raw.get("source_file")
    stem = PurePosixPath(source_file).stem if isinstance(source_file, str) else "unknown"
    authors = [a.strip() for a in _split(raw.get("author"), ";", "author")]
    affs_norm = _split(raw.get("aff_unique_norm"), ";", "aff_unique_norm")
    aff_idx = _split(raw.get("aff_unique_index"), ";", "aff_unique_index")
    countries = _split(raw.get("aff_country_unique"), ";", "aff_country_unique")
    ctry_idx = _split(raw.get("aff_country_unique_index"), ";", "aff_country_unique_index")
    raw_affs = _split(raw.get("aff"), ";", "aff")
    authorships: list[dict[str, Any]] = []
    for i, name in enumerate(authors):
        insts: list[dict[str, Any]] = []
        a_parts = aff_idx[i].split("+") if i < len(aff_idx) else []
        c_parts = ctry_idx[i].split("+") if i < len(ctry_idx) else []
        for j, tok in enumerate(a_parts):
            inst = _index(tok, affs_norm, "aff_unique_index")
            cname = (
                _index(c_parts[j], countries, "aff_country_unique_index")
                if j < len(c_parts)
                else None
            )
            code = country_from_name(cname) if cname is not None else None
            if inst is None and code is None:
                continue
            insts.append(
                {"id": None, "display_name": inst, "ror": None, "country_code": code, "type": None}
            )
        ctry = sorted({x["country_code"] for x in insts if x["country_code"]})
        authorships.append(
            {
                "author_position": "first"
                if i == 0
                else ("last" if i == len(authors) - 1 else "middle"),
                "author": {"id": None, "display_name": name, "orcid": None},
                "institutions": insts,
                "countries": ctry,
                "raw_affiliation_strings": [raw_affs[i].strip()] if i < len(raw_affs) else [],
            }
        )
    abstract = raw.get("abstract")
    title = raw.get("title")
    return {
        "id": f"paperlists:{stem}:{raw.get('id')}",
        "title": title,
        "display_name": title,
        "publication_year": raw.get("year"),
        "type": "article",
        "primary_location": {"source": {"display_name": raw.get("venue"), "type": "conference"}},
        "authorships": authorships,
        "abstract_inverted_index": invert_abstract(abstract)
        if isinstance(abstract, str) and abstract
        else None,
        "keywords": [
            {"display_name": k.strip()}
            for k in _split(raw.get("keywords"), ";", "keywords")
            if k.strip()
        ],
        "primary_topic": None,
        "concepts": [],
        "x_source": {
            "dataset": "papercopilot/paperlists",
            "file": source_file,
            "status": raw.get("status"),
            "track": raw.get("track"),
            "primary_area": raw.get("primary_area"),
        },
    }
