"""The audit log as a service: generic entries, reading, verifying, anchoring, baselining.

The chain itself (hashing, verification) is :mod:`detente.store.audit`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from detente.store import audit
from detente.store.models import (
    AuditEntry,
)
from detente.store.services._base import (
    Service,
)
from detente.store.views import (
    Actor,
    AuditView,
)


def audit_view(e: AuditEntry) -> AuditView:
    return AuditView(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        details=dict(e.details),
        prev_hash=e.prev_hash,
        hash=e.hash,
    )


class AuditService(Service):
    """Reading and verifying the hash-chained audit log."""

    def record(
        self,
        actor: Actor,
        action: str,
        object_type: str,
        object_id: int | str,
        details: dict[str, Any] | None = None,
        *,
        records: Sequence[tuple[str, int]] = (),
    ) -> int:
        """An audit entry for an action that changes nothing else (e.g. an export); its sequence number."""
        with self.db.write() as s:
            entry = audit.append(
                s,
                actor=actor.username,
                action=action,
                object_type=object_type,
                object_id=object_id,
                details=details,
                records=records,
            )
            return int(entry.seq)

    def audit_entries(self, *, limit: int = 100, offset: int = 0) -> tuple[list[AuditView], int]:
        with self.db.read() as s:
            total = int(s.scalar(select(func.count(AuditEntry.seq))) or 0)
            rows: Sequence[AuditEntry] = s.scalars(
                select(AuditEntry)
                .order_by(AuditEntry.seq.desc())
                .limit(max(1, min(limit, 500)))
                .offset(max(0, offset))
            ).all()
            return [
                AuditView(
                    seq=e.seq,
                    at=e.at,
                    actor=e.actor,
                    action=e.action,
                    object_type=e.object_type,
                    object_id=e.object_id,
                    details=dict(e.details),
                    prev_hash=e.prev_hash,
                    hash=e.hash,
                )
                for e in rows
            ], total

    def audit_by_action(
        self, actions: Sequence[str], *, object_id: str | None = None, limit: int = 100
    ) -> list[AuditView]:
        """The newest audit entries with one of these actions (optionally about one object id)."""
        q = select(AuditEntry).where(AuditEntry.action.in_(list(actions)))
        if object_id is not None:
            q = q.where(AuditEntry.object_id == object_id)
        with self.db.read() as s:
            rows = s.scalars(q.order_by(AuditEntry.seq.desc()).limit(max(1, min(limit, 500))))
            return [audit_view(e) for e in rows]

    def audit_entry(self, seq: int) -> AuditView | None:
        with self.db.read() as s:
            e = s.get(AuditEntry, seq)
            return audit_view(e) if e is not None else None

    def verify_audit(self, anchor: audit.Anchor | None = None) -> audit.VerifyResult:
        with self.db.read() as s:
            return audit.verify(s, anchor)

    def audit_anchor(self) -> audit.Anchor:
        """The chain head to keep outside the database (``detente audit anchor``)."""
        with self.db.read() as s:
            return audit.anchor(s)

    def audit_baseline(self, by: str = "cli") -> int:
        """Record the content of audited rows no entry covers yet (once, after upgrading);
        the number of rows recorded."""
        with self.db.write() as s:
            rows = audit.unrecorded(s)
            if rows:
                audit.append(
                    s,
                    actor=by,
                    action="audit.baseline",
                    object_type="audit",
                    object_id="baseline",
                    details={"rows": len(rows)},
                    records=rows,
                )
            return len(rows)
