"""Failed sign-ins are rate-limited per user name and per client address; expired sessions are purged.

Runs on SQLite and PostgreSQL.  Time is the workflow's clock, moved by the test (no sleeping).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from detente.errors import AuthenticationError
from detente.store.db import Database, open_database
from detente.store.models import LoginFailure, WebSession
from detente.store.service import LoginThrottledError, Workflow


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


def test_five_failures_per_user_name_block_it_from_any_address(wf: Workflow, clock: Clock) -> None:
    for i in range(5):
        _fail(wf, "alice", f"10.0.0.{i}")
    with pytest.raises(LoginThrottledError) as ei:
        wf.authenticate("alice", "alice-password", client="10.9.9.9")  # even the right password
    assert "for this user name" in ei.value.message
    assert 0 < ei.value.retry_after <= 15 * 60 + 1
    with pytest.raises(LoginThrottledError):
        wf.authenticate("ALICE ", "alice-password", client="10.9.9.9")  # same name, other spelling
    assert wf.authenticate("bob", "bob-password", client="10.9.9.9").username == "bob"
    clock.now += timedelta(minutes=15, seconds=1)
    assert wf.authenticate("alice", "alice-password", client="10.9.9.9").username == "alice"


def test_five_failures_from_one_address_block_it_for_every_user(wf: Workflow, clock: Clock) -> None:
    for name in ("nobody1", "nobody2", "nobody3", "alice", "nobody5"):
        _fail(wf, name, "192.0.2.7")
    with pytest.raises(LoginThrottledError) as ei:
        wf.authenticate("bob", "bob-password", client="192.0.2.7")
    assert "from this address" in ei.value.message
    assert wf.authenticate("bob", "bob-password", client="192.0.2.8").username == "bob"
    # the window slides: four minutes after the first failure, the block is still on
    clock.now += timedelta(minutes=4)
    with pytest.raises(LoginThrottledError):
        wf.authenticate("bob", "bob-password", client="192.0.2.7")


def test_a_successful_sign_in_resets_the_user_names_count(wf: Workflow) -> None:
    _fail(wf, "alice", "a", 4)
    wf.authenticate("alice", "alice-password", client="b")
    _fail(wf, "alice", "c", 4)
    assert wf.authenticate("alice", "alice-password", client="d").username == "alice"


def test_throttled_attempts_are_not_counted_and_old_failures_are_purged(
    wf: Workflow, db: Database, clock: Clock
) -> None:
    _fail(wf, "alice", "a", 5)
    for _ in range(3):
        with pytest.raises(LoginThrottledError):
            wf.authenticate("alice", "wrong-password", client="a")
    with db.read() as s:
        assert s.scalar(select(func.count(LoginFailure.id))) == 5
    clock.now += timedelta(minutes=16)
    assert wf.cleanup() == {"expired_sessions": 0, "old_login_failures": 5}


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
