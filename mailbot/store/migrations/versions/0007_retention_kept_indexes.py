"""partial indexes of the mail not yet erased, for the daily retention purge

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 03:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEPT = sa.text("purged_at IS NULL")


def upgrade() -> None:
    # Each purge rule picks rows `purged_at IS NULL` in batches by id. Without an index it
    # read every message and every sent mail ever kept (three years: 240,000 of each), so
    # the daily purge cost grew with history; these hold only the rows not yet erased,
    # about one retention period's worth. Partial on SQLite and PostgreSQL alike.
    # Mail that joined no case (case_id IS NULL), in id order:
    op.create_index("ix_messages_kept_case", "messages", ["case_id", "id"],
                    sqlite_where=KEPT, postgresql_where=KEPT)
    # The mail of closed cases: walked in id order, each joined to its case.
    op.create_index("ix_messages_kept", "messages", ["id", "case_id"],
                    sqlite_where=KEPT, postgresql_where=KEPT)
    op.create_index("ix_outbox_kept", "outbox", ["id", "case_id"],
                    sqlite_where=KEPT, postgresql_where=KEPT)


def downgrade() -> None:
    op.drop_index("ix_outbox_kept", table_name="outbox")
    op.drop_index("ix_messages_kept", table_name="messages")
    op.drop_index("ix_messages_kept_case", table_name="messages")
