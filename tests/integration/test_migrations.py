"""The migrations and the tables in mailbot/store/tables.py describe the same schema, on
SQLite and on a real PostgreSQL, and every migration can be undone and redone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from mailbot.store.db import alembic_config, upgrade
from mailbot.store.tables import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mailbot.db'}"
        return
    server_url: str = request.getfixturevalue("postgres_url")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS schema_check"))
        connection.execute(text("CREATE DATABASE schema_check"))
    admin.dispose()
    yield server_url.rsplit("/", 1)[0] + "/schema_check"


def differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_tables_and_round_trips(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        upgrade(engine)
        assert differences(database_url) == []
        config = alembic_config(engine)
        command.downgrade(config, "base")
        upgrade(engine)
        assert differences(database_url) == []
    finally:
        engine.dispose()
