"""The audit chain covers the content of every record a decision rests on (issue 10).

Editing a decision, a comment, a revision, a user's role or a match disposition
directly in the database — the chain itself untouched — is named by
``verify``; a consistently rewritten chain is caught by an anchor taken
before.  Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from detente.cli.main import app as cli_app
from detente.store import audit
from detente.store.db import Database, open_database
from detente.store.models import AuditEntry, AuditHead
from detente.store.service import Workflow
from detente.store.views import Actor

from .samples import VERIFICATION


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
def reviewed(wf: Workflow) -> dict[str, int]:
    alice, rita = _actor(wf, "alice", "submitter"), _actor(wf, "rita", "reviewer")
    p = wf.submit(alice, VERIFICATION)
    c = wf.comment(rita, p.id, "Please describe the data flows.")
    d = wf.decide(
        rita,
        p.id,
        outcome="rejected",
        reasoning="The exchange exposes model internals.",
        base_revision=1,
    )
    assert wf.verify_audit().ok
    return {"proposal": p.id, "comment": c.id, "decision": d.id}


TAMPER = {
    "decision": (
        "UPDATE decisions SET outcome = 'approved', reasoning = 'Fine.' WHERE id = :id",
        "decision",
        "decision {id} (decisions) was altered",
    ),
    "comment": (
        "UPDATE comments SET body = 'LGTM' WHERE id = :id",
        "comment",
        "comment {id} (comments) was altered",
    ),
    "revision": (
        "UPDATE revisions SET source_text = 'title: forged' WHERE id = :id",
        "proposal",
        "revision {id} (revisions) was altered",
    ),
    "role": (
        "UPDATE users SET role = 'admin' WHERE username = 'alice' AND id = :id",
        None,
        "user account {id} (users) was altered",
    ),
    "deleted comment": (
        "DELETE FROM comments WHERE id = :id",
        "comment",
        "comment {id} (comments) recorded by entry",
    ),
    "inserted decision": (
        "INSERT INTO decisions (proposal_id, revision_number, assessment_id, reviewer_id, outcome, "
        "reasoning, conditions, created_at) SELECT proposal_id, revision_number, assessment_id, "
        "reviewer_id, 'approved', 'forged', '', created_at FROM decisions WHERE id = :id",
        "decision",
        "is not recorded in the audit log",
    ),
}


@pytest.mark.parametrize("case", list(TAMPER))
def test_direct_edits_are_named_by_verify(
    wf: Workflow, db: Database, reviewed: dict[str, int], case: str
) -> None:
    sql, key, expected = TAMPER[case]
    rid = wf.get_user("alice").id if key is None else reviewed[key]
    with db.write() as s:
        s.execute(text(sql), {"id": rid})
    r = wf.verify_audit()
    assert not r.ok
    assert any(expected.format(id=rid) in p for p in r.problems), r.problems


def test_an_edited_disposition_is_named(wf: Workflow, db: Database) -> None:
    """A reviewer's disposition (migration 0003) is covered with its content."""
    ada = _actor(wf, "ada", "admin")
    d = wf.record_disposition(
        ada,
        subject="Example Lab",
        entry="ofac_sdn:123",
        entry_fingerprint="f" * 64,
        decision="false_positive",
        reason="different birth date",
    )
    assert wf.verify_audit().ok
    with db.write() as s:
        s.execute(
            text("UPDATE dispositions SET decision = 'true_match' WHERE id = :i"), {"i": d.id}
        )
    r = wf.verify_audit()
    assert not r.ok and f"match disposition {d.id} (dispositions) was altered" in r.reason


def _disable_guard(db: Database) -> None:
    with db.write() as s:
        if db.dialect == "sqlite":
            s.execute(text("DROP TRIGGER audit_log_no_update"))
            s.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            s.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))


def _rewrite_chain(db: Database, seq: int, details: dict[str, object]) -> None:
    """What an owner of the database could do: change an entry and recompute every hash."""
    _disable_guard(db)
    with db.write() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        prev = audit.GENESIS
        for e in entries:
            d = dict(e.details)
            if e.seq == seq:
                d.update(details)
            content = audit.canonical(e.seq, e.at, e.actor, e.action, e.object_type, e.object_id, d)
            h = audit.entry_hash(prev, content)
            s.execute(
                text("UPDATE audit_log SET details = :d, prev_hash = :p, hash = :h WHERE seq = :s"),
                {"d": json.dumps(d), "p": prev, "h": h, "s": e.seq},
            )
            prev = h
        s.execute(text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": prev})
        assert s.get(AuditHead, 1) is not None


def test_a_rewritten_chain_is_caught_by_the_anchor(
    wf: Workflow, db: Database, reviewed: dict[str, int]
) -> None:
    anchor = wf.audit_anchor()
    assert wf.verify_audit(anchor).ok
    _rewrite_chain(db, 2, {"role": "admin"})
    assert wf.verify_audit().ok  # consistent: without an outside copy nothing can tell
    r = wf.verify_audit(anchor)
    assert not r.ok and "differs from the anchor" in r.reason
    again = audit.Anchor.from_json(anchor.to_json())
    assert again == anchor


def test_cli_anchor_verify_and_baseline(
    wf: Workflow, db: Database, db_url: str, reviewed: dict[str, int], tmp_path: Path
) -> None:
    runner = CliRunner()
    f = tmp_path / "anchor.json"
    r = runner.invoke(cli_app, ["audit", "anchor", "--db", db_url, "--out", str(f)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli_app, ["audit", "verify", "--db", db_url, "--anchor", str(f)])
    assert r.exit_code == 0 and "matches the anchor" in r.output, r.output
    with db.write() as s:
        s.execute(
            text("UPDATE decisions SET outcome = 'approved' WHERE id = :i"),
            {"i": reviewed["decision"]},
        )
    r = runner.invoke(cli_app, ["audit", "verify", "--db", db_url])
    assert r.exit_code == 1
    assert f"decision {reviewed['decision']} (decisions) was altered" in r.output
    # rows from before content auditing are recorded once by `audit baseline`
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO comments (proposal_id, revision_number, author_id, kind, body, created_at) "
                "SELECT proposal_id, revision_number, author_id, kind, 'old', created_at FROM comments"
            )
        )
        s.execute(
            text("UPDATE decisions SET outcome = 'rejected' WHERE id = :i"),
            {"i": reviewed["decision"]},
        )
    assert "is not recorded" in wf.verify_audit().reason
    r = runner.invoke(cli_app, ["audit", "baseline", "--db", db_url])
    assert r.exit_code == 0 and "1 record" in r.output, r.output
    assert wf.verify_audit().ok
