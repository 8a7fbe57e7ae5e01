"""indexes for a database of years: a case's outbox rows, mail by date, split cases,
a member's cases, mail by purpose and key

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 17:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Measured on three years of a busy council (bench/bench_large_database.py): without
    # these, each open case in every reminder sweep, `mailbot case` and the mail of a case
    # read the whole outbox; `mailbot status` and the purge read every message ever kept
    # to find the recent ones; `mailbot case` read every case for the ones split from it.
    op.create_index("ix_outbox_case", "outbox", ["case_id", "purpose"])
    op.create_index("ix_messages_received", "messages", ["received_at"])
    op.create_index("ix_cases_parent", "cases", ["parent_id"])
    # the flush looks up an officer's reminder summaries, a recipient's digests, by purpose
    # and key prefix at each one it sends
    op.create_index("ix_outbox_purpose", "outbox", ["purpose", "dedup_key"])
    # the reminders a summary lists, found by the moment they were queued with it
    op.create_index("ix_outbox_created", "outbox", ["created_at"])
    # a member's open cases, listed in every assignment and chaser mail to an officer
    op.create_index("ix_cases_member", "cases", ["member_email", "status"])


def downgrade() -> None:
    op.drop_index("ix_cases_member", table_name="cases")
    op.drop_index("ix_outbox_created", table_name="outbox")
    op.drop_index("ix_outbox_purpose", table_name="outbox")
    op.drop_index("ix_cases_parent", table_name="cases")
    op.drop_index("ix_messages_received", table_name="messages")
    op.drop_index("ix_outbox_case", table_name="outbox")
