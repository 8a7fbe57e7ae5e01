"""indexes for the weekly digest: cases answered since a date, events by action and time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The digest asks "answered since the start of the 12-week window" and "reopened
    # events in the window"; without these both are full-table scans (bench_digest.py).
    op.create_index("ix_cases_responded", "cases", ["responded_at"])
    op.create_index("ix_events_action_at", "events", ["action", "at"])


def downgrade() -> None:
    op.drop_index("ix_events_action_at", table_name="events")
    op.drop_index("ix_cases_responded", table_name="cases")
