"""the subject access mark on a case: a request for a person's own data (UK GDPR Article 15)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every case opened before this revision is unmarked: the classifier did not look.
    # A constant default ('0' is false to SQLite and PostgreSQL alike), so SQLite adds the
    # column in place: an expression would make Alembic copy the cases table, which the
    # tables referring to it stop (FOREIGN KEY constraint failed).
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject_access", sa.Boolean(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("subject_access")
