"""Identifiers of listed people (birth dates, nationalities, passports, ...) and their comparison.

A name match alone never confirms that a listed person is the person screened.  The lists
publish identifiers that let a reviewer tell people apart: OFAC SDN remarks carry ``DOB``,
``POB``, ``nationality``, ``citizen`` and ``Passport``; the trade.gov Consolidated Screening
List has ``dates_of_birth``, ``nationalities``, ``citizenships`` and ``ids``.  Loaders keep
them in :attr:`ListEntry.extra` under the keys below (one pair per value); this module reads
them back, with a fall-back parse of the remarks for indexes built before loaders kept them.

Nationality is used ONLY as an identifier to compare with the listed person's own, never as a
risk signal: a person's nationality is never screened on its own and never raises anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from detente.screening.normalize import country_code

DOB = "dob"
POB = "pob"
NATIONALITY = "nationality"
CITIZENSHIP = "citizenship"
PASSPORT = "passport"
IDENT = "id"  # "<type>: <value>"

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_D_MON_Y = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})\b")
_MON_Y = re.compile(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def normalise_date(text: str) -> list[str]:
    """ISO dates (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) in a list's date text.

    ``"10 Dec 1948"`` -> ``["1948-12-10"]``; ``"circa 1960"`` -> ``["1960"]``;
    ``"1955 to 1957"`` -> ``["1955", "1957"]``; ``"1970-01-02"`` -> ``["1970-01-02"]``.
    """
    t = text.strip()
    out: list[str] = []
    for m in _D_MON_Y.finditer(t):
        mon = _MONTHS.get(m.group(2).lower())
        if mon:
            out.append(f"{m.group(3)}-{mon:02d}-{int(m.group(1)):02d}")
    if out:
        return out
    for m in _MON_Y.finditer(t):
        mon = _MONTHS.get(m.group(1).lower())
        if mon:
            out.append(f"{m.group(2)}-{mon:02d}")
    if out:
        return out
    for m in _ISO.finditer(t):
        y, mo, d = m.groups()
        if not ("1800" <= y <= "2100"):
            continue
        out.append(y + (f"-{mo}" if mo else "") + (f"-{d}" if mo and d else ""))
    return out


# OFAC remark fields: "DOB 10 Dec 1948; alt. DOB 1949; POB Giza, Egypt; nationality Iran;
# citizen Iran; Passport 1084010 (Egypt); National ID No. 123 (Iran); Gender Male."
_REMARK = re.compile(
    r"(?:^|;)\s*(?:alt\.\s*)?(DOB|POB|nationality|citizen|Passport|National ID No\.|"
    r"Cedula No\.|Identification Number|Tax ID No\.)\s+([^;]+)",
    re.IGNORECASE,
)


def from_ofac_remarks(remarks: str) -> tuple[tuple[str, str], ...]:
    """Identifier pairs in an OFAC remarks text (kept as the list states them, dates in ISO)."""
    out: list[tuple[str, str]] = []
    for m in _REMARK.finditer(remarks):
        kind = m.group(1).lower()
        val = m.group(2).strip().rstrip(".").strip()
        if not val:
            continue
        if kind == "dob":
            out += [(DOB, d) for d in normalise_date(val)]
        elif kind == "pob":
            out.append((POB, val))
        elif kind in {"nationality", "citizen"}:
            cc = country_code(val)
            if cc:
                out.append((NATIONALITY if kind == "nationality" else CITIZENSHIP, cc))
        elif kind == "passport":
            out.append((PASSPORT, _id_value(val)))
        else:
            out.append((IDENT, f"{kind.rstrip('.')}: {_id_value(val)}"))
    return tuple(dict.fromkeys(out))


def _id_value(val: str) -> str:
    """The number of "1084010 (Egypt) issued 1990" -> ``1084010`` (upper case, no spaces)."""
    head = re.split(r"\s*\(|\s+issued|\s+expires", val, maxsplit=1)[0]
    return re.sub(r"[\s\-]", "", head).upper()


def from_csl_row(d: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """Identifier pairs in a Consolidated Screening List row (CSV or JSON form)."""
    out: list[tuple[str, str]] = []

    def values(key: str) -> list[str]:
        v = d.get(key)
        if isinstance(v, list):
            return [str(x) for x in v if x]
        return [p.strip() for p in str(v or "").split(";") if p.strip()]

    for v in values("dates_of_birth"):
        out += [(DOB, x) for x in normalise_date(v)]
    for v in values("places_of_birth"):
        out.append((POB, v))
    for key, kind in (("nationalities", NATIONALITY), ("citizenships", CITIZENSHIP)):
        for v in values(key):
            cc = country_code(v)
            if cc:
                out.append((kind, cc))
    ids = d.get("ids")
    items: list[tuple[str, str]] = []
    if isinstance(ids, list):
        for x in ids:
            if isinstance(x, dict) and x.get("number"):
                items.append((str(x.get("type") or ""), str(x["number"])))
    else:
        for part in str(ids or "").split(";"):
            bits = [b.strip() for b in part.split(",")]
            if len(bits) >= 2 and bits[1]:
                items.append((bits[0], bits[1]))
    for typ, num in items:
        if typ.lower().startswith("passport"):
            out.append((PASSPORT, _id_value(num)))
        elif typ and not typ.lower().startswith(("issuer name", "target type", "equity ticker")):
            out.append((IDENT, f"{typ.lower()}: {_id_value(num)}"))
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class PersonIds:
    """What is known about a person besides the name (subject or listed person)."""

    birth_dates: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()  # nationality and citizenship, ISO-2
    identifiers: tuple[tuple[str, str], ...] = ()  # (type, normalised value)

    @property
    def empty(self) -> bool:
        return not (self.birth_dates or self.nationalities or self.identifiers)


def entry_ids(extra: Iterable[tuple[str, str]], remarks: str = "") -> PersonIds:
    """The identifiers a list entry carries (its ``extra`` pairs, else its OFAC remarks)."""
    pairs = list(extra)
    if not any(k in {DOB, NATIONALITY, CITIZENSHIP, PASSPORT, IDENT} for k, _ in pairs):
        pairs += list(from_ofac_remarks(remarks)) if remarks else []
    dobs = tuple(dict.fromkeys(v for k, v in pairs if k == DOB))
    nats = tuple(dict.fromkeys(v for k, v in pairs if k in {NATIONALITY, CITIZENSHIP}))
    ids: list[tuple[str, str]] = []
    for k, v in pairs:
        if k == PASSPORT:
            ids.append(("passport", v))
        elif k == IDENT and ": " in v:
            t, _, n = v.partition(": ")
            ids.append((t, n))
    return PersonIds(dobs, nats, tuple(dict.fromkeys(ids)))


def subject_ids(
    birth_date: str | None,
    nationality: Sequence[str] = (),
    identifiers: Mapping[str, str] | None = None,
) -> PersonIds:
    """The identifiers given for a screened person (proposal row or CLI options)."""
    dobs = tuple(normalise_date(birth_date)) if birth_date else ()
    nats = tuple(dict.fromkeys(c for c in (country_code(n) for n in nationality) if c))
    ids = tuple(
        (k.strip().lower(), _id_value(v)) for k, v in (identifiers or {}).items() if v and k
    )
    return PersonIds(dobs, nats, ids)


def dates_agree(a: str, b: str) -> bool | None:
    """True if two ISO dates (of any precision) agree as far as both go; None if no year."""
    if len(a) < 4 or len(b) < 4:
        return None
    n = min(len(a), len(b))
    return a[:n] == b[:n]


@dataclass(frozen=True, slots=True)
class Comparison:
    kind: str  # birth_date | nationality | identifier
    direction: str  # for | against | neutral
    detail: str
    decisive: bool = False  # an identifier of the same type and number


def compare(subject: PersonIds, listed: PersonIds) -> list[Comparison]:
    """Evidence from identifiers both sides state (nothing when either side is silent)."""
    out: list[Comparison] = []
    if subject.birth_dates and listed.birth_dates:
        agree = [
            (a, b) for a in subject.birth_dates for b in listed.birth_dates if dates_agree(a, b)
        ]
        if agree:
            a, b = max(agree, key=lambda ab: min(len(ab[0]), len(ab[1])))
            exact = len(a) == len(b) == 10
            out.append(
                Comparison(
                    "birth_date",
                    "for",
                    f"birth date {a} agrees with the list's {b}"
                    + ("" if exact else " (as far as both are stated)"),
                )
            )
        else:
            out.append(
                Comparison(
                    "birth_date",
                    "against",
                    f"birth date {', '.join(subject.birth_dates)} differs from the list's "
                    f"{', '.join(listed.birth_dates)}",
                )
            )
    if subject.nationalities and listed.nationalities:
        common = sorted(set(subject.nationalities) & set(listed.nationalities))
        if common:
            out.append(
                Comparison(
                    "nationality", "for", f"nationality {', '.join(common)} agrees with the list"
                )
            )
        else:
            out.append(
                Comparison(
                    "nationality",
                    "against",
                    f"nationality {', '.join(subject.nationalities)} differs from the list's "
                    f"{', '.join(listed.nationalities)}",
                )
            )
    if subject.identifiers and listed.identifiers:
        lt: dict[str, set[str]] = {}
        for t, v in listed.identifiers:
            lt.setdefault(t, set()).add(v)
        for t, v in subject.identifiers:
            if t in lt:
                if v in lt[t]:
                    out.append(
                        Comparison("identifier", "for", f"{t} {v} is the list's", decisive=True)
                    )
                elif t == "orcid":
                    out.append(
                        Comparison("identifier", "against", f"{t} {v} is not the list's {t}")
                    )
    return out
