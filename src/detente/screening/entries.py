"""The list entry every loader produces (plain, immutable, cheap to hash)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
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
    return json.dumps(asdict(e), ensure_ascii=False)


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
