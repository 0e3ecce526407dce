"""The store on SQLite and PostgreSQL: migrations, revisions, locking, assessments, accounts, audit."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from detente.assessment.result import Assessment
from detente.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    ProposalError,
)
from detente.report import render
from detente.store.db import Database, open_database
from detente.store.models import ApiToken, AuditEntry, Base, Revision, User
from detente.store.service import Workflow
from detente.store.views import Actor

from .samples import PROTOCOL_JSON, VERIFICATION, WITH_SAFEGUARD


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    d = open_database(db_url)
    yield d
    d.dispose()


@pytest.fixture
def wf(db: Database) -> Workflow:
    return Workflow(db)


def _actor(wf: Workflow, name: str, role: str) -> Actor:
    wf.create_user(name, f"{name}-password", role)
    return wf.authenticate(name, f"{name}-password")


@pytest.fixture
def people(wf: Workflow) -> dict[str, Actor]:
    return {
        "alice": _actor(wf, "alice", "submitter"),
        "bob": _actor(wf, "bob", "submitter"),
        "rita": _actor(wf, "rita", "reviewer"),
        "ada": _actor(wf, "ada", "admin"),
    }


def test_migrations_create_every_table_and_match_the_models(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert db.current() == db.head() == "0003"
    assert set(Base.metadata.tables) <= set(db.tables())
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    # Upgrading again is a no-op.
    assert db.upgrade() == "0003"


def test_every_revision_is_kept_and_stale_revisions_conflict(
    wf: Workflow, people: dict[str, Actor]
) -> None:
    alice = people["alice"]
    p = wf.submit(alice, VERIFICATION, source="v.yaml")
    assert p.current_revision == 1 and p.status == "submitted"
    p2 = wf.revise(alice, p.id, 1, WITH_SAFEGUARD, source="v.yaml", note="add review")
    assert p2.current_revision == 2
    with pytest.raises(ConflictError) as err:
        wf.revise(alice, p.id, 1, VERIFICATION, source="v.yaml")
    assert "revision 2" in err.value.message
    detail = wf.get(alice, p.id)
    assert [r.number for r in detail.revisions] == [1, 2]
    assert wf.revision(alice, p.id, 1).source_text == VERIFICATION
    assert wf.revision(alice, p.id, 2).source_text == WITH_SAFEGUARD
    assert wf.revision(alice, p.id, 2).note == "add review"


def test_concurrent_revisions_one_wins_none_lost(wf: Workflow, people: dict[str, Actor]) -> None:
    alice = people["alice"]
    p = wf.submit(alice, VERIFICATION, source="v.yaml")
    results: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        body = VERIFICATION + f"notes: attempt {i}\n"
        try:
            wf.revise(alice, p.id, 1, body, source="v.yaml")
            outcome = "ok"
        except ConflictError:
            outcome = "conflict"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 5 + ["ok"]
    detail = wf.get(alice, p.id)
    assert [r.number for r in detail.revisions] == [1, 2]
    assert wf.revision(alice, p.id, 1).source_text == VERIFICATION
    assert wf.verify_audit().ok


def test_invalid_proposals_store_nothing(wf: Workflow, people: dict[str, Actor]) -> None:
    with pytest.raises(ProposalError) as err:
        wf.submit(people["alice"], "title: x\nparties: []\n", source="bad.yaml")
    assert err.value.problems
    items, total = wf.list_proposals(people["rita"])
    assert total == 0 and items == []


def test_stored_assessment_re_renders_exactly(wf: Workflow, people: dict[str, Actor]) -> None:
    alice = people["alice"]
    _, fresh, _ = wf.assess_text(PROTOCOL_JSON, "p.json")
    p = wf.submit(alice, PROTOCOL_JSON, source="p.json")
    meta, stored = wf.assessment(alice, p.id)
    assert isinstance(stored, Assessment)
    assert render(stored, "json") == render(fresh, "json")
    assert meta.framework_version == fresh.framework.version
    assert meta.rules_version == fresh.rules.version
    assert meta.catalogue_version == fresh.safeguards_catalogue.version
    assert meta.tool_version == fresh.tool_version
    assert meta.verdict == fresh.verdict.level
    assert wf.revision(alice, p.id).source_format == "json"


def test_screening_without_lists_is_not_checked(wf: Workflow, people: dict[str, Actor]) -> None:
    p = wf.submit(people["alice"], VERIFICATION, source="v.yaml")
    s = wf.screening(people["alice"], p.id)
    assert s.status == "not_checked"
    assert "dd.not_checked" in s.flags
    assert s.reason


def test_submitters_see_only_their_own(wf: Workflow, people: dict[str, Actor]) -> None:
    pa = wf.submit(people["alice"], VERIFICATION, source="v.yaml")
    wf.submit(people["bob"], PROTOCOL_JSON, source="p.json")
    with pytest.raises(NotFoundError):
        wf.get(people["bob"], pa.id)
    with pytest.raises(NotFoundError):
        wf.assessment(people["bob"], pa.id)
    with pytest.raises(NotFoundError):
        wf.revise(people["bob"], pa.id, 1, VERIFICATION)
    assert [x.owner for x in wf.list_proposals(people["bob"])[0]] == ["bob"]
    assert wf.list_proposals(people["rita"])[1] == 2
    assert wf.counts(people["alice"]) == {("submitted", pa.verdict or "none"): 1}


def test_review_flow_comment_request_decide(wf: Workflow, people: dict[str, Actor]) -> None:
    alice, rita = people["alice"], people["rita"]
    p = wf.submit(alice, VERIFICATION, source="v.yaml")
    with pytest.raises(PermissionDeniedError):
        wf.comment(
            alice, p.id, "", kind="request_safeguard", safeguard_id="independent-code-review"
        )
    with pytest.raises(InputError):
        wf.comment(rita, p.id, "", kind="request_safeguard", safeguard_id="no-such-safeguard")
    c = wf.comment(rita, p.id, "", kind="request_safeguard", safeguard_id="independent-code-review")
    assert "independent-code-review" in c.body
    assert wf.get(alice, p.id).status == "changes_requested"
    wf.revise(alice, p.id, 1, WITH_SAFEGUARD)
    with pytest.raises(PermissionDeniedError):
        wf.decide(
            alice, p.id, outcome="approved", reasoning="I like my own proposal", base_revision=2
        )
    with pytest.raises(InputError):
        wf.decide(rita, p.id, outcome="approved", reasoning=" ", base_revision=2)
    with pytest.raises(InputError):
        wf.decide(
            rita,
            p.id,
            outcome="approved_with_conditions",
            reasoning="fine with conditions",
            base_revision=2,
        )
    with pytest.raises(ConflictError):
        wf.decide(
            rita,
            p.id,
            outcome="approved",
            reasoning="looked at the first revision",
            base_revision=1,
        )
    d = wf.decide(
        rita,
        p.id,
        outcome="approved",
        reasoning="Independent review counters the backdoor risk.",
        base_revision=2,
    )
    assert d.revision_number == 2
    detail = wf.get(alice, p.id)
    assert detail.status == "approved"
    assert detail.decisions[0].reasoning.startswith("Independent review")
    actions = [e.action for e in wf.audit_entries(limit=100)[0]]
    assert "decision.record" in actions and "comment.request_safeguard" in actions


def test_passwords_and_tokens_are_stored_hashed(
    wf: Workflow, db: Database, people: dict[str, Actor]
) -> None:
    raw, view = wf.create_token(people["alice"], "ci")
    assert raw.startswith("dtk_") and view.prefix == raw[:10]
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == "alice"))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        token = s.scalar(select(ApiToken))
        assert token is not None and token.token_hash != raw and raw not in token.token_hash
    assert wf.token_actor(raw).username == "alice"
    wf.revoke_token(people["alice"], view.id)
    with pytest.raises(AuthenticationError):
        wf.token_actor(raw)
    with pytest.raises(AuthenticationError):
        wf.authenticate("alice", "wrong-password")
    with pytest.raises(AuthenticationError):
        wf.authenticate("nobody", "whatever-password")


def test_sessions_expire_with_logout_and_disabled_users(
    wf: Workflow, people: dict[str, Actor]
) -> None:
    token, csrf = wf.create_session(people["bob"])
    found = wf.session_actor(token)
    assert found is not None and found[0].username == "bob" and found[1] == csrf
    wf.update_user(people["ada"], people["bob"].id, active=False)
    assert wf.session_actor(token) is None
    with pytest.raises(AuthenticationError):
        wf.authenticate("bob", "bob-password")
    token2, _ = wf.create_session(people["alice"])
    wf.end_session(token2)
    assert wf.session_actor(token2) is None


def test_audit_chain_is_intact_and_append_only(
    wf: Workflow, db: Database, people: dict[str, Actor]
) -> None:
    wf.submit(people["alice"], VERIFICATION)
    result = wf.verify_audit()
    assert result.ok and result.entries >= 5
    with pytest.raises(Exception), db.write() as s:  # noqa: B017 - the database refuses it
        s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
    with pytest.raises(Exception), db.write() as s:  # noqa: B017
        s.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    assert wf.verify_audit().ok


def _disable_guard(db: Database) -> None:
    """What an attacker with raw database access would do first."""
    with db.write() as s:
        if db.dialect == "sqlite":
            s.execute(text("DROP TRIGGER audit_log_no_update"))
            s.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            s.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))


def test_tampering_is_detected_at_the_first_broken_entry(
    wf: Workflow, db: Database, people: dict[str, Actor]
) -> None:
    wf.submit(people["alice"], VERIFICATION)
    n = wf.verify_audit().entries
    _disable_guard(db)
    with db.write() as s:
        s.execute(
            text("UPDATE audit_log SET details = :d WHERE seq = 3"), {"d": '{"forged": true}'}
        )
    r = wf.verify_audit()
    assert not r.ok and r.first_broken == 3 and "altered" in r.reason
    # Re-hashing the forged entry does not help: the next entry no longer links to it.
    with db.write() as s:
        s.execute(text("UPDATE audit_log SET hash = :h WHERE seq = 3"), {"h": "f" * 64})
    r = wf.verify_audit()
    assert not r.ok and r.first_broken == 3
    assert n > 3


def test_deleting_the_last_entries_is_detected(
    wf: Workflow, db: Database, people: dict[str, Actor]
) -> None:
    wf.submit(people["alice"], VERIFICATION)
    n = wf.verify_audit().entries
    _disable_guard(db)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = :n"), {"n": n})
    r = wf.verify_audit()
    assert not r.ok and r.first_broken == n


def test_concurrent_audit_appends_keep_one_chain(wf: Workflow, people: dict[str, Actor]) -> None:
    alice = people["alice"]
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                wf.record(alice, "test.ping", "test", 1)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    r = wf.verify_audit()
    assert r.ok
    assert sum(1 for e in wf.audit_entries(limit=500)[0] if e.action == "test.ping") == 30


def test_revisions_table_rows_are_never_rewritten(
    wf: Workflow, db: Database, people: dict[str, Actor]
) -> None:
    p = wf.submit(people["alice"], VERIFICATION)
    with db.read() as s:
        first = s.scalar(select(Revision).where(Revision.proposal_id == p.id))
        assert first is not None
        sha = first.sha256
    wf.revise(people["alice"], p.id, 1, WITH_SAFEGUARD)
    with db.read() as s:
        again = s.scalar(select(Revision).where(Revision.proposal_id == p.id, Revision.number == 1))
        assert again is not None and again.sha256 == sha
        assert (
            s.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.revise")) is not None
        )


def test_users_need_valid_names_roles_and_passwords(wf: Workflow) -> None:
    with pytest.raises(InputError):
        wf.create_user("has space", "long-enough", "submitter")
    with pytest.raises(InputError):
        wf.create_user("carol", "short", "submitter")
    with pytest.raises(InputError):
        wf.create_user("carol", "long-enough", "overlord")
    wf.create_user("carol", "long-enough", "reviewer")
    with pytest.raises(ConflictError):
        wf.create_user("carol", "long-enough", "reviewer")
