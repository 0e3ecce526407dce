"""Reviewers' dispositions of screening matches (true match / false positive), append-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispositions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject_key", sa.String(600), nullable=False),
        sa.Column("entry_id", sa.String(300), nullable=False),
        sa.Column("entry_fingerprint", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("decided_at", sa.String(40), nullable=False),
        sa.CheckConstraint(
            "decision IN ('true_match', 'false_positive')", name="ck_dispositions_decision"
        ),
    )
    op.create_index("ix_dispositions_subject_key", "dispositions", ["subject_key"])


def downgrade() -> None:
    op.drop_index("ix_dispositions_subject_key", table_name="dispositions")
    op.drop_table("dispositions")
