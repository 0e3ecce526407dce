"""Read-only views of stored objects (pydantic): what pages and the REST API show."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializationInfo, field_serializer

from detente.model.diligence import DueDiligence


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


Role = Literal["submitter", "reviewer", "admin"]
Status = Literal[
    "submitted", "changes_requested", "approved", "approved_with_conditions", "rejected"
]
Outcome = Literal["approved", "approved_with_conditions", "rejected"]
CommentKind = Literal["comment", "request_changes", "request_safeguard"]


class Actor(_View):
    """The signed-in user a request acts as."""

    id: int
    username: str
    role: Role

    @property
    def can_review(self) -> bool:
        return self.role in ("reviewer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class UserView(_View):
    id: int
    username: str
    role: Role
    active: bool
    created_at: datetime


class TokenView(_View):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class ProposalSummary(_View):
    id: int
    key: str
    title: str
    owner: str
    owner_id: int
    status: Status
    current_revision: int
    verdict: str | None
    verdict_label: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def etag(self) -> str:
        return f'"p{self.id}-r{self.current_revision}"'


class RevisionMeta(_View):
    number: int
    source_format: str
    sha256: str
    author: str
    note: str
    created_at: datetime
    verdict: str | None
    verdict_label: str | None


class RevisionView(RevisionMeta):
    source_text: str
    # the proposal document as submitted (the form and the editor start from it): free-form input
    # on purpose, it is validated as a Proposal only when assessed
    data: dict[str, Any]


class AssessmentMeta(_View):
    id: int
    revision_number: int
    verdict: str
    verdict_label: str
    framework_id: str
    framework_version: str
    rules_version: str
    catalogue_version: str
    tool_version: str
    proposal_sha256: str
    created_at: datetime


class ScreeningView(_View):
    status: Literal["checked", "not_checked"]
    reason: str
    flags: list[str]
    data: DueDiligence | None = Field(title="Data")

    @field_serializer("data")
    def _recorded(self, dd: DueDiligence | None, info: SerializationInfo) -> dict[str, Any] | None:
        return dd.recorded(mode=info.mode) if dd is not None else None  # as stored, byte for byte


class CommentView(_View):
    id: int
    revision_number: int
    author: str
    kind: CommentKind
    safeguard_id: str | None
    body: str
    created_at: datetime


class DecisionView(_View):
    id: int
    revision_number: int
    assessment_id: int
    reviewer: str
    outcome: Outcome
    reasoning: str
    conditions: str
    created_at: datetime


class DispositionView(_View):
    """A reviewer's disposition of one (subject, list entry) screening match."""

    id: int
    subject_key: str
    entry_id: str
    entry_fingerprint: str
    decision: Literal["true_match", "false_positive"]
    reason: str
    reviewer: str
    decided_at: str


class ProposalDetail(ProposalSummary):
    revisions: list[RevisionMeta]
    comments: list[CommentView]
    decisions: list[DecisionView]


class AuditView(_View):
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str
