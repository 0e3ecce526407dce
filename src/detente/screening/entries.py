"""The list entry every loader produces (plain, immutable, cheap to hash)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One listed party as a list states it.

    ``schema`` is ``person``, ``org`` or ``unknown`` (a list that does not say).  ``parents`` are
    organisations the listed unit belongs to or is affiliated with; a match on a parent is a
    related-entity notice, never a hit.  ``formerly_listed`` marks a listing that has ended
    (a 1260H period with an end date, a name absent from the latest §1286 edition): such an
    entry is kept as history and reported as context, never as a hit.
    """

    source_id: str
    list_id: str
    entry_id: str
    name: str
    schema: str = "org"
    aliases: tuple[str, ...] = ()
    native_names: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    listed_on: str | None = None
    ended_on: str | None = None
    parents: tuple[str, ...] = ()
    remarks: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())
    formerly_listed: bool = False

    @property
    def key(self) -> str:
        return f"{self.list_id}:{self.entry_id}"


_dumps = json.JSONEncoder(ensure_ascii=False).encode

_TUPLE_FIELDS = (
    "aliases",
    "native_names",
    "acronyms",
    "countries",
    "addresses",
    "programs",
    "parents",
)


def entry_to_json(e: ListEntry) -> str:
    """The entry as JSON, fields in declaration order (what ``json.dumps(asdict(e))`` gives).

    Written out by hand: ``dataclasses.asdict`` deep-copies every tuple and was a third of the
    time spent loading the shared lists.  Every field holds a str, bool, None or a tuple of str
    (or of str pairs), which ``json`` writes the same whether or not it was copied.
    """
    return _dumps(
        {
            "source_id": e.source_id,
            "list_id": e.list_id,
            "entry_id": e.entry_id,
            "name": e.name,
            "schema": e.schema,
            "aliases": e.aliases,
            "native_names": e.native_names,
            "acronyms": e.acronyms,
            "countries": e.countries,
            "addresses": e.addresses,
            "programs": e.programs,
            "listed_on": e.listed_on,
            "ended_on": e.ended_on,
            "parents": e.parents,
            "remarks": e.remarks,
            "extra": e.extra,
            "formerly_listed": e.formerly_listed,
        }
    )


def entry_from_json(data: str) -> ListEntry:
    d: dict[str, Any] = json.loads(data)
    for k in _TUPLE_FIELDS:
        d[k] = tuple(d.get(k) or ())
    d["extra"] = tuple(tuple(x) for x in d.get("extra") or ())
    return ListEntry(**d)


@dataclass(frozen=True, slots=True)
class ParsedSource:
    """What a loader read: entries plus facts about the files."""

    source_id: str
    entries: tuple[ListEntry, ...]
    rows: dict[str, int]
    published: str | None = None
    notes: tuple[str, ...] = ()
