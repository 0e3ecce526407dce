"""Reading proposals: lists, counts, one proposal, a revision, its assessment and screening."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from detente.assessment.result import Assessment
from detente.errors import (
    NotFoundError,
)
from detente.framework.model import VERDICTS
from detente.model.diligence import DueDiligence
from detente.store.models import (
    STATUSES,
    AssessmentRecord,
    Comment,
    Decision,
    Proposal,
    Revision,
    ScreeningRecord,
    User,
)
from detente.store.services._base import (
    Service,
    comment_view,
    decision_view,
    field_error,
    revision_row,
    summary_view,
    visible,
)
from detente.store.views import (
    Actor,
    AssessmentMeta,
    ProposalDetail,
    ProposalSummary,
    RevisionMeta,
    RevisionView,
    ScreeningView,
)

_Q = TypeVar("_Q", bound="Select[*tuple[Any, ...]]")


class ReadingService(Service):
    """What a signed-in person may read (submitters see only their own proposals)."""

    def _scoped(self, actor: Actor, q: _Q) -> _Q:
        return q if actor.can_review else q.where(Proposal.owner_id == actor.id)

    def list_proposals(
        self,
        actor: Actor,
        *,
        status: str | None = None,
        verdict: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[ProposalSummary], int]:
        if status is not None and status not in STATUSES:
            raise field_error(
                "status", f"unknown status {status!r} (use one of {', '.join(STATUSES)})"
            )
        if verdict is not None and verdict not in VERDICTS:
            raise field_error(
                "verdict", f"unknown verdict {verdict!r} (use one of {', '.join(VERDICTS)})"
            )
        limit = max(1, min(limit, 200))
        offset = max(0, offset)
        q = self._scoped(
            actor, select(Proposal, User.username).join(User, User.id == Proposal.owner_id)
        )
        cq = self._scoped(actor, select(func.count(Proposal.id)))
        if status:
            q, cq = q.where(Proposal.status == status), cq.where(Proposal.status == status)
        if verdict:
            q, cq = q.where(Proposal.verdict == verdict), cq.where(Proposal.verdict == verdict)
        with self.db.read() as s:
            total = int(s.scalar(cq) or 0)
            rows = s.execute(
                q.order_by(Proposal.updated_at.desc(), Proposal.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [summary_view(p, owner) for p, owner in rows], total

    def counts(self, actor: Actor) -> dict[tuple[str, str], int]:
        """Number of proposals by (status, verdict), for the dashboard."""
        q = self._scoped(
            actor, select(Proposal.status, Proposal.verdict, func.count(Proposal.id))
        ).group_by(Proposal.status, Proposal.verdict)
        with self.db.read() as s:
            return {(st, v or "none"): int(n) for st, v, n in s.execute(q)}

    def get(self, actor: Actor, proposal_id: int) -> ProposalDetail:
        with self.db.read() as s:
            p = visible(s, actor, proposal_id)
            names: dict[int, str] = {
                uid: name for uid, name in s.execute(select(User.id, User.username))
            }
            revs = s.execute(
                select(Revision, AssessmentRecord.verdict, AssessmentRecord.verdict_label)
                .outerjoin(AssessmentRecord, AssessmentRecord.revision_id == Revision.id)
                .where(Revision.proposal_id == p.id)
                .order_by(Revision.number)
            ).all()
            comments = s.scalars(
                select(Comment).where(Comment.proposal_id == p.id).order_by(Comment.id)
            ).all()
            decisions = s.scalars(
                select(Decision).where(Decision.proposal_id == p.id).order_by(Decision.id)
            ).all()
            base = summary_view(p, names.get(p.owner_id, "?"))
            return ProposalDetail(
                **base.model_dump(),
                revisions=[
                    RevisionMeta(
                        number=r.number,
                        source_format=r.source_format,
                        sha256=r.sha256,
                        author=names.get(r.author_id, "?"),
                        note=r.note,
                        created_at=r.created_at,
                        verdict=v,
                        verdict_label=vl,
                    )
                    for r, v, vl in revs
                ],
                comments=[comment_view(c, names) for c in comments],
                decisions=[decision_view(d, names) for d in decisions],
            )

    def revision(self, actor: Actor, proposal_id: int, number: int | None = None) -> RevisionView:
        with self.db.read() as s:
            p = visible(s, actor, proposal_id)
            r = revision_row(s, p.id, number, p.current_revision)
            rec = s.scalar(select(AssessmentRecord).where(AssessmentRecord.revision_id == r.id))
            author = s.get(User, r.author_id)
            return RevisionView(
                number=r.number,
                source_format=r.source_format,
                sha256=r.sha256,
                author=author.username if author else "?",
                note=r.note,
                created_at=r.created_at,
                verdict=rec.verdict if rec else None,
                verdict_label=rec.verdict_label if rec else None,
                source_text=r.source_text,
                data=dict(r.data),
            )

    def assessment(
        self, actor: Actor, proposal_id: int, number: int | None = None
    ) -> tuple[AssessmentMeta, Assessment]:
        """The stored assessment of a revision (the current one by default), re-read exactly as stored."""
        meta, data = self.assessment_data(actor, proposal_id, number)
        return meta, Assessment.model_validate(data)

    def assessment_data(
        self, actor: Actor, proposal_id: int, number: int | None = None
    ) -> tuple[AssessmentMeta, dict[str, Any]]:
        with self.db.read() as s:
            p = visible(s, actor, proposal_id)
            r = revision_row(s, p.id, number, p.current_revision)
            rec = s.scalar(select(AssessmentRecord).where(AssessmentRecord.revision_id == r.id))
            if rec is None:
                raise NotFoundError(
                    f"revision {r.number} of proposal {proposal_id} has no assessment"
                )
            meta = AssessmentMeta(
                id=rec.id,
                revision_number=r.number,
                verdict=rec.verdict,
                verdict_label=rec.verdict_label,
                framework_id=rec.framework_id,
                framework_version=rec.framework_version,
                rules_version=rec.rules_version,
                catalogue_version=rec.catalogue_version,
                tool_version=rec.tool_version,
                proposal_sha256=rec.proposal_sha256,
                created_at=rec.created_at,
            )
            return meta, dict(rec.data)

    def screening(self, actor: Actor, proposal_id: int, number: int | None = None) -> ScreeningView:
        with self.db.read() as s:
            p = visible(s, actor, proposal_id)
            r = revision_row(s, p.id, number, p.current_revision)
            row = s.scalar(
                select(ScreeningRecord)
                .join(AssessmentRecord, AssessmentRecord.id == ScreeningRecord.assessment_id)
                .where(AssessmentRecord.revision_id == r.id)
            )
            if row is None:
                return ScreeningView(
                    status="not_checked",
                    reason="no screening stored",
                    flags=["dd.not_checked"],
                    data=None,
                )
            return ScreeningView(
                status=row.status,
                reason=row.reason,
                flags=list(row.flags),
                data=DueDiligence.model_validate(row.data) if row.data is not None else None,
            )
