"""What the store's services share: one context (database, framework, options, clock)
and the small helpers several of them use (row → view, visibility, digests)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from detente.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    Problem,
)
from detente.framework.model import Framework
from detente.pipeline import AssessOptions
from detente.store.db import Database
from detente.store.models import (
    Comment,
    Decision,
    Proposal,
    Revision,
    User,
    utcnow,
)
from detente.store.views import (
    Actor,
    CommentView,
    DecisionView,
    ProposalSummary,
)

MAX_TEXT = 20_000
LOGIN_MAX_FAILURES = 5  # failures for a user name (or an address) before delays start
LOGIN_WINDOW = timedelta(minutes=15)


@dataclasses.dataclass
class StoreContext:
    """The state every service shares: one database, one framework, one clock.

    The clock drives sign-in throttling and session expiry (tests move it)."""

    db: Database
    framework: Framework
    options: AssessOptions
    clock: Callable[[], datetime] = utcnow
    login_max_failures: int = LOGIN_MAX_FAILURES
    login_window: timedelta = LOGIN_WINDOW


class Service:
    """A service with one responsibility, reading the shared :class:`StoreContext`."""

    def __init__(self, ctx: StoreContext) -> None:
        self.ctx = ctx

    @property
    def db(self) -> Database:
        return self.ctx.db

    @property
    def framework(self) -> Framework:
        return self.ctx.framework

    @property
    def options(self) -> AssessOptions:
        return self.ctx.options

    @property
    def clock(self) -> Callable[[], datetime]:
        """Sign-in throttling and session expiry read this clock (tests move it)."""
        return self.ctx.clock

    @clock.setter
    def clock(self, value: Callable[[], datetime]) -> None:
        self.ctx.clock = value


def field_error(field: str, message: str) -> InputError:
    return InputError(message, problems=[Problem(message, field=field)])


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def actor_of(u: User) -> Actor:
    return Actor(id=u.id, username=u.username, role=u.role)


def visible(s: Session, actor: Actor, proposal_id: int) -> Proposal:
    """The proposal if this actor may see it; NotFoundError otherwise (no existence leak)."""
    p = s.get(Proposal, proposal_id)
    if p is None or (not actor.can_review and p.owner_id != actor.id):
        raise NotFoundError(f"no proposal with id {proposal_id}")
    return p


def revision_row(s: Session, proposal_id: int, number: int | None, current: int) -> Revision:
    n = current if number is None else number
    rev = s.scalar(
        select(Revision).where(Revision.proposal_id == proposal_id, Revision.number == n)
    )
    if rev is None:
        raise NotFoundError(f"proposal {proposal_id} has no revision {n} (it has 1–{current})")
    return rev


def conflict(proposal_id: int, base: int, current: int | None) -> ConflictError:
    now = f"revision {current}" if current is not None else "a newer revision"
    return ConflictError(
        f"proposal {proposal_id} changed since revision {base}: it is now at {now}. "
        "Reload it, reapply your changes and submit again (nothing was lost).",
        problems=[Problem(f"stale revision {base}; current is {now}", field="base_revision")],
    )


def summary_view(p: Proposal, owner: str) -> ProposalSummary:
    return ProposalSummary(
        id=p.id,
        key=p.key,
        title=p.title,
        owner=owner,
        owner_id=p.owner_id,
        status=p.status,
        current_revision=p.current_revision,
        verdict=p.verdict,
        verdict_label=p.verdict_label,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def comment_view(c: Comment, names: dict[int, str]) -> CommentView:
    return CommentView(
        id=c.id,
        revision_number=c.revision_number,
        author=names.get(c.author_id, "?"),
        kind=c.kind,
        safeguard_id=c.safeguard_id,
        body=c.body,
        created_at=c.created_at,
    )


def decision_view(d: Decision, names: dict[int, str]) -> DecisionView:
    return DecisionView(
        id=d.id,
        revision_number=d.revision_number,
        assessment_id=d.assessment_id,
        reviewer=names.get(d.reviewer_id, "?"),
        outcome=d.outcome,
        reasoning=d.reasoning,
        conditions=d.conditions,
        created_at=d.created_at,
    )
