"""The review workflow: what the web pages, the REST API and the CLI all call.

:class:`Workflow` is a thin facade: it builds one :class:`~detente.store.services.StoreContext`
(database, framework, assessment options, clock) and one service per responsibility
on it, and exposes their methods under the names callers have always used:

* :class:`~detente.store.services.AccountService` — users and signing in, throttled by
  :class:`~detente.store.services.LoginThrottle`;
* :class:`~detente.store.services.SessionService` — web sessions;
* :class:`~detente.store.services.TokenService` — personal API tokens;
* :class:`~detente.store.services.ProposalService` — submitting and revising proposals;
* :class:`~detente.store.services.ReadingService` — reading proposals and assessments;
* :class:`~detente.store.services.ReviewService` — comments and decisions;
* :class:`~detente.store.services.DispositionService` — screening-match dispositions;
* :class:`~detente.store.services.AuditService` — the audit log.

Every change happens in one write transaction together with its audit entry,
so either both are stored or neither.  Revisions are never changed or
deleted; a revision is accepted only against the revision its author started
from (optimistic locking), otherwise :class:`~detente.errors.ConflictError`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from detente.errors import LoginThrottledError
from detente.framework.loader import get_framework
from detente.framework.model import Framework
from detente.pipeline import AssessOptions
from detente.store.db import Database
from detente.store.models import utcnow
from detente.store.services import (
    AccountService,
    AuditService,
    DispositionService,
    LoginThrottle,
    ProposalService,
    ReadingService,
    ReviewService,
    SessionService,
    StoreContext,
    TokenService,
)
from detente.store.services._base import LOGIN_MAX_FAILURES, LOGIN_WINDOW, MAX_TEXT, Service
from detente.store.services.proposals import run_diligence, screening_status
from detente.store.services.review import MIN_REASONING
from detente.store.services.sessions import SESSION_LIFETIME
from detente.store.services.throttle import ADDRESS_DELAY_CAP, PAIR_DELAY_CAP, USER_DELAY_CAP

__all__ = [
    "ADDRESS_DELAY_CAP",
    "LOGIN_MAX_FAILURES",
    "LOGIN_WINDOW",
    "MAX_TEXT",
    "MIN_REASONING",
    "PAIR_DELAY_CAP",
    "SESSION_LIFETIME",
    "USER_DELAY_CAP",
    "LoginThrottledError",
    "Workflow",
    "run_diligence",
    "screening_status",
]


class Workflow(Service):
    """Proposals, assessments, comments, decisions, accounts and the audit log (a facade)."""

    def __init__(
        self,
        db: Database,
        framework: Framework | None = None,
        *,
        login_max_failures: int = LOGIN_MAX_FAILURES,
        login_window: timedelta = LOGIN_WINDOW,
        clock: Callable[[], datetime] = utcnow,
        options: AssessOptions | None = None,
    ) -> None:
        self.ctx = StoreContext(
            db=db,
            framework=framework or get_framework(),
            options=options or AssessOptions(),  # the same options the CLI passes
            clock=clock,
            login_max_failures=login_max_failures,
            login_window=login_window,
        )
        throttle = LoginThrottle(self.ctx)
        self.accounts = AccountService(self.ctx, throttle)
        self.sessions = SessionService(self.ctx, throttle)
        self.tokens = TokenService(self.ctx)
        self.dispositions = DispositionService(self.ctx)
        self.proposals = ProposalService(self.ctx, self.dispositions)
        self.reading = ReadingService(self.ctx)
        self.review = ReviewService(self.ctx)
        self.audit = AuditService(self.ctx)

        # accounts
        self.create_user = self.accounts.create_user
        self.list_users = self.accounts.list_users
        self.get_user = self.accounts.get_user
        self.update_user = self.accounts.update_user
        self.unlock_user = self.accounts.unlock_user
        self.authenticate = self.accounts.authenticate
        # sessions
        self.create_session = self.sessions.create_session
        self.session_actor = self.sessions.session_actor
        self.cleanup = self.sessions.cleanup
        self.end_session = self.sessions.end_session
        # API tokens
        self.create_token = self.tokens.create_token
        self.list_tokens = self.tokens.list_tokens
        self.revoke_token = self.tokens.revoke_token
        self.token_actor = self.tokens.token_actor
        # proposals
        self.parse = self.proposals.parse
        self.assess_text = self.proposals.assess_text
        self.submit = self.proposals.submit
        self.revise = self.proposals.revise
        # reading
        self.list_proposals = self.reading.list_proposals
        self.counts = self.reading.counts
        self.get = self.reading.get
        self.revision = self.reading.revision
        self.assessment = self.reading.assessment
        self.assessment_data = self.reading.assessment_data
        self.screening = self.reading.screening
        # review
        self.comment = self.review.comment
        self.decide = self.review.decide
        # dispositions
        self.record_disposition = self.dispositions.record_disposition
        self.list_dispositions = self.dispositions.list_dispositions
        self.disposition_set = self.dispositions.disposition_set
        # audit
        self.record = self.audit.record
        self.audit_entries = self.audit.audit_entries
        self.audit_by_action = self.audit.audit_by_action
        self.audit_entry = self.audit.audit_entry
        self.verify_audit = self.audit.verify_audit
        self.audit_anchor = self.audit.audit_anchor
        self.audit_baseline = self.audit.audit_baseline

    @property
    def login_max_failures(self) -> int:
        return self.ctx.login_max_failures

    @property
    def login_window(self) -> timedelta:
        return self.ctx.login_window
