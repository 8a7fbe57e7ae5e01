"""Alembic environment: the engine is handed in by mailbot.store.db.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from mailbot.store.db import SQLITE_BEGIN  # noqa: I001
from mailbot.store.tables import Base

# Any number, the same in every release, other than the poller's (poller_lock.py).
MIGRATION_LOCK_KEY = 0x6D62_6D69_6772  # "mbmigr"

engine = context.config.attributes["engine"]
# Every process migrates at its start: the daemon and a `mailbot status` started together
# after an upgrade would both apply the same migration, and one would fail on the other's
# change. One at a time, the second finds the schema already done: on SQLite by taking the
# write lock at BEGIN, on PostgreSQL by a lock held to the end of the transaction.
with engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}).begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
