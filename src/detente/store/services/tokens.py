"""Personal API tokens: create (shown once), list, revoke, and authenticate by token."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from detente.errors import (
    AuthenticationError,
    NotFoundError,
)
from detente.store import audit
from detente.store.accounts import (
    new_api_token,
    sha256_hex,
)
from detente.store.models import (
    ApiToken,
    User,
    utcnow,
)
from detente.store.services._base import (
    Service,
    actor_of,
    field_error,
)
from detente.store.views import (
    Actor,
    TokenView,
)


def token_view(t: ApiToken) -> TokenView:
    return TokenView(
        id=t.id,
        name=t.name,
        prefix=t.prefix,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        revoked=t.revoked,
    )


class TokenService(Service):
    """API tokens; only their SHA-256 is stored."""

    def create_token(self, actor: Actor, name: str) -> tuple[str, TokenView]:
        """A new personal API token; the raw token is returned once and only its hash is stored."""
        name = name.strip() or "api token"
        if len(name) > 100:
            raise field_error("name", "a token name has at most 100 characters")
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
            return raw, token_view(t)

    def list_tokens(self, actor: Actor) -> list[TokenView]:
        with self.db.read() as s:
            q = select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id)
            return [token_view(t) for t in s.scalars(q)]

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
        return actor_of(user)
