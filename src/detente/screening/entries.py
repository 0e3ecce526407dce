"""The list entry every loader produces (plain, immutable, cheap to hash)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One listed party as a list states it.

    ``schema`` is ``person``, ``org`` or ``unknown`` (a list that does not say).  ``parents`` are
    organisations the listed unit belongs to or is affiliated with; a match on a parent is a
    related-entity notice, never a hit.
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

    @property
    def key(self) -> str:
        return f"{self.list_id}:{self.entry_id}"


@dataclass(frozen=True, slots=True)
class ParsedSource:
    """What a loader read: entries plus facts about the files."""

    source_id: str
    entries: tuple[ListEntry, ...]
    rows: dict[str, int]
    published: str | None = None
    notes: tuple[str, ...] = ()
