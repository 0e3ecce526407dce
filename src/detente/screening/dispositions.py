"""Reviewer dispositions: a person's *true match* / *false positive* decision on one
(subject, list entry) pair, kept until the entry changes on the list.

A disposition names the subject (a normalised name key), the list entry (``list_id:entry_id``)
and the entry's *fingerprint*: a stable hash of what the list states about the entry (names,
aliases, countries, programmes, dates, remarks …).  It is reused for the same subject and entry
in every later screening while the fingerprint is unchanged; when the list changes the entry the
disposition expires (it is still shown, marked expired, and the automated status applies again).

Dispositions come from three places, all read through :class:`DispositionSet`:

* the embedded SQLite store next to the screening index (``lists/dispositions.sqlite``), written
  by ``detente screen … --dispose``;
* a disposition file (YAML or CSV) given to ``detente assess --dispositions FILE``;
* the web app's store (its ``dispositions`` table, audited), for reviews made on the web.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from detente.errors import InputError, Problem
from detente.model.diligence import Disposition, ListMatch, ScreeningResult
from detente.screening.entries import ListEntry

Decision = Literal["true_match", "false_positive"]
DECISIONS: tuple[str, ...] = ("true_match", "false_positive")
FILE_COLUMNS = ("subject", "entry", "entry_fingerprint", "decision", "reason", "reviewer")
MAX_REASON = 2000

# The listed content of an entry (what a change on the list would change); not the source id or
# snapshot, so the same entry re-published unchanged keeps its fingerprint.
_FINGERPRINT_FIELDS = (
    "list_id",
    "entry_id",
    "name",
    "schema",
    "aliases",
    "native_names",
    "acronyms",
    "countries",
    "addresses",
    "programs",
    "listed_on",
    "ended_on",
    "parents",
    "remarks",
    "extra",
    "formerly_listed",
)


_FP_CACHE: dict[int, tuple[ListEntry, str]] = {}


def entry_fingerprint(e: ListEntry) -> str:
    """A stable hash of the entry's listed content (sha256 of canonical JSON, 24 hex digits).

    Memoised per entry object (entries are immutable once indexed): screening the same entry
    again costs a dictionary look-up, not a deep copy and a hash."""
    hit = _FP_CACHE.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    fp = _fingerprint(e)
    if len(_FP_CACHE) > 200_000:
        _FP_CACHE.clear()
    _FP_CACHE[id(e)] = (e, fp)
    return fp


def _fingerprint(e: ListEntry) -> str:
    # every field is a str, bool, None or a tuple of them: JSON renders tuples as lists, so this
    # is the same canonical text as ``asdict`` without its deep copy
    data = {k: getattr(e, k) for k in _FINGERPRINT_FIELDS}
    canon = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:24]


def subject_key(name: str, schema: str = "org") -> str:
    """The key a disposition is recorded under: schema plus the case- and space-folded name."""
    kind = "person" if schema == "person" else "org"
    return f"{kind}:{' '.join(name.casefold().split())}"


def entry_key(m: ListMatch) -> str:
    return f"{m.list_id}:{m.entry_id}"


@dataclass(frozen=True, slots=True)
class DispositionRecord:
    """One stored decision (the content columns the web app's audit log hashes)."""

    subject_key: str
    entry_id: str  # list_id:entry_id
    entry_fingerprint: str
    decision: str
    reason: str
    reviewer: str
    decided_at: str

    def to_model(self, current_fingerprint: str | None) -> Disposition:
        return Disposition(
            decision="true_match" if self.decision == "true_match" else "false_positive",
            reason=self.reason,
            reviewer=self.reviewer,
            decided_at=self.decided_at,
            entry_fingerprint=self.entry_fingerprint,
            expired=current_fingerprint is not None
            and current_fingerprint != self.entry_fingerprint,
        )


def make_record(
    *,
    subject: str,
    entry: str,
    fingerprint: str,
    decision: str,
    reason: str,
    reviewer: str,
    decided_at: str | None = None,
    where: str = "disposition",
    schema: str = "org",
) -> DispositionRecord:
    """Validate one decision (one clear message per bad field).

    *subject* is a screened name (keyed as *schema*, ``org`` or ``person``) or a subject key
    already prefixed ``org:`` / ``person:``."""

    def bad(field: str, msg: str) -> InputError:
        return InputError(f"{where}: {msg}", problems=[Problem(msg, file=where, field=field)])

    if decision not in DECISIONS:
        raise bad("decision", f"decision must be true_match or false_positive, not {decision!r}")
    if not reason.strip():
        raise bad("reason", "a disposition needs a reason")
    if len(reason) > MAX_REASON:
        raise bad("reason", f"reason is longer than {MAX_REASON} characters")
    if not reviewer.strip():
        raise bad("reviewer", "a disposition needs a reviewer")
    if ":" not in entry or not entry.split(":", 1)[1]:
        raise bad("entry", f"entry must be LIST_ID:ENTRY_ID, not {entry!r}")
    if not subject.strip():
        raise bad("subject", "a disposition needs a subject")
    if not fingerprint.strip():
        raise bad(
            "entry_fingerprint",
            "entry_fingerprint is required (see `detente screen NAME --json`); "
            "it makes the disposition expire when the entry changes on the list",
        )
    if schema not in {"org", "person"}:
        raise bad("type", f"type must be org or person, not {schema!r}")
    s = subject.strip()
    key = s if s.startswith(("org:", "person:")) else subject_key(s, schema)
    return DispositionRecord(
        subject_key=key,
        entry_id=entry.strip(),
        entry_fingerprint=fingerprint.strip(),
        decision=decision,
        reason=" ".join(reason.split()),
        reviewer=reviewer.strip(),
        decided_at=decided_at or datetime.now(UTC).isoformat(timespec="seconds"),
    )


class DispositionSet:
    """Decisions by (subject key, entry key); the latest decision for a pair wins."""

    def __init__(self, records: Iterable[DispositionRecord] = ()) -> None:
        self._by: dict[tuple[str, str], DispositionRecord] = {}
        self.add(records)

    def add(self, records: Iterable[DispositionRecord]) -> None:
        for r in records:
            k = (r.subject_key, r.entry_id)
            old = self._by.get(k)
            if old is None or r.decided_at >= old.decided_at:
                self._by[k] = r

    def get(self, subject: str, entry: str) -> DispositionRecord | None:
        return self._by.get((subject, entry))

    def __len__(self) -> int:
        return len(self._by)

    def records(self) -> list[DispositionRecord]:
        return sorted(self._by.values(), key=lambda r: (r.subject_key, r.entry_id))


def apply(
    result: ScreeningResult, dispositions: DispositionSet | None, threshold: float = 0.0
) -> ScreeningResult:
    """The result with reviewers' dispositions attached to its matches, and its status redone.

    A live false positive clears its match, a live true match confirms it; an expired one is
    attached (shown as expired) but changes nothing.  When every match is cleared the subject is
    ``clear`` with a note naming the reviewer(s).  *threshold* is the hit threshold in use.
    """
    if not dispositions or (not result.matches and not result.history):
        return result
    key = subject_key(result.name, result.schema_)

    def with_disp(m: ListMatch) -> ListMatch:
        rec = dispositions.get(key, entry_key(m))
        if rec is None:
            return m
        return m.model_copy(update={"disposition": rec.to_model(m.entry_fingerprint)})

    matches = [with_disp(m) for m in result.matches]
    history = [with_disp(m) for m in result.history]
    if matches == list(result.matches) and history == list(result.history):
        return result
    status, note = result.status, result.note
    if any(m.confirmed_by == "reviewer" for m in matches):
        live = [m for m in matches if m.effective_status != "cleared"]
        direct = [m for m in live if not m.related]
        # the same rule as the matcher's result status: only a corroborated (or reviewer-
        # confirmed) match is a hit; a name-only person match stays potential
        if any(m.effective_status == "hit" for m in direct):
            status = "hit"
        elif any(m.related and m.score >= threshold for m in live):
            status = "related"
        elif any(m.effective_status == "potential" for m in direct):
            status = "potential"
        else:
            status = "clear"
            who = sorted({m.disposition.reviewer for m in matches if m.disposition})
            note = (
                "Every match was ruled a false positive by a reviewer "
                f"({', '.join(who)}); see each match's disposition."
            )
    return result.model_copy(
        update={"matches": matches, "history": history, "status": status, "note": note}
    )


# ---- the embedded store (CLI) ----------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dispositions(
    id INTEGER PRIMARY KEY,
    subject_key TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    entry_fingerprint TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('true_match', 'false_positive')),
    reason TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dispositions_pair ON dispositions(subject_key, entry_id);
"""


def store_path(home: Path | None = None) -> Path:
    from detente.screening.store import lists_dir

    return lists_dir(home) / "dispositions.sqlite"


def record(rec: DispositionRecord, home: Path | None = None) -> Path:
    """Append a decision to the embedded store (history is kept; the latest one applies)."""
    p = store_path(home)
    p.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(p)
    try:
        con.executescript(_SCHEMA)
        con.execute(
            "INSERT INTO dispositions(subject_key, entry_id, entry_fingerprint, decision, reason, "
            "reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                rec.subject_key,
                rec.entry_id,
                rec.entry_fingerprint,
                rec.decision,
                rec.reason,
                rec.reviewer,
                rec.decided_at,
            ),
        )
        con.commit()
    finally:
        con.close()
    return p


def stored(home: Path | None = None) -> list[DispositionRecord]:
    """Every decision in the embedded store, oldest first ([] when there is none)."""
    p = store_path(home)
    if not p.is_file():
        return []
    con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT subject_key, entry_id, entry_fingerprint, decision, reason, reviewer, "
            "decided_at FROM dispositions ORDER BY id"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{p}: the disposition store cannot be read ({exc})") from None
    finally:
        con.close()
    return [DispositionRecord(*r) for r in rows]


# ---- disposition files -----------------------------------------------------------------------

MAX_FILE_BYTES = 5_000_000


def _rows_from_yaml(text: str, where: str) -> list[tuple[int | None, Mapping[str, Any]]]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{where}: not valid YAML ({exc})") from None
    if isinstance(data, dict) and "dispositions" in data:
        data = data["dispositions"]
    if not isinstance(data, list):
        raise InputError(
            f"{where}: expected a list of dispositions (or a mapping with 'dispositions:')",
            problems=[Problem("not a list", file=where)],
        )
    out: list[tuple[int | None, Mapping[str, Any]]] = []
    for i, d in enumerate(data):
        if not isinstance(d, dict):
            raise InputError(
                f"{where}: disposition {i + 1} is not a mapping",
                problems=[Problem("not a mapping", file=where, field=f"[{i}]")],
            )
        out.append((None, d))
    return out


def _rows_from_csv(text: str, where: str) -> list[tuple[int | None, Mapping[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    head = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in FILE_COLUMNS if c not in head]
    if missing:
        raise InputError(
            f"{where}: missing column(s) {', '.join(missing)}",
            problems=[Problem(f"columns needed: {', '.join(FILE_COLUMNS)}", file=where, line=1)],
        )
    try:
        return [
            (reader.line_num, {(k or "").strip(): (v or "") for k, v in row.items()})
            for row in reader
        ]
    except csv.Error as exc:
        raise InputError(
            f"{where}: malformed CSV", problems=[Problem(str(exc), file=where)]
        ) from None


def read_file(path: Path) -> list[DispositionRecord]:
    """Read a YAML or CSV disposition file (columns/keys: subject, entry, entry_fingerprint,
    decision, reason, reviewer[, type (org|person), decided_at])."""
    where = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{where}: larger than {MAX_FILE_BYTES // 1_000_000} MB")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{where}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{where}: not UTF-8 text") from None
    rows = (
        _rows_from_csv(text, where)
        if path.suffix.lower() == ".csv"
        else _rows_from_yaml(text, where)
    )
    out = []
    for i, (line, d) in enumerate(rows, start=1):
        loc = f"{where}:{line}" if line else f"{where} (disposition {i})"
        try:
            out.append(
                make_record(
                    subject=str(d.get("subject") or ""),
                    entry=str(d.get("entry") or ""),
                    fingerprint=str(d.get("entry_fingerprint") or ""),
                    decision=str(d.get("decision") or ""),
                    reason=str(d.get("reason") or ""),
                    reviewer=str(d.get("reviewer") or ""),
                    decided_at=str(d["decided_at"]) if d.get("decided_at") else None,
                    where=loc,
                    schema=str(d.get("type") or "org").strip() or "org",
                )
            )
        except InputError as exc:
            raise InputError(
                exc.message,
                problems=[
                    Problem(p.message, file=where, line=line, field=p.field) for p in exc.problems
                ],
            ) from None
    return out


def load_all(
    home: Path | None = None, files: Sequence[Path] = (), extra: Iterable[DispositionRecord] = ()
) -> DispositionSet:
    """The embedded store's decisions, then the files', then *extra* (later decisions win)."""
    ds = DispositionSet(stored(home))
    for f in files:
        ds.add(read_file(f))
    ds.add(extra)
    return ds
