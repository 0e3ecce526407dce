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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from detente.errors import IntegrityError
from detente.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64


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
) -> AuditEntry:
    """Append one entry inside the caller's write transaction.

    The head row is updated first, so concurrent appenders queue on its row
    lock (PostgreSQL) or on the write lock (SQLite) and the chain never forks.
    """
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


def verify(session: Session) -> VerifyResult:
    """Walk the chain from the first entry; stop at the first entry that does not check."""
    prev = GENESIS
    expected_seq = 1
    count = 0
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
        prev = e.hash
        expected_seq += 1
        count += 1
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


def verify_or_raise(session: Session) -> VerifyResult:
    result = verify(session)
    if not result.ok:
        raise IntegrityError(f"audit log broken at entry {result.first_broken}: {result.reason}")
    return result
