"""The database the config names, checked for `check-config` and `run`: a SQLite file that
cannot be made where it is named or that every user can read, a new empty one about to be
made beside the config, a database that has never polled this mailbox, a SQLite database
left behind by a move to PostgreSQL; and its URL with the password hidden for a log line."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from mailbot.config_explain import set_by_environment
from mailbot.config_paths import from_the_current_folder
from mailbot.settings import Settings
from mailbot.settings.load import this_user


def unusable_database_folder(settings: Settings) -> list[str]:
    """A SQLite file named by [database] url that cannot be made where it is named: a file
    in the way of its folder, or a folder this user may not write in (one of root's beside
    a data folder made for the service). The data folder's own database is
    unwritable_data_dir's."""
    from mailbot.store.backup import sqlite_path

    file = sqlite_path(settings.database_url)
    if not settings.database.url or file is None or file.exists():
        return []
    if file.parent == settings.data_dir:
        return []
    existing = next((p for p in file.parents if p.exists()), None)
    if existing is None:
        return []
    where = settings.config_path or "<defaults>"
    key = f"database.url{set_by_environment('database.url')}"
    usual = settings.data_dir / "mailbot.db"
    if not existing.is_dir():
        return [f"{where}: {key}: the SQLite database {file} cannot be made: {existing} is a "
                f"file, not a folder; name a file in a folder, or leave url empty for {usual}"]
    if os.access(existing, os.W_OK | os.X_OK, effective_ids=True):
        return []
    return [f"{where}: {key}: {this_user()} cannot create {file} (it may not write in "
            f"{existing}); name a SQLite file in a folder made for this user, or leave url "
            f"empty for {usual}"]


def database_elsewhere(settings: Settings) -> list[str]:
    """A relative data_dir with no database in it, whose path from the current folder has
    one: the first start would make a new, empty database beside the config."""
    if settings.database.url or (settings.data_dir / "mailbot.db").exists():
        return []
    written = settings.council.data_dir
    meant = from_the_current_folder(settings, "council.data_dir", written)
    if meant is None or not (Path.cwd() / written.expanduser() / "mailbot.db").exists():
        return []
    return [f"council.data_dir: {settings.data_dir} holds no database yet, so the first "
            f"start makes a new, empty one; {meant}"]


def database_others_can_read(settings: Settings) -> list[str]:
    """A SQLite database every user of the machine can read. mailbot makes a new one 0600,
    but before 26 November 2026 it made it 0644 (beside a data folder made 0755 by the
    install steps of then), and an upgrade leaves an existing file's mode as it was: every
    member's mail stays open to every account on the server until someone says so."""
    from mailbot.store.backup import sqlite_path

    database = sqlite_path(settings.database_url)
    if database is None:
        return []
    try:
        mode = stat.S_IMODE(database.stat().st_mode)
    except OSError:
        return []
    if not mode & stat.S_IROTH:
        return []
    files = [str(database), *(name for suffix in ("-wal", "-shm")
                              if Path(name := f"{database}{suffix}").exists())]
    key = "database.url" if settings.database.url else "council.data_dir"
    return [f"{key}: the database {database} holds every member's mail and every user of "
            f"this machine can read it (mode {mode:04o}: mailbot made it so before 26 "
            f"November 2026, and an upgrade keeps a file's mode); chmod 600 {' '.join(files)}"]


def never_polled(url: str) -> bool:
    """True if the database at `url` has no stored poll place: mailbot has not read this
    mailbox yet (or there is no database yet). False when that cannot be told (the
    database cannot be read): no advice is better than wrong advice."""
    from sqlalchemy import create_engine, text

    from mailbot.mailbox_cursor import CURSOR_KEY
    from mailbot.store.backup import sqlite_path

    database = sqlite_path(url)
    if database is not None and not database.exists():
        return True
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT value FROM state WHERE key = :key"), {"key": CURSOR_KEY}
            ).first()
    except DBAPIError as exc:  # no schema yet says never; no login says nothing
        return _no_such_table(exc)
    finally:
        engine.dispose()
    return found is None


def sqlite_left_behind(settings: Settings) -> str | None:
    """For a config naming a database server that has nothing of this mailbox yet: the
    SQLite database the data folder still holds, when that one has polled it (a council
    moving to PostgreSQL that set [database] url and did not copy), and what to do. Its
    cases would stay behind and the references start again at MB-...-00001."""
    from mailbot.store.backup import sqlite_path

    if sqlite_path(settings.database_url) is not None:
        return None
    old = settings.data_dir / "mailbot.db"
    if not old.is_file() or never_polled(f"sqlite:///{old}"):
        return None
    if not never_polled(settings.database_url):
        return None
    return (f"the new database has nothing of this mailbox yet, but {old} holds its cases "
            f"and handled mail: copy them first with `mailbot db copy --from {old}` "
            "(docs/deployment.md, \"Moving from SQLite to PostgreSQL\"), or move "
            f"{old} away to start afresh")


def _no_such_table(error: DBAPIError) -> bool:
    if getattr(error.orig, "sqlstate", None) == "42P01":  # PostgreSQL: undefined_table
        return True
    return "no such table" in str(error.orig)  # SQLite


ADOPT_ADVICE = (
    "mailbox: mailbot has not polled it yet, so its first poll handles every message now in "
    "the Inbox (each member acknowledged, each officer told). If people already work from "
    "that mail, run `mailbot adopt` first to leave it to them (docs/deployment.md, "
    "\"Going live\")"
)


def redact_url(url: str) -> str:
    """A database URL fit for a log line: the password replaced."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
