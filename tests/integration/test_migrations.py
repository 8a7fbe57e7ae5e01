"""The migrations and the tables in mailbot/store/tables.py describe the same schema, on
SQLite and on a real PostgreSQL, and every migration can be undone and redone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from mailbot.store.db import alembic_config, upgrade
from mailbot.store.tables import Base


def differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_tables_and_round_trips(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        upgrade(engine)
        assert differences(empty_database_url) == []
        config = alembic_config(engine)
        command.downgrade(config, "base")
        upgrade(engine)
        assert differences(empty_database_url) == []
    finally:
        engine.dispose()
