"""Failed sign-ins get progressive delays (never a lock-out); expired sessions are purged.

Runs on SQLite and PostgreSQL.  Time is the workflow's clock, moved by the test (no sleeping).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from detente.errors import AuthenticationError, LoginThrottledError, PermissionDeniedError
from detente.store.db import Database, open_database
from detente.store.models import LoginFailure, WebSession
from detente.store.service import Workflow


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    d = open_database(db_url)
    yield d
    d.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def wf(db: Database, clock: Clock) -> Workflow:
    w = Workflow(db, clock=clock)
    w.create_user("alice", "alice-password", "submitter")
    w.create_user("bob", "bob-password", "submitter")
    return w


def _fail(wf: Workflow, name: str, client: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationError) as ei:
            wf.authenticate(name, "wrong-password", client=client)
        assert not isinstance(ei.value, LoginThrottledError)


def _throttled(wf: Workflow, name: str, password: str, client: str) -> LoginThrottledError:
    with pytest.raises(LoginThrottledError) as ei:
        wf.authenticate(name, password, client=client)
    return ei.value


def test_lock_out_attempt_against_the_administrator_fails(wf: Workflow, clock: Clock) -> None:
    """Hundreds of wrong passwords for 'root' from many addresses never keep the right one out
    from a new address, and the guessers are slowed down."""
    wf.create_user("root", "root-password-long", "admin")
    for i in range(200):
        try:
            wf.authenticate("root", "wrong-password", client=f"10.0.{i % 7}.1")
        except LoginThrottledError:
            clock.now += timedelta(seconds=1)
        except AuthenticationError:
            pass
    # a new address: straight in, no delay at all
    assert wf.authenticate("root", "root-password-long", client="192.0.2.50").username == "root"
    # a guesser's address is held back; the wait is bounded
    err = _throttled(wf, "root", "root-password-long", "10.0.1.1")
    assert "for this user name" in err.message
    assert err.retry_after <= 15 * 60


def test_delays_grow_progressively_and_stay_short_for_the_user_name(
    wf: Workflow, clock: Clock
) -> None:
    _fail(wf, "alice", "10.0.0.1", 3)  # the first few failures: no delay
    err = _throttled(wf, "alice", "alice-password", "10.0.0.1")  # then 1 s, 2 s, 4 s …
    assert err.retry_after == 1
    clock.now += timedelta(seconds=1)
    _fail(wf, "alice", "10.0.0.1")
    assert _throttled(wf, "alice", "alice-password", "10.0.0.1").retry_after == 2
    # from many addresses, the user-name delay is capped at 30 seconds
    for i in range(30):
        clock.now += timedelta(minutes=1)
        try:
            wf.authenticate("alice", "wrong-password", client=f"10.1.0.{i % 3}")
        except LoginThrottledError:
            pass
        except AuthenticationError:
            pass
    assert _throttled(wf, "alice", "alice-password", "10.1.0.2").retry_after <= 30 + 60
    assert wf.authenticate("alice", "alice-password", client="10.9.9.9").username == "alice"


def test_one_noisy_address_only_delays_the_people_behind_it_briefly(
    wf: Workflow, clock: Clock
) -> None:
    for name in ("nobody1", "nobody2", "nobody3", "alice", "nobody5"):
        _fail(wf, name, "192.0.2.7")
    err = _throttled(wf, "bob", "bob-password", "192.0.2.7")
    assert "from this address" in err.message and err.retry_after <= 60
    assert wf.authenticate("bob", "bob-password", client="192.0.2.8").username == "bob"
    clock.now += timedelta(seconds=err.retry_after)
    assert wf.authenticate("bob", "bob-password", client="192.0.2.7").username == "bob"


def test_an_administrator_can_unlock(wf: Workflow, clock: Clock) -> None:
    _fail(wf, "alice", "10.0.0.1", 3)
    for _ in range(6):
        clock.now += timedelta(minutes=2)
        try:
            wf.authenticate("alice", "wrong-password", client="10.0.0.1")
        except LoginThrottledError:
            pass
        except AuthenticationError:
            pass
    assert _throttled(wf, "alice", "alice-password", "10.0.0.1").retry_after > 30
    wf.create_user("root", "root-password-long", "admin")
    root = wf.authenticate("root", "root-password-long", client="10.2.2.2")
    assert wf.unlock_user(root, "alice") >= 9
    assert wf.authenticate("alice", "alice-password", client="10.0.0.1").username == "alice"
    assert wf.audit_by_action(["user.unlock"])[0].details["username"] == "alice"
    with pytest.raises(PermissionDeniedError):
        wf.unlock_user(wf.authenticate("bob", "bob-password"), "alice")


def test_a_successful_sign_in_forgives_only_its_own_addresss_failures(wf: Workflow) -> None:
    _fail(wf, "alice", "a", 2)
    wf.authenticate("alice", "alice-password", client="a")
    _fail(wf, "alice", "a", 2)
    assert wf.authenticate("alice", "alice-password", client="a").username == "alice"


def test_throttled_attempts_are_not_counted_and_old_failures_are_purged(
    wf: Workflow, db: Database, clock: Clock
) -> None:
    _fail(wf, "alice", "a", 3)
    for _ in range(3):
        with pytest.raises(LoginThrottledError):
            wf.authenticate("alice", "wrong-password", client="a")
    with db.read() as s:
        assert s.scalar(select(func.count(LoginFailure.id))) == 3
    clock.now += timedelta(minutes=16)
    assert wf.cleanup() == {"expired_sessions": 0, "old_login_failures": 3}


def test_expired_sessions_are_purged_on_sign_in_and_by_cleanup(
    wf: Workflow, db: Database, clock: Clock
) -> None:
    alice = wf.authenticate("alice", "alice-password")
    old_token, _ = wf.create_session(alice)
    assert wf.session_actor(old_token) is not None
    clock.now += timedelta(hours=12, seconds=1)
    assert wf.session_actor(old_token) is None  # expired, still stored
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 1
    new_token, _ = wf.create_session(alice)  # signing in purges expired sessions
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 1
    assert wf.session_actor(new_token) is not None
    clock.now += timedelta(hours=13)
    assert wf.cleanup()["expired_sessions"] == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0
