"""Turn one OpenAlex-shaped work (a parsed JSON object) into a flat, typed record.

Hot path: plain functions and frozen slotted dataclasses, no pydantic.  Anything that
cannot be read raises :class:`BadRecord` naming the field; callers count and skip it.

Rules (documented in docs/landscape.md):

* **Key.** OpenAlex works are keyed by their ``W…`` id.  Other records (e.g. paperlists,
  whose ids are not unique: ``cvpr2019:None`` is shared by 1,106 papers) are keyed by
  their id plus a hash of everything stored about the work (:func:`content_key`), so
  re-ingesting the same file adds nothing, distinct papers sharing an id stay distinct,
  and DuckDB's SQL (:mod:`.native`) computes the very same key.
* **Countries of an authorship** = ``authorships[].countries`` ∪
  ``authorships[].institutions[].country_code`` (ISO-3166 alpha-2, upper-cased; other
  values ignored).  An author with affiliations in two countries counts for both: a
  paper by one author affiliated in US and CN counts as a US–CN paper.
* **Countries of a work** = the union over its authorships (whole counting; a work counts
  once per country however many of its authors are there).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

_OPENALEX_W = re.compile(r"^(?:https?://openalex\.org/)?(W\d+)$", re.IGNORECASE)
_ISO2 = re.compile(r"^[A-Z]{2}$")
_MAX_ABSTRACT_TOKENS = 200_000


class BadRecord(Exception):
    """A record that cannot be normalised; ``field`` says where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Affiliation:
    author_pos: int
    inst_key: str
    inst_name: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class Author:
    author_pos: int
    author_id: str | None
    name: str | None
    countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NormWork:
    key: str
    source_id: str | None
    year: int | None
    title: str | None
    abstract: str | None
    venue: str | None
    type: str | None
    language: str | None
    updated: str | None
    topics: tuple[str, ...]
    concepts: tuple[str, ...]
    keywords: tuple[str, ...]
    countries: tuple[str, ...]
    authors: tuple[Author, ...]
    affiliations: tuple[Affiliation, ...]


def _str(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise BadRecord(f"expected text, got {type(value).__name__}", field)


def _dict(value: Any, field: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise BadRecord(f"expected an object, got {type(value).__name__}", field)


def _list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise BadRecord(f"expected a list, got {type(value).__name__}", field)


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadRecord("expected a year", "publication_year")
    if isinstance(value, int):
        year = value
    elif isinstance(value, float) and value.is_integer():
        year = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        year = int(value.strip())
    else:
        raise BadRecord(f"expected a year, got {value!r:.40}", "publication_year")
    if not 1000 <= year <= 2999:
        raise BadRecord(f"year {year} out of range", "publication_year")
    return year


_CC_CACHE: dict[str, str | None] = {}


def country_code(value: Any) -> str | None:
    """An ISO-3166 alpha-2 code, upper-cased, or None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return _CC_CACHE[value]
    except KeyError:
        pass
    code = value.strip().upper()
    out = code if _ISO2.match(code) else None
    if len(_CC_CACHE) < 4096:
        _CC_CACHE[value] = out
    return out


def reconstruct_abstract(index: Any) -> str | None:
    """Rebuild text from an OpenAlex ``abstract_inverted_index`` (word -> positions).

    Tokens are ordered by position; repeated positions keep every token; non-integer
    positions are ignored.  Returns None for an empty or absent index.
    """
    if not index:
        return None
    if isinstance(index, str):  # Parquet mirrors store the index as a JSON string
        try:
            index = orjson.loads(index)
        except orjson.JSONDecodeError as exc:
            raise BadRecord("not valid JSON", "abstract_inverted_index") from exc
        if not index:
            return None
    if isinstance(index, list):  # Arrow MAP columns come back as [(key, value), ...]
        try:
            index = dict(index)
        except (TypeError, ValueError) as exc:
            raise BadRecord("expected key/value pairs", "abstract_inverted_index") from exc
    if not isinstance(index, dict):
        raise BadRecord("expected an object", "abstract_inverted_index")
    fast = _reconstruct_fast(index)
    if fast is not None:
        return fast
    pairs: list[tuple[int, str]] = []
    for word, positions in index.items():
        if isinstance(positions, int) and not isinstance(positions, bool):
            positions = [positions]
        elif not isinstance(positions, list):
            raise BadRecord("positions must be a list", "abstract_inverted_index")
        for p in positions:
            if isinstance(p, int) and not isinstance(p, bool):
                pairs.append((p, word))
        if len(pairs) > _MAX_ABSTRACT_TOKENS:
            raise BadRecord("abstract index too large", "abstract_inverted_index")
    if not pairs:
        return None
    pairs.sort()
    return " ".join(str(w) for _, w in pairs)


def _reconstruct_fast(index: dict[str, Any]) -> str | None:
    """Slot-filling reconstruction for well-formed indexes; None means "use the slow path"."""
    try:
        vals = index.values()
        total = sum(map(len, vals))
        if total == 0 or total > _MAX_ABSTRACT_TOKENS:
            return None
        if min(map(min, vals)) < 0 or max(map(max, vals)) >= 2 * total + 64:
            return None
        slots: list[str | None] = [None] * (2 * total + 64)
        for word, ps in index.items():
            for p in ps:
                slots[p] = word
        words = [w for w in slots if w is not None]
        if len(words) != total:
            return None
        return " ".join(words)
    except (TypeError, ValueError, IndexError):
        return None


def invert_abstract(text: str) -> dict[str, list[int]]:
    """The inverse of :func:`reconstruct_abstract` for whitespace-tokenised text."""
    index: dict[str, list[int]] = {}
    for i, tok in enumerate(text.split()):
        index.setdefault(tok, []).append(i)
    return index


def record_hash(record: Mapping[str, Any]) -> str:
    try:
        data = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        data = repr(sorted(record.items(), key=lambda kv: str(kv[0]))).encode()
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def work_key(record: Mapping[str, Any]) -> tuple[str, str | None]:
    """(key, source id) of a record; see the module docstring.

    For a record without an OpenAlex ``W…`` id the key returned here ends in ``#`` and is
    completed by :func:`normalize_work` with :func:`content_key` (a hash of the
    normalised work, which the native SQL path computes identically).
    """
    raw_id = _str(record.get("id"), "id")
    if raw_id:
        m = _OPENALEX_W.match(raw_id.strip())
        if m:
            return m.group(1).upper(), raw_id
        return f"{raw_id}#", raw_id
    if record.get("title") or record.get("display_name"):
        return "h:", None
    raise BadRecord("a work needs an id or a title", "id")


_US, _RS, _GS = "\x1f", "\x1e", "\x1d"


def content_key(w: NormWork) -> str:
    """16 hex digits of MD5 over every stored field of ``w`` (all but the key itself).

    Fields are joined with ASCII unit/record/group separators in a fixed order; the
    native SQL path (:mod:`.native`) builds the same string, so both paths give the same
    key.  Two records with the same id and the same content are the same work.
    """
    parts = [
        w.source_id or "",
        w.title or "",
        "" if w.year is None else str(w.year),
        w.abstract or "",
        w.venue or "",
        w.type or "",
        w.language or "",
        w.updated or "",
        _RS.join(w.topics),
        _RS.join(w.concepts),
        _RS.join(w.keywords),
        _RS.join(
            f"{a.author_id or ''}{_GS}{a.name or ''}{_GS}{','.join(a.countries)}" for a in w.authors
        ),
        _RS.join(
            f"{f.author_pos}{_GS}{f.inst_key}{_GS}{f.inst_name or ''}{_GS}{f.country or ''}"
            for f in w.affiliations
        ),
    ]
    return hashlib.md5(_US.join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def _names(items: Iterable[Any], field: str) -> tuple[str, ...]:
    out: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            name = item.get("display_name") or item.get("keyword") or item.get("id")
            if isinstance(name, str):
                out.append(name)
        elif item is not None:
            raise BadRecord("expected an object", f"{field}[{i}]")
    return tuple(out)


def _inst_key(inst: Mapping[str, Any], name: str | None) -> str | None:
    iid = inst.get("id")
    if isinstance(iid, str) and iid:
        return iid.rsplit("/", 1)[-1]
    ror = inst.get("ror")
    if isinstance(ror, str) and ror:
        return "ror:" + ror.rsplit("/", 1)[-1]
    if name:
        return "name:" + " ".join(name.lower().split())
    return None


def normalize_work(record: Any) -> NormWork:
    """Normalise one OpenAlex-shaped work; raises :class:`BadRecord` when it can't."""
    if not isinstance(record, dict):
        raise BadRecord(f"expected a JSON object, got {type(record).__name__}")
    key, source_id = work_key(record)
    title = _str(record.get("title"), "title") or _str(record.get("display_name"), "display_name")
    year = _year(record.get("publication_year"))
    abstract = reconstruct_abstract(record.get("abstract_inverted_index"))
    if abstract is None:
        abstract = _str(record.get("abstract"), "abstract")
    loc = _dict(record.get("primary_location"), "primary_location")
    venue = _str(_dict(loc.get("source"), "primary_location.source").get("display_name"), "venue")

    topics_raw = _list(record.get("topics"), "topics")
    primary = record.get("primary_topic")
    if isinstance(primary, dict):
        topics_raw = [primary, *topics_raw]
    topics = tuple(dict.fromkeys(_names(topics_raw, "topics")))
    concepts = _names(_list(record.get("concepts"), "concepts"), "concepts")
    keywords = _names(_list(record.get("keywords"), "keywords"), "keywords")

    authors: list[Author] = []
    affs: list[Affiliation] = []
    work_countries: set[str] = set()
    for pos, au in enumerate(_list(record.get("authorships"), "authorships")):
        field = f"authorships[{pos}]"
        if not isinstance(au, dict):
            raise BadRecord("expected an object", field)
        person = _dict(au.get("author"), field + ".author")
        countries: set[str] = set()
        for c in _list(au.get("countries"), field + ".countries"):
            code = country_code(c)
            if code:
                countries.add(code)
        for j, inst in enumerate(_list(au.get("institutions"), field + ".institutions")):
            if not isinstance(inst, dict):
                raise BadRecord("expected an object", f"{field}.institutions[{j}]")
            name = _str(inst.get("display_name"), f"{field}.institutions[{j}].display_name")
            code = country_code(inst.get("country_code"))
            if code:
                countries.add(code)
            ikey = _inst_key(inst, name)
            if ikey is not None:
                affs.append(Affiliation(pos, ikey, name, code))
        pid = person.get("id")
        authors.append(
            Author(
                pos,
                pid.rsplit("/", 1)[-1] if isinstance(pid, str) and pid else None,
                _str(person.get("display_name"), field + ".author.display_name")
                or _str(au.get("raw_author_name"), field + ".raw_author_name"),
                tuple(sorted(countries)),
            )
        )
        work_countries |= countries

    out = NormWork(
        key=key,
        source_id=source_id,
        year=year,
        title=title,
        abstract=abstract,
        venue=venue,
        type=_str(record.get("type"), "type"),
        language=_str(record.get("language"), "language"),
        updated=_str(record.get("updated_date"), "updated_date"),
        topics=topics,
        concepts=concepts,
        keywords=keywords,
        countries=tuple(sorted(work_countries)),
        authors=tuple(authors),
        affiliations=tuple(affs),
    )
    if key.endswith("#") or key == "h:":
        out = dataclasses.replace(out, key=key + content_key(out))
    return out
