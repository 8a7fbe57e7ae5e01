"""each case's matter_key, stored and indexed (mailbot.matter)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mailbot.matter import matter_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_CASES = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("subject", sa.String),
    sa.column("matter_key", sa.String),
    sa.column("anonymised_at", sa.DateTime),
)
_BATCH = 1000


def upgrade() -> None:
    # A constant default, so SQLite adds the column in place (see 0008).
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("matter_key", sa.String(300), nullable=False, server_default="")
        )
    _key_existing_cases(op.get_bind())
    op.create_index("ix_cases_matter", "cases", ["matter_key"])


def _key_existing_cases(connection: sa.Connection) -> None:
    """Every case with a subject is keyed by the rules of this release; an anonymised or
    erased case keeps "" as its subject is "". Read and written in batches by id."""
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_CASES.c.id, _CASES.c.subject)
            .where(_CASES.c.id > last, _CASES.c.subject != "",
                   _CASES.c.anonymised_at.is_(None))
            .order_by(_CASES.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            sa.update(_CASES).where(_CASES.c.id == sa.bindparam("case_id"))
            .values(matter_key=sa.bindparam("key")),
            [{"case_id": case_id, "key": matter_key(subject)} for case_id, subject in rows],
        )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_cases_matter", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("matter_key")
