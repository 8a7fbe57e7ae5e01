"""Backing up and restoring a SQLite database safely.

Copying mailbot.db with `cp` while the daemon runs is not a backup: in WAL mode the
latest commits are in mailbot.db-wal until a checkpoint, and a copy taken mid-write can be
torn. SQLite's online backup copies one consistent snapshot while the daemon goes on.
Restoring has its own trap: a mailbot.db-wal left beside the file by a crash would be
replayed onto the restored copy, so the old file's -wal and -shm are moved aside with it.
(PostgreSQL has pg_dump and pg_restore for both.)
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from datetime import datetime
from pathlib import Path

from mailbot.store.db import newer_schema

# Raw mail, members' names and addresses: readable by the service's user alone.
PRIVATE = 0o600
SIDE_FILES = ("-wal", "-shm")
MAILBOT_TABLES = {"alembic_version", "cases", "messages"}


class BackupError(Exception):
    """Said to the administrator as it is: nothing was changed."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for any other database."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url:
        return None
    return Path(url[len(prefix):])


def back_up(database: Path, target: Path) -> int:
    """Write one consistent copy of `database` to `target` (replaced whole, never left
    half written), readable by its owner alone; its size in bytes."""
    if not database.is_file():
        raise BackupError(f"there is no database at {database} to back up")
    if target.resolve() == database.resolve():
        raise BackupError(f"{target} is the database itself; give another file")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the name of the backup file to write")
    if _holds_something_else(target):
        # Replacing last week's mailbot-Tue.db is the rotation docs/deployment.md shows;
        # replacing mailbot.toml or members.csv, given by a slip, would lose it for good.
        raise BackupError(f"{target} is already there and is not a backup of a mailbot "
                          "database; give a new file name (it is not overwritten)")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    os.close(descriptor)  # made private before a byte of mail is in it
    try:
        with closing(_read_only(database)) as source, closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target.stat().st_size


def _holds_something_else(target: Path) -> bool:
    """True for an existing, non-empty file that is not a mailbot database."""
    if not target.is_file() or target.stat().st_size == 0:
        return False
    try:  # its tables only: a damaged old backup is still one to replace
        with closing(_read_only(target)) as connection:
            return not _table_names(connection) >= MAILBOT_TABLES
    except sqlite3.DatabaseError:
        return True


def _table_names(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {name for (name,) in rows}


def _read_only(path: Path) -> sqlite3.Connection:
    # As a URI, so a '?' or '#' in a folder name is a character, not a parameter.
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)


def check_backup(backup: Path) -> None:
    """A file that is a readable mailbot database, or BackupError saying what it is."""
    if not backup.is_file():
        raise BackupError(f"{backup} is not a file")
    try:
        with closing(_read_only(backup)) as connection:
            tables = _table_names(connection)
            problem = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{backup} is not a SQLite database ({exc})") from None
    if not tables >= MAILBOT_TABLES:
        raise BackupError(f"{backup} is a SQLite database, but not mailbot's")
    if problem != "ok":
        raise BackupError(f"{backup} is damaged (SQLite's check says: {problem})")
    newest = newer_schema(_revision(backup))
    if newest is not None:
        # Checked before anything is moved: put in place, it would replace a database this
        # mailbot can use with one it must refuse to start on.
        raise BackupError(
            f"{backup} was made by a newer mailbot (its schema is revision "
            f"{_revision(backup)}; this mailbot's newest is {newest}): restore it with that "
            "version, or give a backup taken before the upgrade; nothing was changed")


def _revision(backup: Path) -> str | None:
    with closing(_read_only(backup)) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            return None  # made before migrations were recorded: upgraded as a whole
    return None if row is None else str(row[0])


def restore(backup: Path, database: Path, now: datetime) -> Path | None:
    """Put a copy of `backup` in place of `database` (the daemon stopped). The database it
    replaces, with its -wal and -shm files, is moved aside, not deleted: the path it went
    to, or None if there was none."""
    check_backup(backup)
    if backup.resolve() == database.resolve():
        raise BackupError(f"{backup} is the database itself; give the backup file")
    aside = None
    if database.exists():
        aside = database.with_name(f"{database.name}.replaced-{now:%Y%m%d-%H%M%S}")
        for suffix in ("", *SIDE_FILES):
            found = database.with_name(database.name + suffix)
            if found.exists():
                os.replace(found, aside.with_name(aside.name + suffix))
    database.parent.mkdir(parents=True, exist_ok=True)
    back_up(backup, database)
    return aside


def give_to_folder_owner(paths: Iterable[Path], folder: Path) -> None:
    """Root restoring for a service that runs as its own user (deployment.md: between
    `systemctl stop` and `start`): what root wrote in the service's folder would be root's,
    mode 0600, and the daemon could not open its own database ("unable to open database
    file"). Each file root owns there is given to the folder's owner, as the file it
    replaced was. Run as any other user, the files are already that user's."""
    if os.geteuid() != 0:
        return
    owner = folder.stat()
    for path in paths:
        if path.exists() and path.stat().st_uid == 0:
            os.chown(path, owner.st_uid, owner.st_gid)
