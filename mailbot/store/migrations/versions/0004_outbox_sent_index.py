"""an index for the per-recipient cap: automatic mail sent in the last few hours

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 16:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every mail the flush sends first counts what went to the same person in the cap's
    # window (hours). Without this the count reads every sent row ever kept: a cost that
    # grows with the years of mail behind it.
    op.create_index("ix_outbox_sent", "outbox", ["status", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_sent", table_name="outbox")
