"""The append-only, hash-chained audit log.

Each entry's hash is ``sha256(prev_hash + "\\n" + canonical_json(entry))`` where
the canonical JSON covers the sequence number, time, actor, action, object and
details (keys sorted, no spaces, UTF-8).  The first entry's ``prev_hash`` is 64
zeros.  Changing, deleting, inserting or reordering any entry breaks the chain
from that entry on; :func:`verify` names the first broken one.  The database
also refuses UPDATE and DELETE on the table (triggers in the migration).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, inspect, select, update
from sqlalchemy.orm import Session

from detente.errors import IntegrityError
from detente.store.models import DISPOSITION_CONTENT, AuditEntry, AuditHead, Base

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditedTable:
    """A table whose rows' content the audit chain covers (``key`` is its integer id column)."""

    table: str
    columns: tuple[str, ...]
    label: str
    key: str = "id"
    optional: bool = False  # may not exist yet (a later migration adds it)


#: The registry of audited content: table → the columns whose values are hashed.
AUDITED_TABLES: dict[str, AuditedTable] = {
    t.table: t
    for t in (
        AuditedTable(
            "revisions",
            (
                "proposal_id",
                "number",
                "source_text",
                "source_format",
                "data",
                "sha256",
                "author_id",
                "note",
                "created_at",
            ),
            "revision",
        ),
        AuditedTable(
            "assessments",
            (
                "revision_id",
                "data",
                "verdict",
                "verdict_label",
                "framework_id",
                "framework_version",
                "rules_version",
                "catalogue_version",
                "tool_version",
                "proposal_sha256",
                "created_at",
            ),
            "assessment",
        ),
        AuditedTable(
            "screening_results",
            ("assessment_id", "status", "reason", "flags", "data", "created_at"),
            "screening result",
        ),
        AuditedTable(
            "comments",
            (
                "proposal_id",
                "revision_number",
                "author_id",
                "kind",
                "safeguard_id",
                "body",
                "created_at",
            ),
            "comment",
        ),
        AuditedTable(
            "decisions",
            (
                "proposal_id",
                "revision_number",
                "assessment_id",
                "reviewer_id",
                "outcome",
                "reasoning",
                "conditions",
                "created_at",
            ),
            "decision",
        ),
        AuditedTable("users", ("username", "role", "active", "created_at"), "user account"),
        # Reviewers' match dispositions (migration 0003_dispositions).
        AuditedTable("dispositions", DISPOSITION_CONTENT, "match disposition"),
    )
}


def _table(session: Session, spec: AuditedTable) -> Table | None:
    """The SQLAlchemy table of an audited table, or None when it does not exist (yet)."""
    table = Base.metadata.tables.get(spec.table)
    if not spec.optional:
        return table
    bind = session.connection()
    if not inspect(bind).has_table(spec.table):
        return None
    if table is None:
        from sqlalchemy import MetaData

        table = Table(spec.table, MetaData(), autoload_with=bind)
    return table


def _columns(table: Table, spec: AuditedTable) -> list[Any]:
    if spec.columns == ("*",):
        return [c for c in table.columns if c.name != spec.key]
    return [table.c[name] for name in spec.columns]


def _norm(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, str) and value[:1] in "[{":
        try:  # a JSON column read back as text (reflected tables on SQLite)
            return json.loads(value)
        except ValueError:
            return value
    return value


def _row_digest(table_name: str, key: Any, names: list[str], values: Any) -> str:
    body = {name: _norm(v) for name, v in zip(names, values, strict=True)}
    text = json.dumps(
        {"table": table_name, "id": key, "row": body},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def record_digest(session: Session, table_name: str, key: int) -> str | None:
    """The content hash of one audited row as stored now (None if the row does not exist)."""
    spec = AUDITED_TABLES[table_name]
    table = _table(session, spec)
    if table is None:
        return None
    cols = _columns(table, spec)
    session.flush()
    row = session.execute(select(*cols).where(table.c[spec.key] == key)).one_or_none()
    if row is None:
        return None
    return _row_digest(spec.table, key, [c.name for c in cols], tuple(row))


def _all_digests(session: Session, spec: AuditedTable) -> Iterator[tuple[int, str]]:
    table = _table(session, spec)
    if table is None:
        return
    cols = _columns(table, spec)
    names = [c.name for c in cols]
    key = table.c[spec.key]
    last: Any = None
    while True:
        q = select(key, *cols).order_by(key).limit(500)
        if last is not None:
            q = q.where(key > last)
        rows = session.execute(q).all()
        if not rows:
            return
        for row in rows:
            yield int(row[0]), _row_digest(spec.table, row[0], names, tuple(row[1:]))
        last = rows[-1][0]


def canonical(
    seq: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
) -> str:
    body = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int,
    details: dict[str, Any] | None = None,
    records: Iterable[tuple[str, int]] = (),
) -> AuditEntry:
    """Append one entry inside the caller's write transaction.

    ``records`` names the audited rows (table, id) this entry creates or
    changes; their content hashes go into the entry's ``records`` detail.

    The head row is updated first, so concurrent appenders queue on its row
    lock (PostgreSQL) or on the write lock (SQLite) and the chain never forks.
    """
    refs = []
    for table_name, key in records:
        digest_ = record_digest(session, table_name, key)
        if digest_ is not None:
            refs.append({"table": table_name, "id": key, "sha256": digest_})
    if refs:
        details = {**(details or {}), "records": refs}
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    head = session.execute(
        select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)
    ).one()
    seq, prev = int(head.seq), str(head.last_hash)
    clean = json.loads(json.dumps(details or {}, sort_keys=True, ensure_ascii=False, default=str))
    at = _now()
    oid = str(object_id)
    digest = entry_hash(prev, canonical(seq, at, actor, action, object_type, oid, clean))
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=oid,
        details=clean,
        prev_hash=prev,
        hash=digest,
    )
    session.add(entry)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_broken: int | None
    reason: str
    head_hash: str
    problems: tuple[str, ...] = ()
    records_checked: int = 0


@dataclass(frozen=True)
class Anchor:
    """The chain head as exported: entry ``seq`` had hash ``hash``."""

    seq: int
    hash: str
    at: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {"format": "detente.audit-anchor/1", "seq": self.seq, "hash": self.hash, "at": self.at},
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, source: str = "anchor") -> Anchor:
        from detente.errors import InputError, Problem

        try:
            d = json.loads(text)
            return cls(seq=int(d["seq"]), hash=str(d["hash"]), at=str(d.get("at", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"{source}: not an audit anchor (from `detente audit anchor`)",
                problems=[Problem(str(exc), file=source)],
            ) from None


def anchor(session: Session) -> Anchor:
    """The current head of the chain, to keep outside the database."""
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.hash, AuditEntry.at)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return Anchor(0, GENESIS, "")
    return Anchor(int(row.seq), str(row.hash), str(row.at))


def _iter_entries(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(session: Session, anchor: Anchor | None = None) -> VerifyResult:
    """Walk the chain, then the audited records, then (if given) compare with an anchor."""
    chain = _verify_chain(session, anchor)
    if not chain.ok:
        return chain
    return _verify_records(session, chain)


def _verify_records(session: Session, chain: VerifyResult) -> VerifyResult:
    """Recompute every audited row's content hash and compare it with the newest in the log."""
    latest: dict[tuple[str, int], tuple[str, int, str]] = {}
    for e in _iter_entries(session):
        for ref in (e.details or {}).get("records", []) or []:
            try:
                latest[(str(ref["table"]), int(ref["id"]))] = (str(ref["sha256"]), e.seq, e.action)
            except (KeyError, TypeError, ValueError):
                continue
    problems: list[tuple[int, str]] = []
    checked = 0
    for spec in AUDITED_TABLES.values():
        seen: set[int] = set()
        for key, digest in _all_digests(session, spec):
            checked += 1
            seen.add(key)
            ref = latest.get((spec.table, key))
            if ref is None:
                problems.append(
                    (
                        10**12,
                        f"{spec.label} {key} ({spec.table}) is not recorded in the audit log: "
                        "it was inserted directly (or predates content auditing: "
                        "`detente audit baseline`)",
                    )
                )
            elif ref[0] != digest:
                problems.append(
                    (
                        ref[1],
                        f"{spec.label} {key} ({spec.table}) was altered: its content no longer "
                        f"matches entry {ref[1]} ({ref[2]})",
                    )
                )
        for (table, key), (_, seq, action) in latest.items():
            if table == spec.table and key not in seen and _table(session, spec) is not None:
                problems.append(
                    (
                        seq,
                        f"{spec.label} {key} ({spec.table}) recorded by entry {seq} ({action}) was deleted",
                    )
                )
    if not problems:
        return VerifyResult(True, chain.entries, None, chain.reason, chain.head_hash, (), checked)
    problems.sort(key=lambda p: p[0])
    first = problems[0][0] if problems[0][0] < 10**12 else None
    texts = tuple(p[1] for p in problems)
    return VerifyResult(
        False,
        chain.entries,
        first,
        texts[0] + (f" (and {len(texts) - 1} more)" if len(texts) > 1 else ""),
        chain.head_hash,
        texts,
        checked,
    )


def _verify_chain(session: Session, anchor: Anchor | None) -> VerifyResult:
    """Walk the chain from the first entry; stop at the first entry that does not check."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    anchored = anchor is None or anchor.seq == 0
    for e in _iter_entries(session):
        if e.seq != expected_seq:
            return VerifyResult(
                False,
                count,
                expected_seq,
                f"entry {expected_seq} is missing (next is {e.seq})",
                prev,
            )
        if e.prev_hash != prev:
            return VerifyResult(
                False, count, e.seq, f"entry {e.seq} does not link to the entry before it", prev
            )
        content = canonical(
            e.seq, e.at, e.actor, e.action, e.object_type, e.object_id, dict(e.details)
        )
        if entry_hash(prev, content) != e.hash:
            return VerifyResult(
                False, count, e.seq, f"entry {e.seq} ({e.action} by {e.actor}) was altered", prev
            )
        if anchor is not None and e.seq == anchor.seq:
            if e.hash != anchor.hash:
                return VerifyResult(
                    False,
                    count,
                    e.seq,
                    f"entry {e.seq} differs from the anchor taken at {anchor.at or 'an earlier time'}: "
                    "the log was rewritten since",
                    prev,
                )
            anchored = True
        prev = e.hash
        expected_seq += 1
        count += 1
    if not anchored and anchor is not None:
        return VerifyResult(
            False,
            count,
            anchor.seq,
            f"the anchor names entry {anchor.seq} but the log has only {count} entries: "
            "entries were removed or the log was rewritten",
            prev,
        )
    head = session.execute(
        select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)
    ).one_or_none()
    if head is not None and (int(head.seq) != count or str(head.last_hash) != prev):
        return VerifyResult(
            False,
            count,
            count + 1 if int(head.seq) > count else count,
            f"the log ends at entry {count} but its head records entry {head.seq}: entries were removed or altered",
            prev,
        )
    return VerifyResult(True, count, None, "intact", prev)


def unrecorded(session: Session) -> list[tuple[str, int]]:
    """Audited rows no entry records (rows from before content auditing, or inserted directly)."""
    covered: set[tuple[str, int]] = set()
    for e in _iter_entries(session):
        for ref in (e.details or {}).get("records", []) or []:
            try:
                covered.add((str(ref["table"]), int(ref["id"])))
            except (KeyError, TypeError, ValueError):
                continue
    return [
        (spec.table, key)
        for spec in AUDITED_TABLES.values()
        for key, _ in _all_digests(session, spec)
        if (spec.table, key) not in covered
    ]


def verify_or_raise(session: Session) -> VerifyResult:
    result = verify(session)
    if not result.ok:
        raise IntegrityError(f"audit log broken at entry {result.first_broken}: {result.reason}")
    return result
