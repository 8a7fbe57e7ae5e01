"""Engine, sessions and schema migrations (Alembic, run on every start)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mailbot.store.poller_lock import PollerLock, poller_lock

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _create_private(Path(path))
        # hide_parameters: SQLAlchemy's errors otherwise quote the statement's values (a
        # member's message, an address) into the daemon's log and the command line.
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _create_private(path: Path) -> None:
    """Make a new database file readable by its owner alone: it will hold members' mail,
    and SQLite gives its -wal and -shm files the same mode. An existing file is left as the
    administrator set it."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


# Execution option naming how a SQLite transaction starts: "IMMEDIATE" takes the write lock
# at BEGIN. Units of work (Store.transaction) use it; the engine's own default is deferred.
SQLITE_BEGIN = "mailbot_sqlite_begin"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 on its own opens a transaction only at the first INSERT or UPDATE,
    # so the reads before it (is this row still pending?) would see no lock and no snapshot,
    # and two processes could both act on the same row. With this off, SQLAlchemy's begin
    # (below) starts every transaction itself, before the first read.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the poller
    # No fsync per commit (see Store.make_durable for the one fsync that matters)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # What is deleted or blanked (an erasure, the retention purge) is overwritten with
    # zeros, not left in free space, whatever the SQLite build's default
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()
    # SQLite's own lower() folds A-Z only, so lower('ÖKTEN@…') kept the Ö and missed the
    # address_forms it was compared with; Python's folds every capital, as PostgreSQL's
    # lower() does in a UTF-8 locale. No index is built on lower(), so none needs rebuilding.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def folds_every_capital(engine: Engine) -> bool:
    """Whether the database's lower() folds capitals beyond A-Z, as mailbot's address
    comparisons need: PostgreSQL does in a UTF-8 locale, not in the C locale."""
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT lower('ÖÅ')").scalar() == "öå"


def tables_refused(engine: Engine) -> str | None:
    """Why mailbot's PostgreSQL login may not make its tables (nor, at an upgrade, new
    ones) in the database's schema, with what to do; None if it may. A database made by
    `createdb` run as postgres is owned by postgres, and since PostgreSQL 15 nobody else
    may create tables in its public schema, so every start would fail."""
    with engine.connect() as connection:
        user, database, schema, may = connection.exec_driver_sql(
            "SELECT current_user, current_database(), current_schema(), "
            "has_schema_privilege(current_schema(), 'CREATE')"
        ).one()
    if schema is None:
        return (f"user {user!r} has no schema to make tables in: no schema of its "
                f"search_path exists in database {database} (SHOW search_path)")
    return None if may else create_rights_advice(user, database, schema)


def create_rights_advice(user: str, database: str, schema: str) -> str:
    return (f"user {user!r} may not create tables in schema {schema} of database {database}, "
            "so mailbot cannot make or upgrade its tables; as PostgreSQL's superuser, make "
            f"it the database's owner (ALTER DATABASE {database} OWNER TO {user}; a new "
            f"database: createdb -O {user} ...) or GRANT CREATE ON SCHEMA {schema} TO {user} "
            "(docs/deployment.md, Database)")


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


# Less free space than this beside a SQLite file, and the next large message may not fit:
# SQLite then says "database or disk is full", or "disk I/O error" when opening the file.
LOW_DISK_BYTES = 8 * 1024 * 1024


def free_bytes(path: Path) -> int | None:
    """Free space on the disk holding `path` (a file or folder), for this user; None if
    it cannot be told (the folder is not there)."""
    folder = path if path.is_dir() else path.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def low_disk_note(path: Path) -> str:
    """'; the disk holding PATH has only N KB free' when it is nearly full, else ''.
    SQLite's own words for a full disk ("disk I/O error") do not say so."""
    free = free_bytes(path)
    if free is None or free >= LOW_DISK_BYTES:
        return ""
    return f"; the disk holding {path} has only {free // 1024} KB free"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class SchemaTooNew(SQLAlchemyError):
    """The database was upgraded by a newer mailbot than this one (a rollback after an
    upgrade): this code does not know its schema and must not write to it."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`. Safe to run on every start: a database already at
    the newest schema is only read (migrations take the write lock, see migrations/env.py,
    and `mailbot status` must not wait behind the daemon for one)."""
    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    _refuse_a_newer_schema(current, script)
    if revision == "head" and current == script.get_current_head():
        return
    command.upgrade(config, revision)


def at_newest_schema(engine: Engine) -> bool:
    """Whether the database's schema is this mailbot's newest revision (reads only)."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return bool(current == ScriptDirectory.from_config(alembic_config(engine)).get_current_head())


def newer_schema(revision: str | None) -> str | None:
    """This mailbot's newest revision if `revision` is one it does not know (a newer
    mailbot wrote it), else None."""
    script = ScriptDirectory(str(MIGRATIONS))
    known = {migration.revision for migration in script.walk_revisions()}
    if revision is None or revision in known:
        return None
    return script.get_current_head()


def check_schema_not_newer(engine: Engine) -> None:
    """SchemaTooNew if a newer mailbot has upgraded this database; nothing is written (a
    database that has no schema yet passes)."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    _refuse_a_newer_schema(current, ScriptDirectory.from_config(alembic_config(engine)))


def _refuse_a_newer_schema(current: str | None, script: ScriptDirectory) -> None:
    known = {migration.revision for migration in script.walk_revisions()}
    if current is not None and current not in known:
        raise SchemaTooNew(
            f"its schema is revision {current}, which this mailbot does not know (its newest "
            f"is {script.get_current_head()}): a newer mailbot upgraded it. Install that "
            "version again, or restore the backup taken before the upgrade (docs/deployment.md, "
            '"Upgrading")'
        )


def _try_a_write(connection: sqlite3.Connection, wait_ms: int) -> str | None:
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
        cursor.execute("BEGIN IMMEDIATE")
        # The same value written back: a real write (a read-only file refuses it), no change
        cursor.execute("UPDATE alembic_version SET version_num = version_num")
    except sqlite3.Error as exc:
        return _first_line(exc)
    finally:
        with suppress(sqlite3.Error):
            if connection.in_transaction:
                cursor.execute("ROLLBACK")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()
    return None


def _first_line(error: BaseException | None) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class Store:
    """The database: one engine, short transactions via `transaction()`."""

    # How long make_durable waits for readers of an older snapshot (`mailbot status`,
    # `mailbot cases`) to finish; the poll must not hang behind a slow report.
    durable_wait_ms = 5_000

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._poller_lock: PollerLock | None = None
        if migrate:
            try:
                upgrade(self.engine)
            except BaseException:
                self.engine.dispose()  # no Store to close: leave no connection behind
                raise
        # On SQLite a unit of work takes the write lock when it begins, not at its first
        # write: what it read stays true until it commits, and another process's unit of
        # work waits for it (busy timeout) instead of failing on a stale snapshot.
        self._sessions = sessionmaker(
            self.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}), expire_on_commit=False
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any exception. Units of
        work run one at a time on SQLite; on PostgreSQL, code that reads a row to decide
        how to change it locks it (SELECT … FOR UPDATE)."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A unit of work that only reads (`mailbot status`, `mailbot cases`): on SQLite it
        takes no write lock, so a report neither waits behind the daemon or a stuck writer
        nor holds them up; it still reads one consistent snapshot."""
        with Session(self.engine) as session:  # begins at the first read, rolled back on close
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

    def empty_the_log(self) -> bool:
        """After an erasure or a purge: copy SQLite's write-ahead log into the database and
        cut it to nothing (a TRUNCATE checkpoint), so the pages written before the data
        was erased are not left in mailbot.db-wal, which checkpoints reuse but never
        shrink. False if another connection's read kept it from finishing within the
        busy timeout (the next purge tries again). PostgreSQL: nothing to do here."""
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={self.durable_wait_ms}")
            try:
                busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return not busy

    def refresh_statistics(self) -> None:
        """Give SQLite's query planner fresh statistics (sqlite_stat1), as PostgreSQL's
        autovacuum does by itself: without them it guesses at which index to use, and the
        indexes for three years of history (migrations 0006, 0007) were chosen with them.
        analysis_limit samples each index, so this takes milliseconds, not a full read."""
        if self.engine.dialect.name != "sqlite":
            return
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()

    def reachable(self) -> bool:
        """Can a connection be made and used right now? On SQLite, can it be written: a
        file that can only be read (a restore left it root's, a read-only mount) answers
        every read, so a job that only read would say the outage was over."""
        return self.write_problem(self.durable_wait_ms) is None

    def write_problem(self, wait_ms: int) -> str | None:
        """Why a unit of work could not write to this SQLite database now, in SQLite's own
        words ("database is locked": another program has held its write lock for longer
        than `wait_ms`; "attempt to write a readonly database"), or None if it could. A row
        is changed and rolled back at once, so nobody waits behind the try. On PostgreSQL,
        whether a connection can be made and takes writes (not a standby, nor
        default_transaction_read_only set)."""
        if self.engine.dialect.name != "sqlite":
            return self._postgresql_write_problem()
        try:
            raw = self.engine.raw_connection()
        except (OperationalError, InterfaceError) as exc:
            return _first_line(exc.orig)
        try:
            driver = raw.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            return _try_a_write(driver, wait_ms)
        finally:
            raw.close()

    def _postgresql_write_problem(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                read_only = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
        except (OperationalError, InterfaceError) as exc:
            return _first_line(exc.orig)
        if read_only == "on":
            return "it takes no writes: transaction_read_only is on"
        return None

    def forget_connections(self) -> None:
        """After the database failed: close the pooled connections, so the next unit of
        work opens the SQLite file afresh. SQLite keeps a file it could open only for
        reading read-only for as long as any connection to it in the process is open, so
        a daemon went on failing after the administrator had made the file writable.
        PostgreSQL's pool checks each connection before use already (pool_pre_ping)."""
        if self.engine.dialect.name == "sqlite":
            self.engine.dispose()

    @contextmanager
    def sole_poller(self) -> Iterator[bool]:
        """Whether this process is the only one polling this database (mailbot/store/
        poller_lock.py), held until the block ends; `still_sole_poller` confirms it."""
        lock = poller_lock(self.engine)
        held = lock.acquire()
        self._poller_lock = lock if held else None
        try:
            yield held
        finally:
            self._poller_lock = None
            if held:
                lock.release()

    def still_sole_poller(self) -> bool:
        """False if another process has taken over polling this database (its PostgreSQL
        lock was lost with the connection, and taken meanwhile). True when not polling."""
        return self._poller_lock.confirm() if self._poller_lock is not None else True

    def close(self) -> None:
        self.engine.dispose()
