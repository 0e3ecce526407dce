"""Researcher look-back: a person's co-publications with listed institutions, as evidence.

Given a person (ORCID, or a name plus an affiliation), find their works in the look-back window
in a bibliographic source (the landscape DuckDB store, or OpenAlex-shaped JSON Lines), and screen
every co-author's affiliation against the lists **in the edition in force on the publication
date** (see :mod:`.editions`).  Each finding is evidence for review, not a conclusion: the work,
its year, the co-author, the raw affiliation string, the matched entry and edition, whether the
institution was listed then, and two confidences — of the list match (high | possible) and of the
authorship (confirmed by affiliation or identifier | name only).

A name alone never attributes a work to the person: without an ORCID or an affiliation that
agrees, every work is "name only" (its findings are at most possible).  When the same name appears
with several institutions, the report says so and lists them; it never picks one silently.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import orjson
from pydantic import BaseModel, ConfigDict, Field

from detente._gcpause import without_gc
from detente.errors import InputError, RecordFormatError
from detente.packs.checks import CoPublication
from detente.researcher.editions import LIST_NAMES, EditionIndex, norm

DEFAULT_LISTS = ("us_dod_1286", "us_bis_entity_list", "us_dod_1260h")
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


def person_key(name: str) -> str:
    """First and last name tokens, accents and punctuation dropped ("Tim K. Marks" → "tim marks")."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    toks = [t for t in re.split(r"[^\w]+", s) if t]
    if not toks:
        return ""
    return toks[0] if len(toks) == 1 else f"{toks[0]} {toks[-1]}"


@dataclass
class AuthorRec:
    pos: int
    name: str
    author_id: str | None
    orcid: str | None
    institutions: list[tuple[str, str | None]]  # (display name, country)
    raw: list[str]


@dataclass
class WorkRec:
    id: str
    title: str
    year: int | None
    venue: str
    authors: list[AuthorRec] = field(default_factory=list)


class WorkSource(Protocol):
    description: str

    def by_name(self, key: str) -> list[WorkRec]: ...

    def by_orcid(self, orcid: str) -> list[WorkRec]: ...


class RecordsSource:
    """OpenAlex-shaped works in JSON Lines (optionally gzipped), indexed by author name key."""

    @without_gc
    def __init__(self, paths: Sequence[Path]) -> None:
        self.description = "records: " + ", ".join(str(p) for p in paths)
        self._works: list[WorkRec] = []
        self._by_key: dict[str, list[int]] = defaultdict(list)
        self._by_orcid: dict[str, list[int]] = defaultdict(list)
        for p in paths:
            for i, rec in enumerate(self._iter(p), start=1):
                w = self._parse(rec, p, i)
                idx = len(self._works)
                self._works.append(w)
                for a in w.authors:
                    self._by_key[person_key(a.name)].append(idx)
                    if a.orcid:
                        self._by_orcid[a.orcid].append(idx)

    @staticmethod
    def _iter(path: Path) -> Iterator[Any]:
        if not path.is_file():
            raise InputError(f"{path}: no such records file")
        opener: Any = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise RecordFormatError(f"{path}:{n}: not valid JSON ({exc})") from None

    @staticmethod
    def _parse(rec: Any, path: Path, n: int) -> WorkRec:
        if not isinstance(rec, dict):
            raise RecordFormatError(f"{path}:{n}: a work must be a JSON object")
        src = ((rec.get("primary_location") or {}).get("source") or {}).get("display_name") or ""
        w = WorkRec(
            id=str(rec.get("id") or f"{path.name}:{n}"),
            title=str(rec.get("title") or rec.get("display_name") or ""),
            year=rec.get("publication_year")
            if isinstance(rec.get("publication_year"), int)
            else None,
            venue=str(src),
        )
        for pos, a in enumerate(rec.get("authorships") or []):
            au = a.get("author") or {}
            orcid = au.get("orcid")
            m = _ORCID.match(str(orcid)) if orcid else None
            insts = [
                (str(i.get("display_name") or ""), i.get("country_code"))
                for i in a.get("institutions") or []
                if i.get("display_name")
            ]
            w.authors.append(
                AuthorRec(
                    pos=pos,
                    name=str(au.get("display_name") or ""),
                    author_id=au.get("id"),
                    orcid=m.group(1) if m else None,
                    institutions=insts,
                    raw=[str(x) for x in a.get("raw_affiliation_strings") or []],
                )
            )
        return w

    def by_name(self, key: str) -> list[WorkRec]:
        return [self._works[i] for i in dict.fromkeys(self._by_key.get(key, []))]

    def by_orcid(self, orcid: str) -> list[WorkRec]:
        return [self._works[i] for i in dict.fromkeys(self._by_orcid.get(orcid, []))]


class StoreSource:
    """The landscape DuckDB store (read only), through its public tables."""

    def __init__(self, db: Path) -> None:
        from detente.landscape.store import LandscapeStore

        self.description = f"landscape store: {db}"
        self._store = LandscapeStore(db, read_only=True)

    def close(self) -> None:
        self._store.close()

    def _works(self, where: str, arg: str) -> list[WorkRec]:
        con = self._store.con
        keys = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT work_key FROM authorships WHERE {where}", [arg]
            ).fetchall()
        ]
        if not keys:
            return []
        con.register("_keys", __import__("pyarrow").table({"k": keys}))
        try:
            works = con.execute(
                "SELECT w.work_key, w.title, w.year, w.venue FROM works w "
                "SEMI JOIN _keys k ON w.work_key = k.k"
            ).fetchall()
            auth = con.execute(
                "SELECT a.work_key, a.author_pos, a.author_name, a.author_id FROM authorships a "
                "SEMI JOIN _keys k ON a.work_key = k.k ORDER BY a.work_key, a.author_pos"
            ).fetchall()
            aff = con.execute(
                "SELECT f.work_key, f.author_pos, f.inst_name, f.country FROM affiliations f "
                "SEMI JOIN _keys k ON f.work_key = k.k"
            ).fetchall()
        finally:
            con.unregister("_keys")
        insts: dict[tuple[str, int], list[tuple[str, str | None]]] = defaultdict(list)
        for wk, pos, name, cty in aff:
            if name:
                insts[(wk, pos)].append((name, cty))
        out: dict[str, WorkRec] = {
            wk: WorkRec(id=wk.split("#")[0], title=t or "", year=y, venue=v or "")
            for wk, t, y, v in works
        }
        for wk, pos, name, aid in auth:
            ins = insts.get((wk, pos), [])
            out[wk].authors.append(
                AuthorRec(
                    pos=pos,
                    name=name or "",
                    author_id=aid,
                    orcid=None,
                    institutions=ins,
                    raw=[n for n, _ in ins],
                )
            )
        return list(out.values())

    def by_name(self, key: str) -> list[WorkRec]:
        # a coarse SQL filter on the last name, then the exact key in Python
        last = key.split()[-1] if key else ""
        cands = self._works("lower(author_name) LIKE ?", f"%{last}%")
        return [w for w in cands if any(person_key(a.name) == key for a in w.authors)]

    def by_orcid(self, orcid: str) -> list[WorkRec]:
        return self._works("author_id LIKE ?", f"%{orcid}%")


# -- results -----------------------------------------------------------------------------------


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Finding(_M):
    work_id: str
    title: str
    year: int
    venue: str
    coauthor: str
    affiliation: str = Field(description="The co-author's institution as recorded")
    raw_affiliation: str = Field(description="The raw affiliation string printed on the work")
    country: str | None
    list_id: str
    list_name: str
    entry_name: str
    edition: str
    date_basis: str
    in_force_on_publication: bool | None = Field(
        description="Listed during the whole publication year (True), not yet / no longer (False), "
        "cannot tell (None: the source gives no date, or the listing began that year)"
    )
    match_confidence: str = Field(description="high (name or alias equal) | possible")
    attribution: str = Field(
        description="confirmed (affiliation or ORCID agrees) | linked (same group of works as a "
        "confirmed one) | name_only"
    )
    candidate: int = Field(1, description="The candidate identity (group of works) it belongs to")

    @property
    def confidence(self) -> str:
        if (
            self.match_confidence == "high"
            and self.attribution == "confirmed"
            and self.in_force_on_publication
        ):
            return "high"
        return "possible"

    def to_copublication(self, person: str) -> CoPublication:
        return CoPublication(
            person=person,
            work_id=self.work_id,
            title=self.title,
            year=self.year,
            venue=self.venue,
            coauthor=self.coauthor,
            affiliation=self.affiliation,
            raw_affiliation=self.raw_affiliation,
            country=self.country,
            list_id=self.list_id,
            list_name=self.list_name,
            entry_name=self.entry_name,
            edition=self.edition,
            in_force_on_publication=self.in_force_on_publication,
            confidence=self.confidence,
            attribution=self.attribution,
        )


class Candidate(_M):
    """A group of works under the name that share an own affiliation or a co-author."""

    id: int
    affiliations: list[str]
    works: int
    years: str


class LookbackReport(_M):
    query: str
    orcid: str | None
    affiliation: str | None
    as_of: date
    years: int
    window: str
    source: str
    lists: list[str]
    lists_not_loaded: list[str]
    candidates: list[Candidate] = Field(
        description="Groups of works under this name (possibly different people)"
    )
    common_name: bool
    works_found: int
    works_attributed: int
    works_in_window: int
    findings: list[Finding]
    notes: list[str]

    def copublications(self, person: str) -> list[CoPublication]:
        return [f.to_copublication(person) for f in self.findings]


def _aff_agrees(wanted: str, insts: Iterable[tuple[str, str | None]], raw: Iterable[str]) -> bool:
    from rapidfuzz import fuzz

    w = norm(wanted)
    if not w:
        return False
    for name in [n for n, _ in insts] + list(raw):
        n = norm(name)
        if not n:
            continue
        if w == n or f" {w} " in f" {n} " or fuzz.token_set_ratio(w, n) >= 95:
            return True
    return False


def lookback(
    source: WorkSource,
    index: EditionIndex | None,
    *,
    name: str | None = None,
    orcid: str | None = None,
    affiliation: str | None = None,
    as_of: date,
    years: int = 5,
    lists: Sequence[str] = DEFAULT_LISTS,
) -> LookbackReport:
    """Find the person's works in [as_of - years, as_of] and screen co-authors' affiliations."""
    if not name and not orcid:
        raise InputError("give a name or an ORCID")
    if orcid:
        m = _ORCID.match(orcid.strip())
        if not m:
            raise InputError(f"ORCID {orcid!r} is not of the form 0000-0000-0000-0000")
        orcid = m.group(1)
    if years < 1 or years > 50:
        raise InputError("--years must be between 1 and 50")
    notes: list[str] = []
    key = person_key(name) if name else ""
    works: list[WorkRec] = []
    by_id = False
    if orcid:
        works = source.by_orcid(orcid)
        by_id = bool(works)
        if not works:
            notes.append(
                f"No work in the source carries ORCID {orcid}; "
                + ("falling back to the name." if name else "give a name as well.")
            )
    if not works and key:
        works = source.by_name(key)

    def me(w: WorkRec) -> list[AuthorRec]:
        if by_id:
            return [a for a in w.authors if a.orcid == orcid]
        return [a for a in w.authors if person_key(a.name) == key]

    # candidate identities: works under this name linked by a shared own affiliation or co-author
    recs = [(w, me(w)) for w in works]
    recs = [(w, m) for w, m in recs if m]
    parent = list(range(len(recs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first: dict[str, int] = {}
    for i, (w, mine) in enumerate(recs):
        mine_pos = {a.pos for a in mine}
        links = [f"aff:{norm(n)}" for a in mine for n, _ in a.institutions if norm(n)]
        links += [f"co:{person_key(c.name)}" for c in w.authors if c.pos not in mine_pos and c.name]
        for k in links:
            union(i, first.setdefault(k, i))
    comps: dict[int, list[int]] = defaultdict(list)
    for i in range(len(recs)):
        comps[find(i)].append(i)
    order = sorted(comps.values(), key=lambda ix: (-len(ix), ix[0]))
    comp_of = {i: n for n, ix in enumerate(order, start=1) for i in ix}
    candidates = []
    for n, ix in enumerate(order, start=1):
        affs = Counter(
            inst for i in ix for a in recs[i][1] for inst, _ in a.institutions
        ) or Counter({"(no affiliation recorded)": len(ix)})
        ys = [y for i in ix if (y := recs[i][0].year)]
        candidates.append(
            Candidate(
                id=n,
                affiliations=[a for a, _ in affs.most_common(5)],
                works=len(ix),
                years=f"{min(ys)}–{max(ys)}" if ys else "?",
            )
        )
    common = len(order) > 1 and not by_id
    chosen: set[int] | None = None
    agree: set[int] = set()
    if affiliation and not by_id:
        agree = {
            i
            for i, (_w, mine) in enumerate(recs)
            if any(_aff_agrees(affiliation, a.institutions, a.raw) for a in mine)
        }
        chosen = {comp_of[i] for i in agree}
        if not agree:
            notes.append(
                f"No work under this name lists an affiliation agreeing with '{affiliation}': nothing attributed."
            )
    if common:
        notes.append(
            f"Common name: '{name}' belongs to {len(order)} groups of works that share no affiliation or "
            "co-author (possibly different people)"
            + (
                "; only the group(s) where your affiliation agrees are used."
                if affiliation
                else "; all are shown by name only. Give --affiliation or an ORCID to choose."
            )
        )
    lo_year = as_of.year - years
    window = f"{lo_year}–{as_of.year} (publication years; the source gives years, not dates)"
    idx_lists = [x for x in lists if index is not None and index.available(x)]
    missing = [x for x in lists if x not in idx_lists]
    if missing:
        notes.append("Lists not loaded (not checked, not clean): " + ", ".join(missing))
    findings: list[Finding] = []
    attributed = 0
    in_window = 0
    for i, (w, mine) in enumerate(recs):
        cand = comp_of[i]
        if by_id:
            attribution = "confirmed"
        elif chosen is not None:
            if cand not in chosen:
                continue
            attribution = "confirmed" if i in agree else "linked"
        else:
            attribution = "name_only"
        attributed += 1
        if w.year is None or not (lo_year <= w.year <= as_of.year):
            continue
        in_window += 1
        if index is None:
            continue
        mine_pos = {a.pos for a in mine}
        y0, y1 = date(w.year, 1, 1), date(w.year, 12, 31)
        for co in w.authors:
            if co.pos in mine_pos:
                continue
            strings = list(dict.fromkeys(co.raw + [n for n, _ in co.institutions]))
            seen: set[tuple[str, str]] = set()
            for s in strings:
                for li, _seg, conf, _score in index.match(s, idx_lists):
                    lk = (li.list_id, norm(li.name))
                    if lk in seen:
                        continue
                    seen.add(lk)
                    inst = next(
                        (n for n, _ in co.institutions if index.match(n, [li.list_id])), None
                    )
                    cty = (
                        next((c for n, c in co.institutions if n == inst), None)
                        if inst
                        else (co.institutions[0][1] if co.institutions else None)
                    )
                    findings.append(
                        Finding(
                            work_id=w.id,
                            title=w.title,
                            year=w.year,
                            venue=w.venue,
                            coauthor=co.name,
                            affiliation=inst or (co.institutions[0][0] if co.institutions else s),
                            raw_affiliation=s,
                            country=cty,
                            list_id=li.list_id,
                            list_name=LIST_NAMES.get(li.list_id, li.list_id),
                            entry_name=li.name,
                            edition=li.edition,
                            date_basis=li.date_basis,
                            in_force_on_publication=li.state_on(y0, y1),
                            match_confidence=conf,
                            attribution=attribution,
                            candidate=cand,
                        )
                    )
    # one finding per (work, co-author, list): the listing most clearly in force, then the best match
    best: dict[tuple[str, str, str], Finding] = {}
    rank = {True: 0, None: 1, False: 2}
    for f in findings:
        fk = (f.work_id, f.coauthor, f.list_id)
        cur = best.get(fk)
        if cur is None or (rank[f.in_force_on_publication], f.match_confidence != "high") < (
            rank[cur.in_force_on_publication],
            cur.match_confidence != "high",
        ):
            best[fk] = f
    findings = sorted(best.values(), key=lambda f: (-f.year, f.work_id, f.list_id, f.coauthor))
    if not works:
        notes.append(
            "No work found under this name or identifier in the source (not found is not clean: the source may not cover the person)."
        )
    elif not affiliation and not by_id:
        notes.append(
            "No affiliation or ORCID given: every work is attributed by name only (possible, to confirm)."
        )
    notes.append("Each finding is evidence for review, not a conclusion.")
    return LookbackReport(
        query=name or orcid or "",
        orcid=orcid,
        affiliation=affiliation,
        as_of=as_of,
        years=years,
        window=window,
        source=source.description,
        lists=idx_lists,
        lists_not_loaded=missing,
        candidates=candidates,
        common_name=common,
        works_found=len(works),
        works_attributed=attributed,
        works_in_window=in_window,
        findings=findings,
        notes=notes,
    )


def summary(report: LookbackReport) -> dict[str, int]:
    c = Counter(f.list_id for f in report.findings if f.in_force_on_publication is not False)
    return dict(sorted(c.items()))


class ScanRow(_M):
    author: str
    author_affiliation: str
    work_id: str
    year: int
    coauthor: str
    raw_affiliation: str
    list_id: str
    entry_name: str
    in_force_on_publication: bool | None
    match_confidence: str


def scan_copublications(
    source: RecordsSource,
    index: EditionIndex,
    *,
    since: int = 2020,
    country: str = "US",
    lists: Sequence[str] = DEFAULT_LISTS,
) -> list[ScanRow]:
    """Every (author affiliated in *country*, co-author at a listed institution) pair since *since*."""
    cache: dict[str, list[tuple[Any, str, str, float]]] = {}
    rows: list[ScanRow] = []
    for w in source._works:
        if w.year is None or w.year < since:
            continue
        home = [a for a in w.authors if any(c == country for _, c in a.institutions)]
        if not home:
            continue
        home_pos = {a.pos for a in home}
        y0, y1 = date(w.year, 1, 1), date(w.year, 12, 31)
        for co in w.authors:
            if co.pos in home_pos:
                continue
            for s in dict.fromkeys(co.raw + [n for n, _ in co.institutions]):
                if s not in cache:
                    cache[s] = index.match(s, lists)
                for li, _seg, conf, _score in cache[s]:
                    for a in home:
                        rows.append(
                            ScanRow(
                                author=a.name,
                                author_affiliation=next(
                                    n for n, c in a.institutions if c == country
                                ),
                                work_id=w.id,
                                year=w.year,
                                coauthor=co.name,
                                raw_affiliation=s,
                                list_id=li.list_id,
                                entry_name=li.name,
                                in_force_on_publication=li.state_on(y0, y1),
                                match_confidence=conf,
                            )
                        )
    return rows
