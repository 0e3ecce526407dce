"""Review: comments, requests for changes or safeguards, and decisions."""

from __future__ import annotations

from sqlalchemy import select

from detente.errors import (
    PermissionDeniedError,
)
from detente.store import audit
from detente.store.models import (
    COMMENT_KINDS,
    OUTCOMES,
    AssessmentRecord,
    Comment,
    Decision,
    utcnow,
)
from detente.store.services._base import (
    MAX_TEXT,
    Service,
    comment_view,
    conflict,
    decision_view,
    digest,
    field_error,
    revision_row,
    visible,
)
from detente.store.views import (
    Actor,
    CommentView,
    DecisionView,
)

MIN_REASONING = 10


class ReviewService(Service):
    """Comments and decisions on a proposal's current revision."""

    def comment(
        self,
        actor: Actor,
        proposal_id: int,
        body: str,
        *,
        kind: str = "comment",
        safeguard_id: str | None = None,
    ) -> CommentView:
        body = body.strip()
        if kind not in COMMENT_KINDS:
            raise field_error(
                "kind", f"unknown comment kind {kind!r} (use one of {', '.join(COMMENT_KINDS)})"
            )
        safeguard_id = (safeguard_id or "").strip() or None
        if kind == "request_safeguard":
            if not safeguard_id:
                raise field_error("safeguard_id", "name the safeguard you request")
            if safeguard_id not in self.framework.safeguard_index:
                raise field_error("safeguard_id", f"unknown safeguard {safeguard_id!r}")
            if not body:
                sg = self.framework.safeguard_index[safeguard_id]
                body = f"Please add the safeguard “{sg.name}” ({safeguard_id})."
        if not body:
            raise field_error("body", "the comment is empty")
        if len(body) > MAX_TEXT:
            raise field_error("body", f"the comment is longer than {MAX_TEXT:,} characters")
        if kind != "comment" and not actor.can_review:
            raise PermissionDeniedError("only a reviewer can request changes or safeguards")
        with self.db.write() as s:
            p = visible(s, actor, proposal_id)
            c = Comment(
                proposal_id=p.id,
                revision_number=p.current_revision,
                author_id=actor.id,
                kind=kind,
                safeguard_id=safeguard_id,
                body=body,
                created_at=utcnow(),
            )
            s.add(c)
            if kind != "comment":
                p.status = "changes_requested"
                p.updated_at = utcnow()
            s.flush()
            audit.append(
                s,
                actor=actor.username,
                action=f"comment.{kind}",
                object_type="proposal",
                object_id=p.id,
                details={
                    "comment": c.id,
                    "revision": p.current_revision,
                    "safeguard": safeguard_id,
                    "body_sha256": digest(body),
                },
                records=[("comments", c.id)],
            )
            return comment_view(c, {actor.id: actor.username})

    def decide(
        self,
        actor: Actor,
        proposal_id: int,
        *,
        outcome: str,
        reasoning: str,
        base_revision: int,
        conditions: str = "",
    ) -> DecisionView:
        """Record a reviewer's decision on the revision the reviewer looked at."""
        if not actor.can_review:
            raise PermissionDeniedError("only a reviewer or admin can record a decision")
        if outcome not in OUTCOMES:
            raise field_error(
                "outcome", f"unknown outcome {outcome!r} (use one of {', '.join(OUTCOMES)})"
            )
        reasoning, conditions = reasoning.strip(), conditions.strip()
        if len(reasoning) < MIN_REASONING:
            raise field_error(
                "reasoning",
                f"give the reasoning for the decision (at least {MIN_REASONING} characters)",
            )
        if len(reasoning) > MAX_TEXT or len(conditions) > MAX_TEXT:
            raise field_error("reasoning", f"the text is longer than {MAX_TEXT:,} characters")
        if outcome == "approved_with_conditions" and not conditions:
            raise field_error("conditions", "state the conditions of the approval")
        with self.db.write() as s:
            p = visible(s, actor, proposal_id)
            if p.owner_id == actor.id:
                raise PermissionDeniedError("a reviewer cannot decide on their own proposal")
            if p.current_revision != base_revision:
                raise conflict(proposal_id, base_revision, p.current_revision)
            rev = revision_row(s, p.id, None, p.current_revision)
            rec = s.scalar(select(AssessmentRecord).where(AssessmentRecord.revision_id == rev.id))
            assert rec is not None
            d = Decision(
                proposal_id=p.id,
                revision_number=rev.number,
                assessment_id=rec.id,
                reviewer_id=actor.id,
                outcome=outcome,
                reasoning=reasoning,
                conditions=conditions,
                created_at=utcnow(),
            )
            s.add(d)
            p.status = outcome
            p.updated_at = utcnow()
            s.flush()
            audit.append(
                s,
                actor=actor.username,
                action="decision.record",
                object_type="proposal",
                object_id=p.id,
                details={
                    "decision": d.id,
                    "outcome": outcome,
                    "revision": rev.number,
                    "revision_sha256": rev.sha256,
                    "assessment": rec.id,
                    "verdict": rec.verdict,
                    "reasoning_sha256": digest(reasoning),
                    "conditions_sha256": digest(conditions),
                },
                records=[("decisions", d.id)],
            )
            return decision_view(d, {actor.id: actor.username})
