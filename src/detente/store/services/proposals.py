"""Proposals: parse, assess and store a proposal and its revisions (optimistic locking)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from detente.assessment.loader import parse_proposal
from detente.assessment.result import Assessment
from detente.errors import (
    PermissionDeniedError,
)
from detente.model.diligence import DueDiligence
from detente.model.proposal import Proposal as ProposalModel
from detente.pipeline import AssessOptions, run_assessment, screen
from detente.store import audit
from detente.store.models import (
    AssessmentRecord,
    Proposal,
    Revision,
    ScreeningRecord,
    User,
    utcnow,
)
from detente.store.services._base import (
    MAX_TEXT,
    Service,
    StoreContext,
    conflict,
    digest,
    summary_view,
    visible,
)
from detente.store.services.dispositions import DispositionService
from detente.store.views import (
    Actor,
    ProposalSummary,
)


def fmt_for(source: str, text: str) -> str:
    s = source.lower()
    if s.endswith(".json"):
        return "json"
    if s.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip().startswith("{") else "yaml"


def run_diligence(
    proposal: ProposalModel, options: AssessOptions | None = None
) -> tuple[DueDiligence | None, str]:
    """Screening for a proposal, or (None, reason) when it cannot run: shown as NOT CHECKED.

    The same function the CLI uses (:func:`detente.pipeline.screen`)."""
    return screen(proposal, options or AssessOptions())


def screening_status(a: Assessment, not_run_reason: str = "") -> tuple[str, str]:
    """("checked" | "not_checked", why not): anything short of a full check counts as not checked."""
    dd = a.due_diligence
    if dd is None:
        return "not_checked", not_run_reason or "screening was not run"
    if "dd.not_checked" not in a.due_diligence_flags:
        return "checked", ""
    notes = [r.note for r in dd.results() if r.status == "not_checked" and r.note]
    missing = [c.list_name or c.list_id for c in dd.coverage if c.status == "not_checked"]
    reason = notes[0] if notes else "some restricted-party lists were not checked"
    if missing:
        reason += f" Lists not checked: {len(missing)} ({', '.join(missing[:3])}{', …' if len(missing) > 3 else ''})."
    return "not_checked", reason


class ProposalService(Service):
    """Submitting and revising proposals; every revision is stored with its assessment."""

    def __init__(self, ctx: StoreContext, dispositions: DispositionService) -> None:
        super().__init__(ctx)
        self.dispositions = dispositions

    def parse(self, text: str, source: str = "proposal.yaml") -> ProposalModel:
        return parse_proposal(text, source, self.framework)

    def assess_text(
        self, text: str, source: str = "proposal.yaml"
    ) -> tuple[ProposalModel, Assessment, str]:
        """Parse and assess without storing: (proposal, assessment, why screening was not run or '')."""
        proposal = self.parse(text, source)
        options = dataclasses.replace(
            self.options, dispositions=self.dispositions.disposition_set()
        )
        r = run_assessment(proposal, self.framework, options)
        return r.proposal, r.assessment, r.not_checked_reason

    def _add_revision(
        self,
        s: Session,
        proposal_id: int,
        number: int,
        text: str,
        source: str,
        data: dict[str, Any],
        actor: Actor,
        note: str,
        now: datetime,
        a: Assessment,
        reason: str,
    ) -> tuple[Revision, AssessmentRecord]:
        """Store one revision of a proposal and its assessment (the caller audits it:
        :meth:`_stored_records` names the rows for the audit entry)."""
        rev = Revision(
            proposal_id=proposal_id,
            number=number,
            source_text=text,
            source_format=fmt_for(source, text),
            data=data,
            sha256=digest(text),
            author_id=actor.id,
            note=note[:MAX_TEXT],
            created_at=now,
        )
        s.add(rev)
        s.flush()
        return rev, self._store_assessment(s, rev, a, reason)

    def _store_assessment(
        self, s: Session, revision: Revision, a: Assessment, not_checked_reason: str
    ) -> AssessmentRecord:
        rec = AssessmentRecord(
            revision_id=revision.id,
            data=a.model_dump(mode="json", by_alias=True),
            verdict=a.verdict.level,
            verdict_label=a.verdict.label,
            framework_id=a.framework.id,
            framework_version=a.framework.version,
            rules_version=a.rules.version,
            catalogue_version=a.safeguards_catalogue.version,
            tool_version=a.tool_version,
            proposal_sha256=a.proposal_sha256,
            created_at=utcnow(),
        )
        s.add(rec)
        s.flush()
        status, reason = screening_status(a, not_checked_reason)
        s.add(
            ScreeningRecord(
                assessment_id=rec.id,
                status=status,
                reason=reason,
                flags=list(a.due_diligence_flags),
                data=a.due_diligence.recorded() if a.due_diligence is not None else None,
                created_at=utcnow(),
            )
        )
        s.flush()
        return rec

    @staticmethod
    def _stored_records(s: Session, rev: Revision, rec: AssessmentRecord) -> list[tuple[str, int]]:
        """The audited rows one stored revision consists of: revision, assessment, screening."""
        out = [("revisions", rev.id), ("assessments", rec.id)]
        sid = s.scalar(select(ScreeningRecord.id).where(ScreeningRecord.assessment_id == rec.id))
        if sid is not None:
            out.append(("screening_results", int(sid)))
        return out

    def submit(
        self, actor: Actor, text: str, *, source: str = "proposal.yaml", note: str = ""
    ) -> ProposalSummary:
        """Store a new proposal (revision 1) with its assessment."""
        proposal, a, reason = self.assess_text(text, source)
        data = proposal.model_dump(mode="json", by_alias=True)
        now = utcnow()
        with self.db.write() as s:
            p = Proposal(
                key=proposal.key[:200],
                title=proposal.title[:500],
                owner_id=actor.id,
                status="submitted",
                current_revision=1,
                verdict=a.verdict.level,
                verdict_label=a.verdict.label,
                created_at=now,
                updated_at=now,
            )
            s.add(p)
            s.flush()
            rev, rec = self._add_revision(
                s, p.id, 1, text, source, data, actor, note, now, a, reason
            )
            audit.append(
                s,
                actor=actor.username,
                action="proposal.submit",
                object_type="proposal",
                object_id=p.id,
                details={
                    "revision": 1,
                    "title": p.title,
                    "sha256": rev.sha256,
                    "assessment": rec.id,
                    "verdict": a.verdict.level,
                    "framework": a.framework.version,
                    "rules": a.rules.version,
                },
                records=self._stored_records(s, rev, rec),
            )
            return summary_view(p, actor.username)

    def revise(
        self,
        actor: Actor,
        proposal_id: int,
        base_revision: int,
        text: str,
        *,
        source: str = "proposal.yaml",
        note: str = "",
    ) -> ProposalSummary:
        """Store a new revision made from ``base_revision``; ConflictError if someone got there first."""
        with self.db.read() as s:
            p = visible(s, actor, proposal_id)
            if p.owner_id != actor.id and not actor.is_admin:
                raise PermissionDeniedError(
                    "only the proposal's submitter (or an admin) can revise it"
                )
        proposal, a, reason = self.assess_text(text, source)
        data = proposal.model_dump(mode="json", by_alias=True)
        now = utcnow()
        new = base_revision + 1
        try:
            with self.db.write() as s:
                res = s.execute(
                    update(Proposal)
                    .where(Proposal.id == proposal_id, Proposal.current_revision == base_revision)
                    .values(
                        current_revision=new,
                        status="submitted",
                        title=proposal.title[:500],
                        key=proposal.key[:200],
                        verdict=a.verdict.level,
                        verdict_label=a.verdict.label,
                        updated_at=now,
                    )
                )
                if res.rowcount != 1:  # type: ignore[attr-defined]
                    current = s.scalar(
                        select(Proposal.current_revision).where(Proposal.id == proposal_id)
                    )
                    raise conflict(proposal_id, base_revision, current)
                rev, rec = self._add_revision(
                    s, proposal_id, new, text, source, data, actor, note, now, a, reason
                )
                audit.append(
                    s,
                    actor=actor.username,
                    action="proposal.revise",
                    object_type="proposal",
                    object_id=proposal_id,
                    details={
                        "revision": new,
                        "base": base_revision,
                        "sha256": rev.sha256,
                        "assessment": rec.id,
                        "verdict": a.verdict.level,
                    },
                    records=self._stored_records(s, rev, rec),
                )
                p2 = s.get(Proposal, proposal_id)
                assert p2 is not None
                owner = s.get(User, p2.owner_id)
                return summary_view(p2, owner.username if owner else "?")
        except SAIntegrityError:
            # The unique (proposal, number) constraint caught a concurrent writer.
            raise conflict(proposal_id, base_revision, None) from None
