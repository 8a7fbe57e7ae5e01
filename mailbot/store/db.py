"""Engine, sessions and schema migrations (Alembic, run on every start)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the poller
    # No fsync per commit (see Store.make_durable for the one fsync that matters)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`. Safe to run on every start."""
    command.upgrade(alembic_config(engine), revision)


class Store:
    """The database: one engine, short transactions via `transaction()`."""

    # How long make_durable waits for readers of an older snapshot (`mailbot status`,
    # `mailbot cases`) to finish; the poll must not hang behind a slow report.
    durable_wait_ms = 5_000

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def make_durable(self) -> bool:
        """Make every committed transaction survive a power cut, before the mailbox is told
        the messages are done. PostgreSQL commits are durable already. SQLite in WAL mode
        with synchronous=NORMAL syncs only at checkpoints, so a machine crash could roll
        back commits whose messages were already moved out of the Inbox: lost mail. A FULL
        checkpoint syncs the WAL and copies it into the database file. False if readers
        kept it from finishing within the busy timeout."""
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={self.durable_wait_ms}")
            try:
                busy, logged, copied = connection.exec_driver_sql(
                    "PRAGMA wal_checkpoint(FULL)"
                ).one()
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return not busy and copied >= logged

    def reachable(self) -> bool:
        """Can a connection be made and used right now?"""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except (OperationalError, InterfaceError):
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()
