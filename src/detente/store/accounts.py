"""Passwords (argon2id), random tokens and their hashes.

Passwords are hashed with argon2-cffi's default parameters (the RFC 9106 low-memory
profile: ``time_cost=3``, ``memory_cost=64 MiB``, ``parallelism=4``).  Only the test
suite swaps in cheaper ones, through :func:`use_password_hasher`.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "dtk_"
MIN_PASSWORD = 8

_state: dict[str, PasswordHasher | str] = {}


def _hasher() -> PasswordHasher:
    h = _state.get("hasher")
    if not isinstance(h, PasswordHasher):
        h = _state["hasher"] = PasswordHasher()
    return h


def use_password_hasher(hasher: PasswordHasher | None) -> None:
    """Hash with ``hasher`` from now on (None: back to the production default).

    For tests: ``PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)`` is a few
    hundred times cheaper.  Stored hashes made with other parameters still verify, and
    are rehashed on the next sign-in."""
    _state.clear()
    if hasher is not None:
        _state["hasher"] = hasher


def _dummy_hash() -> str:
    d = _state.get("dummy")
    if not isinstance(d, str):
        d = _state["dummy"] = _hasher().hash("not-a-real-password")
    return d


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Check a password; takes as long for an unknown user (``stored`` None) as for a known one."""
    try:
        return _hasher().verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher().check_needs_rehash(stored)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_secret() -> str:
    return secrets.token_urlsafe(32)
