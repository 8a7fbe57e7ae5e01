"""read failures: messages the mailbox failed to give, counted across polls and restarts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Kept in memory before: `mailbot poll --once` (cron, a timer) builds a fresh backend
    # each run, so a message failing every time was counted once a run, never left for a
    # person, and held back the mail behind it. An empty table is all an upgrade needs.
    op.create_table(
        "read_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("backend", sa.String(length=20), nullable=False),
        sa.Column("mailbox", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("read_failures", schema=None) as batch_op:
        batch_op.create_index("ix_read_failures_message", ["mailbox", "message"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("read_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_read_failures_message")
    op.drop_table("read_failures")
