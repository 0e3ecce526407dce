"""Restricted lists as dated editions: who was listed when (for "the edition in force on a date").

The screening index keeps the current listing (and former ones as history); the look-back and the
rule packs need more: whether an institution was on a list *on the publication date of a work*.
This module reads the list files the sources publish, keeping every dated edition the source
gives:

* §1286 (``us_dod_1286``): one block per fiscal-year edition; each edition is in force from its
  publication date (taken from the official PDF's address where it carries one) until the next
  edition; a name absent from a later edition stops being listed then;
* §1260H (``us_dod_1260h``): start and end dates per designation;
* China's measures (``cn_uel``, ``cn_countermeasures``, ``cn_export_control``): a date per designation;
* Entity List universities (``us_bis_entity_list``) and Canada's NRO list (``ca_ised_nro``):
  the files carry no listing dates, so an entry is known to be listed only at the snapshot date;
  before it, "in force on the publication date" is *unknown*, never assumed.

Name matching is deliberately simple and explained: an affiliation is split into segments
(commas, brackets, semicolons); a segment (or two adjacent segments joined, either order) equal
to a listed name or alias after normalisation is a *high*-confidence match; a listed acronym,
or a near-identical spelling (rapidfuzz ratio ≥ 94), is a *possible* match for a person to confirm.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from detente.packs.checks import ListHit

LIST_NAMES = {
    "us_dod_1286": "DoD §1286 list",
    "us_dod_1260h": "DoD §1260H list",
    "us_bis_entity_list": "BIS Entity List",
    "ca_ised_nro": "Canada Named Research Organizations",
    "cn_uel": "China Unreliable Entity List",
    "cn_countermeasures": "China countermeasure lists (AFSL, MFA decisions)",
    "cn_export_control": "China export-control control/watch lists",
}

# §1286 editions: publication date (lower bound, upper bound) and how it is known.
_1286_DATES: dict[str, tuple[date, date, str]] = {
    "2022": (
        date(2023, 6, 29),
        date(2023, 6, 29),
        "FY22 lists published with the DoD package of 29 Jun 2023",
    ),
    "2023": (
        date(2024, 7, 1),
        date(2024, 7, 31),
        "FY23 list: July 2024 (month from the official PDF's address)",
    ),
    "2024": (
        date(2024, 7, 31),
        date(2026, 7, 1),
        "FY24 list: publication date not in the source (between the FY23 and FY25 lists)",
    ),
    "2025": (
        date(2026, 7, 1),
        date(2026, 7, 31),
        "FY25 list: July 2026 (month from the official PDF's address)",
    ),
}
EL_SNAPSHOT = date(2026, 3, 30)
NRO_PUBLISHED = date(2024, 1, 16)
_STOP = {"the"}


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold().replace("&", " and ").replace("’", "'")
    s = re.sub(r"\bs\s*and\s*t\b", "science and technology", s)
    s = re.sub(r"\buniv\b\.?", "university", s)
    s = re.sub(r"[^\w]+", " ", s)
    toks = [t for t in s.split() if t not in _STOP]
    return " ".join(toks)


_SEG = re.compile(r"[,;()\[\]|/+]|\s[–—-]\s|\s[–—]|[–—]\s")


def segments(affiliation: str) -> list[str]:
    """Normalised segments of an affiliation, plus adjacent pairs joined (both orders)."""
    parts = [norm(p) for p in _SEG.split(affiliation)]
    parts = [p for p in parts if p]
    out = list(parts)
    for a, b in itertools.pairwise(parts):
        out += [f"{a} {b}", f"{b} {a}"]
    whole = norm(affiliation)
    if whole and whole not in out:
        out.append(whole)
    return list(dict.fromkeys(out))


_CORP = re.compile(
    r"\b(?:holdings?|group|limited|ltd|inc|incorporated|co|company|corp|corporation|plc|llc)\b"
)


def core(n: str) -> str:
    """A normalised company name without legal-form words ("alibaba group holding limited" → "alibaba")."""
    c = " ".join(_CORP.sub(" ", n).split())
    return c if c != n and len(c) >= 4 else ""


@dataclass(frozen=True)
class Listing:
    """One listed name with the period it is known to be listed."""

    list_id: str
    name: str
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...]
    countries: tuple[str, ...]
    start: date | None  # certainly listed from (None: not known before `known_on`)
    start_latest: date | None  # listed at the latest from (uncertain start between the two)
    end: date | None  # no longer listed from
    known_on: date  # a date on which the listing is attested
    edition: str
    date_basis: str

    def state_on(self, lo: date, hi: date | None = None) -> bool | None:
        """Listed on the whole period [lo, hi]? True / False / None (cannot tell)."""
        hi = hi or lo
        if self.end is not None and self.end <= lo:
            return False
        if self.start is None:
            return True if lo >= self.known_on else None
        latest = self.start_latest or self.start
        if latest <= lo and (self.end is None or self.end > hi):
            return True
        if self.start > hi:
            return False
        return None


def _acronyms(name: str) -> tuple[tuple[str, ...], str]:
    acr = tuple(a for a in re.findall(r"\(([A-Z][A-Z0-9\-]{1,9})\)", name))
    base = re.sub(r"\s*\(([A-Z][A-Z0-9\-]{1,9})\)", "", name).strip()
    return acr, base


def _split_aliases(v: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in re.split(r";", v or "") if x.strip())


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig")


def _dmy(v: str) -> date | None:
    v = (v or "").strip()
    for fmt in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"):
        try:
            from datetime import datetime

            return datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    return None


def load_1286(path: Path) -> list[Listing]:
    rows = list(csv.DictReader(io.StringIO(_read(path))))
    editions = sorted({r["report-date"].strip() for r in rows if r["report-date"].strip()})
    by_name: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for r in rows:
        by_name[norm(_acronyms(r["name"].strip())[1])][r["report-date"].strip()] = r
    out: list[Listing] = []
    for _key, eds in by_name.items():
        present = [e for e in editions if e in eds]
        # contiguous runs of editions give listing periods
        runs: list[list[str]] = []
        for e in present:
            if runs and editions.index(e) == editions.index(runs[-1][-1]) + 1:
                runs[-1].append(e)
            else:
                runs.append([e])
        for run in runs:
            first, last = run[0], run[-1]
            r = eds[last]
            lo, hi, basis = _1286_DATES.get(first, (None, None, f"FY{first} edition: date unknown"))
            nxt = editions.index(last) + 1
            end = (
                _1286_DATES[editions[nxt]][0]
                if nxt < len(editions) and editions[nxt] in _1286_DATES
                else None
            )
            end_txt = r.get("end-date", "").strip()
            if end_txt:
                end = _dmy(end_txt) or end
            acr, base = _acronyms(r["name"].strip())
            aliases = _split_aliases(r.get("aliases", ""))
            out.append(
                Listing(
                    list_id="us_dod_1286",
                    name=base,
                    aliases=tuple(
                        a for a in aliases if not re.fullmatch(r"[A-Z][A-Z0-9\-]{1,9}", a)
                    ),
                    acronyms=acr
                    + tuple(a for a in aliases if re.fullmatch(r"[A-Z][A-Z0-9\-]{1,9}", a)),
                    countries=tuple(x for x in [r.get("country", "").strip().upper()] if x),
                    start=lo,
                    start_latest=hi,
                    end=end,
                    known_on=hi or date.max,
                    edition=f"§1286 FY{first}"
                    + (f"–FY{last}" if last != first else "")
                    + " edition(s)",
                    date_basis=basis,
                )
            )
    return out


def load_1260h(path: Path) -> list[Listing]:
    out = []
    for r in csv.DictReader(io.StringIO(_read(path))):
        name = (r.get("Clean Name") or r.get("Name") or "").strip().rstrip("*")
        if not name:
            continue
        start = _dmy(r.get("Start date", ""))
        end = _dmy(r.get("End date", ""))
        aliases = tuple(
            a
            for a in [
                *_split_aliases(r.get("Alias", "")),
                *_split_aliases(r.get("Previous Name", "")),
            ]
        )
        acr = tuple(a for a in aliases if re.fullmatch(r"[A-Z0-9][A-Z0-9\-]{1,9}", a))
        out.append(
            Listing(
                list_id="us_dod_1260h",
                name=name,
                aliases=tuple(a for a in aliases if a not in acr),
                acronyms=acr,
                countries=("CN",),
                start=start,
                start_latest=start,
                end=end,
                known_on=start or date.max,
                edition=f"§1260H list, designated {start or 'date unknown'}"
                + (f", until {end}" if end else ""),
                date_basis="start and end dates given by the list",
            )
        )
    return out


_AKA = re.compile(
    r"a\.k\.a\.,?\s+the following [\w-]+ alias(?:es)?:\s*(.*?)(?:\.\s+[A-Z0-9]|$)", re.S
)


def load_el_universities(path: Path) -> list[Listing]:
    data = json.loads(_read(path))
    snap = str(data.get("generatedAt", ""))[:10]
    known = date.fromisoformat(snap) if snap else EL_SNAPSHOT
    out = []
    for e in data.get("entries", []):
        raw = str(e.get("raw", ""))
        acr, base = _acronyms(str(e["name"]))
        aliases: list[str] = []
        m = _AKA.search(raw)
        if m:
            for a in re.split(r";\s*(?:and\s*)?|\s+and\s+(?=—)", m.group(1)):
                a = a.strip().lstrip("—").strip().rstrip(".")
                if a:
                    aliases.append(a)
        out.append(
            Listing(
                list_id="us_bis_entity_list",
                name=base,
                aliases=tuple(aliases),
                acronyms=acr,
                countries=("CN",),
                start=None,
                start_latest=None,
                end=None,
                known_on=known,
                edition=f"Entity List (Supp. 4 to Part 744), snapshot {known}",
                date_basis="the source gives no listing date: listed on the snapshot date; earlier unknown",
            )
        )
    return out


_CN_LIST = {
    "UEL": "cn_uel",
    "List of Export Controls": "cn_export_control",
    "Export Control Watch List": "cn_export_control",
}


def load_cn(path: Path) -> list[Listing]:
    out = []
    for r in csv.DictReader(io.StringIO(_read(path))):
        lst = r.get("List", "").strip()
        list_id = _CN_LIST.get(lst)
        if list_id is None:
            if "Taiwan" in lst:
                continue
            list_id = "cn_countermeasures"
        start = _dmy(r.get("Date", ""))
        end = _dmy(r.get("End date", ""))
        aliases = _split_aliases(r.get("Alias", "")) + tuple(
            x for x in [r.get("Chinese name", "").strip()] if x
        )
        out.append(
            Listing(
                list_id=list_id,
                name=r["Name"].strip(),
                aliases=aliases,
                acronyms=(),
                countries=tuple(x for x in [r.get("Country", "").strip().upper()] if x),
                start=start,
                start_latest=start,
                end=end,
                known_on=start or date.max,
                edition=f"{lst or r.get('Body', '').strip() or 'countermeasure'}, designated {start or 'date unknown'}",
                date_basis=f"designation date in the notice ({r.get('Source URL', '').strip()})",
            )
        )
    return out


def load_nro(path: Path) -> list[Listing]:
    out = []
    for r in json.loads(_read(path)):
        src = r.get("source") or {}
        if src.get("list_id") != "ca-ised-named-research-organizations":
            continue
        nm = r.get("name") or {}
        acr, base = _acronyms(str(nm.get("english", "")))
        out.append(
            Listing(
                list_id="ca_ised_nro",
                name=base,
                aliases=tuple(str(a) for a in r.get("aliases") or []),
                acronyms=acr,
                countries=(),
                start=NRO_PUBLISHED,
                start_latest=NRO_PUBLISHED,
                end=None,
                known_on=NRO_PUBLISHED,
                edition="Named Research Organizations list (first published 16 Jan 2024)",
                date_basis="first publication of the list; later additions not dated in the source",
            )
        )
    return out


def default_lists_dir() -> Path | None:
    env = os.environ.get("DETENTE_LISTS_DIR")
    if env:
        return Path(env)
    shared = os.environ.get("DETENTE_SHARED")
    if shared and (Path(shared) / "data" / "lists").is_dir():
        return Path(shared) / "data" / "lists"
    return None


_FILES: tuple[tuple[str, tuple[str, ...], object], ...] = (
    ("dod_1286/section_1286.csv", ("us_dod_1286",), load_1286),
    ("dod_1260h/sanctions.csv", ("us_dod_1260h",), load_1260h),
    ("bis_entity_list_china_universities/data.json", ("us_bis_entity_list",), load_el_universities),
    (
        "cn_countermeasures/sanctions.csv",
        ("cn_uel", "cn_countermeasures", "cn_export_control"),
        load_cn,
    ),
    ("kaist_restricted_parties/restricted_parties.json", ("ca_ised_nro",), load_nro),
)


_COMPANY_LISTS = {"us_dod_1260h", "cn_uel", "cn_countermeasures", "cn_export_control"}


class EditionIndex:
    """Dated listings by list, with name look-up (implements packs.checks.ListLookup)."""

    def __init__(self, listings: Iterable[Listing], loaded: Iterable[str], sources: dict[str, str]):
        self.listings = list(listings)
        self.loaded = set(loaded)
        self.sources = sources
        self._exact: dict[str, list[int]] = defaultdict(list)
        self._acr: dict[str, list[int]] = defaultdict(list)
        self._core: dict[str, list[int]] = defaultdict(list)
        self._names: list[tuple[str, int]] = []
        for i, li in enumerate(self.listings):
            for n in (li.name, *li.aliases):
                k = norm(n)
                if k:
                    self._exact[k].append(i)
                    self._names.append((k, i))
                    if li.list_id in _COMPANY_LISTS and core(k):
                        self._core[core(k)].append(i)
            for a in li.acronyms:
                self._acr[a.casefold()].append(i)

    @classmethod
    def from_dir(cls, root: Path, lists: Sequence[str] | None = None) -> EditionIndex:
        listings: list[Listing] = []
        loaded: list[str] = []
        sources: dict[str, str] = {}
        for rel, ids, fn in _FILES:
            if lists is not None and not set(ids) & set(lists):
                continue
            p = root / rel
            if not p.is_file():
                continue
            got = fn(p)  # type: ignore[operator]
            listings.extend(got)
            loaded.extend(ids)
            for i in ids:
                sources[i] = str(p)
        return cls(listings, loaded, sources)

    def available(self, list_id: str) -> bool:
        return list_id in self.loaded

    def match(
        self, affiliation: str, lists: Sequence[str] | None = None
    ) -> list[tuple[Listing, str, str, float]]:
        """(listing, matched segment, confidence high|possible, score) for an affiliation string."""
        from rapidfuzz import fuzz

        want = set(lists) if lists else None
        out: dict[int, tuple[str, str, float]] = {}
        segs = segments(affiliation)
        for s in segs:
            for i in self._exact.get(s, ()):
                out[i] = (s, "high", 1.0)
        for s in segs:
            for i in self._core.get(core(s) or s, ()):
                if i not in out:
                    out[i] = (s, "high", 0.97)
        raw_parts = [p.strip() for p in _SEG.split(affiliation) if p.strip()]
        for p in raw_parts:
            for i in self._acr.get(p.casefold(), ()):
                if i not in out and p.isupper():
                    out[i] = (p, "possible", 0.9)
        if not out:
            for s in segs:
                if len(s) < 12:
                    continue
                for k, i in self._names:
                    if i in out or abs(len(k) - len(s)) > 6:
                        continue
                    r = fuzz.ratio(s, k)
                    if r >= 94:
                        out[i] = (s, "possible", r / 100)
        res = []
        for i, (seg, conf, score) in out.items():
            li = self.listings[i]
            if want is None or li.list_id in want:
                res.append((li, seg, conf, score))
        res.sort(key=lambda x: (x[2] != "high", -x[3], x[0].list_id, x[0].name))
        return res

    def lookup(
        self, name: str, *, lists: Sequence[str], on: date, country: str | None = None
    ) -> list[ListHit]:
        hits = []
        for li, _seg, conf, score in self.match(name, lists):
            state = li.state_on(on)
            if state is False:
                continue
            hits.append(
                ListHit(
                    list_id=li.list_id,
                    list_name=LIST_NAMES.get(li.list_id, li.list_id),
                    entry_name=li.name,
                    matched_name=name,
                    edition=li.edition,
                    listed_on=str(li.start) if li.start else None,
                    confirmed=conf == "high" and state is True,
                    score=score,
                    basis=li.date_basis
                    if state
                    else f"{li.date_basis} (listed on {on}: cannot tell)",
                )
            )
        return hits


@lru_cache(maxsize=4)
def edition_index(root: str | None = None) -> EditionIndex | None:
    """The index of the list files under *root* (default: $DETENTE_LISTS_DIR); None if absent."""
    path = Path(root) if root else default_lists_dir()
    if path is None or not path.is_dir():
        return None
    return EditionIndex.from_dir(path)
