"""The review workflow: what the web pages, the REST API and the CLI all call.

Every change happens in one write transaction together with its audit entry,
so either both are stored or neither.  Revisions are never changed or
deleted; a revision is accepted only against the revision its author started
from (optimistic locking), otherwise :class:`~detente.errors.ConflictError`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from detente.assessment.loader import parse_proposal
from detente.assessment.result import Assessment
from detente.errors import (
    AuthenticationError,
    ConflictError,
    DetenteError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
)
from detente.framework.loader import get_framework
from detente.framework.model import Framework
from detente.model.diligence import DueDiligence
from detente.model.proposal import Proposal as ProposalModel
from detente.pipeline import AssessOptions, run_assessment, screen
from detente.store import audit
from detente.store.accounts import (
    MIN_PASSWORD,
    hash_password,
    needs_rehash,
    new_api_token,
    new_secret,
    sha256_hex,
    verify_password,
)
from detente.store.db import Database
from detente.store.models import (
    COMMENT_KINDS,
    DISPOSITION_CONTENT,
    OUTCOMES,
    ROLES,
    STATUSES,
    ApiToken,
    AssessmentRecord,
    AuditEntry,
    Comment,
    Decision,
    DispositionRow,
    LoginFailure,
    Proposal,
    Revision,
    ScreeningRecord,
    User,
    WebSession,
    utcnow,
)
from detente.store.views import (
    Actor,
    AssessmentMeta,
    AuditView,
    CommentView,
    DecisionView,
    DispositionView,
    ProposalDetail,
    ProposalSummary,
    RevisionMeta,
    RevisionView,
    ScreeningView,
    TokenView,
    UserView,
)

_Q = TypeVar("_Q", bound="Select[*tuple[Any, ...]]")

SESSION_LIFETIME = timedelta(hours=12)
LOGIN_MAX_FAILURES = 5  # failures for a user name (or an address) before delays start
LOGIN_WINDOW = timedelta(minutes=15)
PAIR_DELAY_CAP = timedelta(minutes=15)  # one user name from one address
USER_DELAY_CAP = timedelta(seconds=30)  # one user name from addresses that failed for it
ADDRESS_DELAY_CAP = timedelta(seconds=60)  # one address, any user names
MAX_TEXT = 20_000
MIN_REASONING = 10
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}$")


class LoginThrottledError(AuthenticationError):
    """Too many failed sign-ins for a user name or from a client address (HTTP 429)."""

    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def _field_error(field: str, message: str) -> InputError:
    return InputError(message, problems=[Problem(message, field=field)])


def _fmt_for(source: str, text: str) -> str:
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


class Workflow:
    """Proposals, assessments, comments, decisions, accounts and the audit log."""

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
        self.db = db
        self.framework = framework or get_framework()
        self.options = options or AssessOptions()  # the same options the CLI passes
        self.login_max_failures = login_max_failures
        self.login_window = login_window
        self.clock = clock  # sign-in throttling and session expiry (tests move it)

    # ------------------------------------------------------------------ accounts

    @staticmethod
    def _user_view(u: User) -> UserView:
        return UserView(
            id=u.id, username=u.username, role=u.role, active=u.active, created_at=u.created_at
        )

    @staticmethod
    def _actor(u: User) -> Actor:
        return Actor(id=u.id, username=u.username, role=u.role)

    @staticmethod
    def _check_role(role: str) -> None:
        if role not in ROLES:
            raise _field_error("role", f"unknown role {role!r} (use one of {', '.join(ROLES)})")

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise _field_error(
                "password", f"the password must have at least {MIN_PASSWORD} characters"
            )

    def create_user(self, username: str, password: str, role: str, *, by: str = "cli") -> UserView:
        username = username.strip()
        if not _USERNAME.match(username):
            raise _field_error(
                "username",
                "a user name is 1–64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit",
            )
        self._check_role(role)
        self._check_password(password)
        hashed = hash_password(password)
        try:
            with self.db.write() as s:
                if s.scalar(select(User.id).where(User.username == username)) is not None:
                    raise ConflictError(f"a user named {username!r} already exists")
                user = User(
                    username=username,
                    password_hash=hashed,
                    role=role,
                    active=True,
                    created_at=utcnow(),
                )
                s.add(user)
                s.flush()
                audit.append(
                    s,
                    actor=by,
                    action="user.create",
                    object_type="user",
                    object_id=user.id,
                    details={"username": username, "role": role},
                    records=[("users", user.id)],
                )
                return self._user_view(user)
        except SAIntegrityError:
            raise ConflictError(f"a user named {username!r} already exists") from None

    def list_users(self) -> list[UserView]:
        with self.db.read() as s:
            return [self._user_view(u) for u in s.scalars(select(User).order_by(User.username))]

    def get_user(self, username: str) -> UserView:
        with self.db.read() as s:
            u = s.scalar(select(User).where(User.username == username))
            if u is None:
                raise NotFoundError(f"no user named {username!r}")
            return self._user_view(u)

    def update_user(
        self,
        actor: Actor | str,
        user_id: int,
        *,
        role: str | None = None,
        active: bool | None = None,
        password: str | None = None,
    ) -> UserView:
        by = actor if isinstance(actor, str) else actor.username
        if isinstance(actor, Actor) and not actor.is_admin:
            raise PermissionDeniedError("only an admin can change users")
        if role is not None:
            self._check_role(role)
        if password is not None:
            self._check_password(password)
        with self.db.write() as s:
            u = s.get(User, user_id)
            if u is None:
                raise NotFoundError(f"no user with id {user_id}")
            changes: dict[str, Any] = {}
            if role is not None and role != u.role:
                changes["role"] = [u.role, role]
                u.role = role
            if active is not None and active != u.active:
                changes["active"] = [u.active, active]
                u.active = active
                if not active:
                    s.query(WebSession).filter(WebSession.user_id == u.id).delete()
            if password is not None:
                u.password_hash = hash_password(password)
                changes["password"] = "changed"
            if changes:
                audit.append(
                    s,
                    actor=by,
                    action="user.update",
                    object_type="user",
                    object_id=u.id,
                    details={"username": u.username, **changes},
                    records=[("users", u.id)],
                )
            return self._user_view(u)

    @staticmethod
    def _throttle_key(username: str) -> str:
        return username.strip().casefold()[:64] or "?"

    def _recent(self, s: Session, now: datetime, *conds: Any) -> tuple[int, datetime | None]:
        """(failures in the window, time of the newest) for these conditions."""
        row = s.execute(
            select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
                LoginFailure.at > now - self.login_window, *conds
            )
        ).one()
        return int(row[0] or 0), row[1]

    @staticmethod
    def _delay(failures: int, free: int, cap: timedelta) -> timedelta:
        """No delay for the first ``free`` failures, then 1 s, 2 s, 4 s … up to ``cap``."""
        if failures < free:
            return timedelta(0)
        return min(cap, timedelta(seconds=2 ** min(failures - free, 20)))

    def _check_throttle(self, s: Session, key: str, client: str | None, now: datetime) -> None:
        """LoginThrottledError while a progressive delay is running; never a lock-out.

        Three counters over ``login_window``:

        * this user name from this address: delays after a few failures, growing to
          :data:`PAIR_DELAY_CAP` (the guesser's own address pays);
        * this user name from any address: delays growing to only
          :data:`USER_DELAY_CAP`, and an address that has not failed for this name in the
          window (a *new* address) is not held by it at all — so failures by someone else
          can never keep the right password out;
        * this address for any user name: delays growing to :data:`ADDRESS_DELAY_CAP`
          (short, because many people may share an address).
        """
        free = self.login_max_failures
        addr = client or "-"
        pair_n, pair_last = self._recent(
            s, now, LoginFailure.username == key, LoginFailure.client == addr
        )
        waits: list[tuple[datetime, str]] = []
        if pair_n and pair_last is not None:
            waits.append(
                (
                    pair_last + self._delay(pair_n, max(1, free - 2), PAIR_DELAY_CAP),
                    "for this user name",
                )
            )
            user_n, user_last = self._recent(s, now, LoginFailure.username == key)
            if user_last is not None:
                waits.append(
                    (user_last + self._delay(user_n, free, USER_DELAY_CAP), "for this user name")
                )
        if client is not None:
            addr_n, addr_last = self._recent(s, now, LoginFailure.client == addr)
            if addr_last is not None:
                waits.append(
                    (addr_last + self._delay(addr_n, free, ADDRESS_DELAY_CAP), "from this address")
                )
        if not waits:
            return
        until, what = max(waits, key=lambda w: w[0])
        wait = math.ceil((until - now).total_seconds())
        if wait <= 0:
            return
        when = f"{wait} second{'s' if wait != 1 else ''}"
        if wait >= 120:
            minutes = (wait + 59) // 60
            when = f"{minutes} minutes"
        raise LoginThrottledError(
            f"too many failed sign-ins {what}: try again in {when}", retry_after=wait
        )

    def unlock_user(self, actor: Actor | str, username: str) -> int:
        """Clear a user name's failed sign-ins (an administrator's unlock); how many were cleared."""
        by = actor if isinstance(actor, str) else actor.username
        if isinstance(actor, Actor) and not actor.is_admin:
            raise PermissionDeniedError("only an admin can unlock a user")
        key = self._throttle_key(username)
        with self.db.write() as s:
            u = s.scalar(select(User).where(User.username == username.strip()))
            if u is None:
                raise NotFoundError(f"no user named {username!r}")
            res = s.execute(delete(LoginFailure).where(LoginFailure.username == key))
            n = int(res.rowcount or 0)  # type: ignore[attr-defined]
            audit.append(
                s,
                actor=by,
                action="user.unlock",
                object_type="user",
                object_id=u.id,
                details={"username": u.username, "failures_cleared": n},
            )
            return n

    def authenticate(self, username: str, password: str, *, client: str | None = None) -> Actor:
        """The user with this name and password.  Failures are counted per user name, per
        address and per both; each counter imposes a progressive delay (checked before the
        password, so a guess during a delay is refused unread) — see :meth:`_check_throttle`.
        """
        key = self._throttle_key(username)
        client = client[:64] if client else None
        now = self.clock()
        with self.db.read() as s:
            self._check_throttle(s, key, client, now)
            u = s.scalar(select(User).where(User.username == username.strip()))
            ok = verify_password(u.password_hash if u is not None else None, password)
        if u is None or not ok or not u.active:
            with self.db.write() as s:
                s.add(LoginFailure(username=key, client=client or "-", at=now))
                audit.append(
                    s,
                    actor=username.strip()[:64] or "?",
                    action="auth.login_failed",
                    object_type="user",
                    object_id=u.id if u is not None else "-",
                    details={"client": client} if client else {},
                )
            raise AuthenticationError("wrong user name or password")
        with self.db.write() as s:
            # Only this address's own failures are forgiven: others' stay counted against them.
            s.execute(
                delete(LoginFailure).where(
                    LoginFailure.username == key, LoginFailure.client == (client or "-")
                )
            )
        if needs_rehash(u.password_hash):
            with self.db.write() as s:
                s.execute(
                    update(User)
                    .where(User.id == u.id)
                    .values(password_hash=hash_password(password))
                )
        return self._actor(u)

    # ------------------------------------------------------------------ sessions

    def create_session(self, actor: Actor) -> tuple[str, str]:
        """A new login session: (cookie token, CSRF token)."""
        token, csrf = new_secret(), new_secret()
        now = self.clock()
        with self.db.write() as s:
            self._purge(s, now)
            s.add(
                WebSession(
                    id=sha256_hex(token),
                    user_id=actor.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                )
            )
            audit.append(
                s, actor=actor.username, action="auth.login", object_type="user", object_id=actor.id
            )
        return token, csrf

    def session_actor(self, token: str) -> tuple[Actor, str] | None:
        """The user and CSRF token of a live session, or None."""
        if not token or len(token) > 200:
            return None
        with self.db.read() as s:
            row = s.execute(
                select(User, WebSession.csrf_token, WebSession.expires_at)
                .join(WebSession, WebSession.user_id == User.id)
                .where(WebSession.id == sha256_hex(token))
            ).one_or_none()
        if row is None:
            return None
        user, csrf, expires = row
        if not user.active or expires <= self.clock():
            return None
        return self._actor(user), str(csrf)

    def _purge(self, s: Session, now: datetime) -> tuple[int, int]:
        sessions = s.execute(delete(WebSession).where(WebSession.expires_at <= now))
        failures = s.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.login_window))
        return int(sessions.rowcount or 0), int(failures.rowcount or 0)  # type: ignore[attr-defined]

    def cleanup(self) -> dict[str, int]:
        """Delete expired sessions and failed sign-ins older than the throttling window."""
        with self.db.write() as s:
            sessions, failures = self._purge(s, self.clock())
        return {"expired_sessions": sessions, "old_login_failures": failures}

    def end_session(self, token: str) -> None:
        with self.db.write() as s:
            sess = s.get(WebSession, sha256_hex(token))
            if sess is not None:
                user = s.get(User, sess.user_id)
                s.delete(sess)
                audit.append(
                    s,
                    actor=user.username if user else "?",
                    action="auth.logout",
                    object_type="user",
                    object_id=sess.user_id,
                )

    # ------------------------------------------------------------------ API tokens

    @staticmethod
    def _token_view(t: ApiToken) -> TokenView:
        return TokenView(
            id=t.id,
            name=t.name,
            prefix=t.prefix,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            revoked=t.revoked,
        )

    def create_token(self, actor: Actor, name: str) -> tuple[str, TokenView]:
        """A new personal API token; the raw token is returned once and only its hash is stored."""
        name = name.strip() or "api token"
        if len(name) > 100:
            raise _field_error("name", "a token name has at most 100 characters")
        raw = new_api_token()
        with self.db.write() as s:
            t = ApiToken(
                user_id=actor.id,
                name=name,
                token_hash=sha256_hex(raw),
                prefix=raw[:10],
                created_at=utcnow(),
                revoked=False,
            )
            s.add(t)
            s.flush()
            audit.append(
                s,
                actor=actor.username,
                action="token.create",
                object_type="token",
                object_id=t.id,
                details={"name": name, "prefix": t.prefix},
            )
            return raw, self._token_view(t)

    def list_tokens(self, actor: Actor) -> list[TokenView]:
        with self.db.read() as s:
            q = select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id)
            return [self._token_view(t) for t in s.scalars(q)]

    def revoke_token(self, actor: Actor, token_id: int) -> None:
        with self.db.write() as s:
            t = s.get(ApiToken, token_id)
            if t is None or (t.user_id != actor.id and not actor.is_admin):
                raise NotFoundError(f"no API token with id {token_id}")
            if not t.revoked:
                t.revoked = True
                audit.append(
                    s,
                    actor=actor.username,
                    action="token.revoke",
                    object_type="token",
                    object_id=t.id,
                )

    def token_actor(self, raw: str) -> Actor:
        if not raw or len(raw) > 200:
            raise AuthenticationError(
                "a valid API token is required (Authorization: Bearer <token>)"
            )
        digest = sha256_hex(raw)
        with self.db.read() as s:
            row = s.execute(
                select(User, ApiToken.id, ApiToken.revoked, ApiToken.last_used_at)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.token_hash == digest)
            ).one_or_none()
        if row is None or row[2] or not row[0].active:
            raise AuthenticationError("the API token is unknown, revoked, or its user is disabled")
        user, token_id, _, last = row
        now = utcnow()
        if last is None or now - last > timedelta(minutes=5):
            # Recorded at most every few minutes, so reads don't all become writes.
            with self.db.write() as s:
                s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        return self._actor(user)

    # ------------------------------------------------------------------ proposals

    def parse(self, text: str, source: str = "proposal.yaml") -> ProposalModel:
        return parse_proposal(text, source, self.framework)

    def assess_text(
        self, text: str, source: str = "proposal.yaml"
    ) -> tuple[ProposalModel, Assessment, str]:
        """Parse and assess without storing: (proposal, assessment, why screening was not run or '')."""
        proposal = self.parse(text, source)
        options = dataclasses.replace(self.options, dispositions=self.disposition_set())
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
            source_format=_fmt_for(source, text),
            data=data,
            sha256=self._digest(text),
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

    @staticmethod
    def _digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

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
            return self._summary(p, actor.username)

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
            p = self._visible(s, actor, proposal_id)
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
                    raise self._conflict(proposal_id, base_revision, current)
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
                return self._summary(p2, owner.username if owner else "?")
        except SAIntegrityError:
            # The unique (proposal, number) constraint caught a concurrent writer.
            raise self._conflict(proposal_id, base_revision, None) from None

    @staticmethod
    def _conflict(proposal_id: int, base: int, current: int | None) -> ConflictError:
        now = f"revision {current}" if current is not None else "a newer revision"
        return ConflictError(
            f"proposal {proposal_id} changed since revision {base}: it is now at {now}. "
            "Reload it, reapply your changes and submit again (nothing was lost).",
            problems=[Problem(f"stale revision {base}; current is {now}", field="base_revision")],
        )

    # ------------------------------------------------------------------ reading

    @staticmethod
    def _summary(p: Proposal, owner: str) -> ProposalSummary:
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

    @staticmethod
    def _visible(s: Session, actor: Actor, proposal_id: int) -> Proposal:
        """The proposal if this actor may see it; NotFoundError otherwise (no existence leak)."""
        p = s.get(Proposal, proposal_id)
        if p is None or (not actor.can_review and p.owner_id != actor.id):
            raise NotFoundError(f"no proposal with id {proposal_id}")
        return p

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
            raise _field_error(
                "status", f"unknown status {status!r} (use one of {', '.join(STATUSES)})"
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
            return [self._summary(p, owner) for p, owner in rows], total

    def counts(self, actor: Actor) -> dict[tuple[str, str], int]:
        """Number of proposals by (status, verdict), for the dashboard."""
        q = self._scoped(
            actor, select(Proposal.status, Proposal.verdict, func.count(Proposal.id))
        ).group_by(Proposal.status, Proposal.verdict)
        with self.db.read() as s:
            return {(st, v or "none"): int(n) for st, v, n in s.execute(q)}

    def _revision_row(
        self, s: Session, proposal_id: int, number: int | None, current: int
    ) -> Revision:
        n = current if number is None else number
        rev = s.scalar(
            select(Revision).where(Revision.proposal_id == proposal_id, Revision.number == n)
        )
        if rev is None:
            raise NotFoundError(f"proposal {proposal_id} has no revision {n} (it has 1–{current})")
        return rev

    def get(self, actor: Actor, proposal_id: int) -> ProposalDetail:
        with self.db.read() as s:
            p = self._visible(s, actor, proposal_id)
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
            base = self._summary(p, names.get(p.owner_id, "?"))
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
                comments=[self._comment_view(c, names) for c in comments],
                decisions=[self._decision_view(d, names) for d in decisions],
            )

    @staticmethod
    def _comment_view(c: Comment, names: dict[int, str]) -> CommentView:
        return CommentView(
            id=c.id,
            revision_number=c.revision_number,
            author=names.get(c.author_id, "?"),
            kind=c.kind,
            safeguard_id=c.safeguard_id,
            body=c.body,
            created_at=c.created_at,
        )

    @staticmethod
    def _decision_view(d: Decision, names: dict[int, str]) -> DecisionView:
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

    def revision(self, actor: Actor, proposal_id: int, number: int | None = None) -> RevisionView:
        with self.db.read() as s:
            p = self._visible(s, actor, proposal_id)
            r = self._revision_row(s, p.id, number, p.current_revision)
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
            p = self._visible(s, actor, proposal_id)
            r = self._revision_row(s, p.id, number, p.current_revision)
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
            p = self._visible(s, actor, proposal_id)
            r = self._revision_row(s, p.id, number, p.current_revision)
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

    # ------------------------------------------------------------------ review

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
            raise _field_error(
                "kind", f"unknown comment kind {kind!r} (use one of {', '.join(COMMENT_KINDS)})"
            )
        safeguard_id = (safeguard_id or "").strip() or None
        if kind == "request_safeguard":
            if not safeguard_id:
                raise _field_error("safeguard_id", "name the safeguard you request")
            if safeguard_id not in self.framework.safeguard_index:
                raise _field_error("safeguard_id", f"unknown safeguard {safeguard_id!r}")
            if not body:
                sg = self.framework.safeguard_index[safeguard_id]
                body = f"Please add the safeguard “{sg.name}” ({safeguard_id})."
        if not body:
            raise _field_error("body", "the comment is empty")
        if len(body) > MAX_TEXT:
            raise _field_error("body", f"the comment is longer than {MAX_TEXT:,} characters")
        if kind != "comment" and not actor.can_review:
            raise PermissionDeniedError("only a reviewer can request changes or safeguards")
        with self.db.write() as s:
            p = self._visible(s, actor, proposal_id)
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
                    "body_sha256": self._digest(body),
                },
                records=[("comments", c.id)],
            )
            return self._comment_view(c, {actor.id: actor.username})

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
            raise _field_error(
                "outcome", f"unknown outcome {outcome!r} (use one of {', '.join(OUTCOMES)})"
            )
        reasoning, conditions = reasoning.strip(), conditions.strip()
        if len(reasoning) < MIN_REASONING:
            raise _field_error(
                "reasoning",
                f"give the reasoning for the decision (at least {MIN_REASONING} characters)",
            )
        if len(reasoning) > MAX_TEXT or len(conditions) > MAX_TEXT:
            raise _field_error("reasoning", f"the text is longer than {MAX_TEXT:,} characters")
        if outcome == "approved_with_conditions" and not conditions:
            raise _field_error("conditions", "state the conditions of the approval")
        with self.db.write() as s:
            p = self._visible(s, actor, proposal_id)
            if p.owner_id == actor.id:
                raise PermissionDeniedError("a reviewer cannot decide on their own proposal")
            if p.current_revision != base_revision:
                raise self._conflict(proposal_id, base_revision, p.current_revision)
            rev = self._revision_row(s, p.id, None, p.current_revision)
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
                    "reasoning_sha256": self._digest(reasoning),
                    "conditions_sha256": self._digest(conditions),
                },
                records=[("decisions", d.id)],
            )
            return self._decision_view(d, {actor.id: actor.username})

    # ------------------------------------------------------------------ dispositions

    @staticmethod
    def _disposition_view(d: DispositionRow) -> DispositionView:
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
                    "content_sha256": self._digest(
                        json.dumps(content, sort_keys=True, ensure_ascii=False)
                    ),
                },
                records=[("dispositions", row.id)],
            )
            return self._disposition_view(row)

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
            return [self._disposition_view(d) for d in rows], total

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

    # ------------------------------------------------------------------ audit

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
            return [self._audit_view(e) for e in rows]

    def audit_entry(self, seq: int) -> AuditView | None:
        with self.db.read() as s:
            e = s.get(AuditEntry, seq)
            return self._audit_view(e) if e is not None else None

    @staticmethod
    def _audit_view(e: AuditEntry) -> AuditView:
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
