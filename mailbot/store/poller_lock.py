"""One poller per database, even across machines.

Two pollers on one database would each take the other's mail in flight for a crash and
send it again. On PostgreSQL the poller holds a session advisory lock on a connection of
its own; on SQLite, a lock file beside the database file. A PostgreSQL lock lives only as
long as its session: if the database restarts or the network drops that connection, the
lock is gone, so the daemon confirms it before each poll and flush, taking it again if
nobody else has meanwhile.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Protocol

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

# Any number, the same in every release; advisory locks are per database.
POLLER_LOCK_KEY = 0x6D61696C626F74  # "mailbot"


class PollerLock(Protocol):
    def acquire(self) -> bool: ...

    def confirm(self) -> bool:
        """Still ours (taken again if it was lost and is free)? False if another has it."""
        ...

    def release(self) -> None: ...


def poller_lock(engine: Engine) -> PollerLock:
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return LockFile(f"{database}.poller.lock")
    return NoLock()


class AdvisoryLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    def acquire(self) -> bool:
        connection = self.engine.connect()
        try:
            held = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": POLLER_LOCK_KEY}
                ).scalar()
            )
            connection.commit()  # the lock belongs to the session, not the transaction
        except BaseException:
            connection.close()
            raise
        if not held:
            connection.close()
            return False
        self.connection = connection
        return True

    def confirm(self) -> bool:
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT 1"))
                self.connection.commit()
                return True  # the session is alive, so its lock is still held
            except DBAPIError:
                with suppress(DBAPIError):
                    self.connection.invalidate()
                self.connection = None
        return self.acquire()  # a database still down raises, like every other job

    def release(self) -> None:
        if self.connection is None:
            return
        with suppress(DBAPIError):
            self.connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": POLLER_LOCK_KEY}
            )
            self.connection.commit()
        self.connection.close()
        self.connection = None


class LockFile:
    """Held by this process until released (the daemon's jobs run in another thread than
    the one that took it, so FileLock's own, per-thread view of it is not asked)."""

    def __init__(self, path: str) -> None:
        self.lock = FileLock(path)
        self.held = False

    def acquire(self) -> bool:
        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            return False
        self.held = True
        return True

    def confirm(self) -> bool:
        return self.held

    def release(self) -> None:
        self.lock.release()
        self.held = False


class NoLock:
    """An in-memory database: nothing else can reach it."""

    def acquire(self) -> bool:
        return True

    def confirm(self) -> bool:
        return True

    def release(self) -> None:
        return None
