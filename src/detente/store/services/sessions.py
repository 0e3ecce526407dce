"""Web sign-in sessions: create, look up, end, and purge expired ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from detente.store import audit
from detente.store.accounts import (
    new_secret,
    sha256_hex,
)
from detente.store.models import (
    User,
    WebSession,
)
from detente.store.services._base import (
    Service,
    StoreContext,
    actor_of,
)
from detente.store.services.throttle import LoginThrottle
from detente.store.views import (
    Actor,
)

SESSION_LIFETIME = timedelta(hours=12)


class SessionService(Service):
    """Cookie sessions (only the token's hash is stored) and their CSRF tokens."""

    def __init__(self, ctx: StoreContext, throttle: LoginThrottle) -> None:
        super().__init__(ctx)
        self.throttle = throttle

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
        return actor_of(user), str(csrf)

    def _purge(self, s: Session, now: datetime) -> tuple[int, int]:
        sessions = s.execute(delete(WebSession).where(WebSession.expires_at <= now))
        n = int(sessions.rowcount or 0)  # type: ignore[attr-defined]
        return n, self.throttle.purge(s, now)

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
