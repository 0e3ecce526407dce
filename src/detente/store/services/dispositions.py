"""Dispositions: a reviewer's true-match / false-positive decision on a screening match."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from detente.errors import (
    DetenteError,
    PermissionDeniedError,
)
from detente.store import audit
from detente.store.models import (
    DISPOSITION_CONTENT,
    DispositionRow,
)
from detente.store.services._base import (
    Service,
    digest,
)
from detente.store.views import (
    Actor,
    DispositionView,
)


def disposition_view(d: DispositionRow) -> DispositionView:
    return DispositionView.model_validate(
        {
            "id": d.id,
            "subject_key": d.subject_key,
            "entry_id": d.entry_id,
            "entry_fingerprint": d.entry_fingerprint,
            "decision": d.decision,
            "reason": d.reason,
            "reviewer": d.reviewer,
            "decided_at": d.decided_at,
        }
    )


class DispositionService(Service):
    """Recorded dispositions, and the set every later screening applies."""

    def record_disposition(
        self,
        actor: Actor,
        *,
        subject: str,
        entry: str,
        entry_fingerprint: str,
        decision: str,
        reason: str,
        schema: str = "org",
    ) -> DispositionView:
        """Record a reviewer's true-match / false-positive decision on one screening match.

        It applies to every later screening of the same subject and list entry until the entry
        changes on the list (its fingerprint differs), and is audited with a hash of its content.
        """
        from detente.screening.dispositions import make_record

        if not actor.can_review:
            raise PermissionDeniedError("only a reviewer or admin can record a disposition")
        rec = make_record(
            subject=subject,
            entry=entry,
            fingerprint=entry_fingerprint,
            decision=decision,
            reason=reason,
            reviewer=actor.username,
            decided_at=self.clock().isoformat(timespec="seconds"),
            schema=schema,
        )
        with self.db.write() as s:
            row = DispositionRow(
                subject_key=rec.subject_key[:600],
                entry_id=rec.entry_id[:300],
                entry_fingerprint=rec.entry_fingerprint[:64],
                decision=rec.decision,
                reason=rec.reason,
                reviewer=rec.reviewer,
                decided_at=rec.decided_at,
            )
            s.add(row)
            s.flush()
            content = {k: getattr(row, k) for k in DISPOSITION_CONTENT}
            audit.append(
                s,
                actor=actor.username,
                action="disposition.record",
                object_type="disposition",
                object_id=row.id,
                details={
                    "subject_key": row.subject_key,
                    "entry_id": row.entry_id,
                    "entry_fingerprint": row.entry_fingerprint,
                    "decision": row.decision,
                    "content_sha256": digest(
                        json.dumps(content, sort_keys=True, ensure_ascii=False)
                    ),
                },
                records=[("dispositions", row.id)],
            )
            return disposition_view(row)

    def list_dispositions(
        self, actor: Actor, *, limit: int = 100, offset: int = 0
    ) -> tuple[list[DispositionView], int]:
        """Recorded dispositions, newest first (reviewers and admins only)."""
        if not actor.can_review:
            raise PermissionDeniedError("only a reviewer or admin can read dispositions")
        with self.db.read() as s:
            total = int(s.scalar(select(func.count()).select_from(DispositionRow)) or 0)
            rows = s.scalars(
                select(DispositionRow)
                .order_by(DispositionRow.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [disposition_view(d) for d in rows], total

    def disposition_set(self) -> Any:
        """Every decision (the embedded CLI store's, then the web store's; the latest wins)."""
        from detente.screening.dispositions import DispositionRecord, load_all

        with self.db.read() as s:
            rows = list(s.scalars(select(DispositionRow).order_by(DispositionRow.id)))
            recs = [DispositionRecord(*(getattr(r, k) for k in DISPOSITION_CONTENT)) for r in rows]
        try:
            return load_all(extra=recs)
        except DetenteError:
            from detente.screening.dispositions import DispositionSet

            return DispositionSet(recs)
