"""User accounts: creating, listing, changing, unlocking and signing in users."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from detente.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from detente.store import audit
from detente.store.accounts import (
    MIN_PASSWORD,
    hash_password,
    needs_rehash,
    verify_password,
)
from detente.store.models import (
    ROLES,
    User,
    WebSession,
    utcnow,
)
from detente.store.services._base import (
    Service,
    StoreContext,
    actor_of,
    field_error,
)
from detente.store.services.throttle import LoginThrottle
from detente.store.views import (
    Actor,
    UserView,
)

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}$")


def user_view(u: User) -> UserView:
    return UserView(
        id=u.id, username=u.username, role=u.role, active=u.active, created_at=u.created_at
    )


def check_role(role: str) -> None:
    if role not in ROLES:
        raise field_error("role", f"unknown role {role!r} (use one of {', '.join(ROLES)})")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise field_error("password", f"the password must have at least {MIN_PASSWORD} characters")


class AccountService(Service):
    """Users: create, list, change, unlock, and sign in (throttled by :class:`LoginThrottle`)."""

    def __init__(self, ctx: StoreContext, throttle: LoginThrottle) -> None:
        super().__init__(ctx)
        self.throttle = throttle

    def create_user(self, username: str, password: str, role: str, *, by: str = "cli") -> UserView:
        username = username.strip()
        if not _USERNAME.match(username):
            raise field_error(
                "username",
                "a user name is 1–64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit",
            )
        check_role(role)
        check_password(password)
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
                return user_view(user)
        except SAIntegrityError:
            raise ConflictError(f"a user named {username!r} already exists") from None

    def list_users(self) -> list[UserView]:
        with self.db.read() as s:
            return [user_view(u) for u in s.scalars(select(User).order_by(User.username))]

    def get_user(self, username: str) -> UserView:
        with self.db.read() as s:
            u = s.scalar(select(User).where(User.username == username))
            if u is None:
                raise NotFoundError(f"no user named {username!r}")
            return user_view(u)

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
            check_role(role)
        if password is not None:
            check_password(password)
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
            return user_view(u)

    def unlock_user(self, actor: Actor | str, username: str) -> int:
        """Clear a user name's failed sign-ins (an administrator's unlock); how many were cleared."""
        by = actor if isinstance(actor, str) else actor.username
        if isinstance(actor, Actor) and not actor.is_admin:
            raise PermissionDeniedError("only an admin can unlock a user")
        key = self.throttle.key(username)
        with self.db.write() as s:
            u = s.scalar(select(User).where(User.username == username.strip()))
            if u is None:
                raise NotFoundError(f"no user named {username!r}")
            n = self.throttle.clear(s, key)
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
        password, so a guess during a delay is refused unread) — see :meth:`LoginThrottle.check`.
        """
        key = self.throttle.key(username)
        client = client[:64] if client else None
        now = self.clock()
        with self.db.read() as s:
            self.throttle.check(s, key, client, now)
            u = s.scalar(select(User).where(User.username == username.strip()))
            ok = verify_password(u.password_hash if u is not None else None, password)
        if u is None or not ok or not u.active:
            with self.db.write() as s:
                self.throttle.record_failure(s, key, client, now)
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
            self.throttle.forgive(s, key, client)
        if needs_rehash(u.password_hash):
            with self.db.write() as s:
                s.execute(
                    update(User)
                    .where(User.id == u.id)
                    .values(password_hash=hash_password(password))
                )
        return actor_of(u)
