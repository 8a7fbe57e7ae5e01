"""Setting mailbot up: its version, whether the config (and the mailbox and database it
names) is right, the database schema, and the offline demo."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from mailbot.cli.common import (
    ConfigOption,
    database_failure,
    fail,
    hand_over_at_exit,
    load_config,
)
from mailbot.config_explain import set_by_environment
from mailbot.demo import run_demo
from mailbot.diagnose import (
    ADOPT_ADVICE,
    ConnectFailed,
    check_mailbox,
    check_sending,
    config_problems,
    config_warnings,
    never_polled,
    problems_beside_broken_sections,
    redact_url,
    sqlite_left_behind,
)
from mailbot.directory_keep import daemon_note
from mailbot.scheduler import AlreadyRunning, single_instance
from mailbot.settings import ConfigError, Settings, find_config
from mailbot.settings.database import check_database_url
from mailbot.settings.load import settings_without_broken_sections
from mailbot.store import Store
from mailbot.store.backup import (
    SIDE_FILES,
    BackupError,
    back_up,
    check_backup,
    give_to_folder_owner,
    restore,
    sqlite_path,
)
from mailbot.store.copy import CopyRefused, copy_database
from mailbot.store.db import (
    SchemaTooNew,
    at_newest_schema,
    check_schema_not_newer,
    folds_every_capital,
    low_disk_note,
    tables_refused,
)


def version() -> None:
    """Print the installed version."""
    from mailbot import __version__

    typer.echo(__version__)


def check_config(
    config: ConfigOption = None,
    connect: Annotated[
        bool,
        typer.Option(help="Also log in to the mailbox and list its folders, to the SMTP "
                     "server (imap and maildir: login and sender, nothing sent), and to "
                     "PostgreSQL."),
    ] = False,
) -> None:
    """Validate the config file (and the policy pack, directory and template overrides it
    uses): one error line per problem and exit 2; warnings for what is accepted but
    probably wrong. With --connect, a mailbox, SMTP server or database that refuses the
    login or cannot be reached is one line and exit 3."""
    try:
        settings = load_config(config)
    except typer.Exit:
        for problem in _problems_despite(find_config(config)):
            typer.echo(f"mailbot: error: {problem}", err=True)
        raise
    problems = config_problems(settings)
    for warning in config_warnings(settings):
        typer.echo(f"mailbot: warning: {warning}", err=True)
    for problem in problems:
        typer.echo(f"mailbot: error: {problem}", err=True)
    if problems:
        note = daemon_note(settings)
        if note:
            typer.echo(f"mailbot: note: {note}", err=True)
        raise typer.Exit(2)
    where = settings.config_path or "defaults"
    valid = f"policy {settings.council.policy}, backend {settings.mailbox.backend}"
    if not connect:
        typer.echo(f"{where}: OK ({valid})")
        return
    # Not "OK" before the logins are tried: an administrator reading it first took a
    # refused login below it for a detail.
    typer.echo(f"{where}: the settings are valid ({valid}); now logging in")
    _check_logins(settings, where)
    typer.echo(f"{where}: OK: the settings are valid and every login worked")


def _problems_despite(path: Path | None) -> list[str]:
    """After the config's own mistakes: what is wrong with the rest of it (the policy
    pack, the mailbox) and with members.csv, officers.csv and the templates it names,
    found with its broken sections left out, so one run of check-config names those too."""
    found = settings_without_broken_sections(path) if path else None
    return problems_beside_broken_sections(*found) if found is not None else []


def _check_logins(settings: Settings, where: object) -> None:
    """The mailbox login, the SMTP login and the database's, each tried whatever the
    others did, so one run names every login that fails: exit 3 if one did."""
    failed = False
    try:
        folders = check_mailbox(settings)
    except ConnectFailed as exc:
        fail(f"{where}: {exc}", 3)
        failed = mailbox_failed = True
    else:
        mailbox_failed = False
        typer.echo("mailbox: connected; folders: " + ", ".join(folders))
    try:
        sending = check_sending(settings)
    except ConnectFailed as exc:
        fail(f"{where}: {exc}", 3)
        failed = True
    else:
        if sending is not None:
            typer.echo(f"smtp: {sending}")
    if not mailbox_failed and never_polled(settings.database_url):
        left_behind = sqlite_left_behind(settings)
        typer.echo(f"database: {left_behind}" if left_behind else ADOPT_ADVICE)
    _check_database_login(settings.database_url, where)
    if failed:
        raise typer.Exit(3)


def _check_database_login(url: str, where: object) -> None:
    """Log in to a database server (SQLite is a file made on start: nothing to try), and
    read the schema of one already there: after a package rolled back, the daemon would
    refuse the schema a newer release left (exit 2), so this says so before it starts."""
    from sqlalchemy import create_engine

    file = sqlite_path(url)
    if url.startswith("sqlite") and (file is None or not file.is_file()):
        return
    if file is not None:  # reading it as root may make its -wal and -shm: the service's
        hand_over_at_exit(file.parent)
    engine = create_engine(url)
    try:
        check_schema_not_newer(engine)
        refused = tables_refused(engine) if file is None else None
        if refused:
            raise fail(f"{where}: database.url{set_by_environment('database.url')}: "
                       f"database {redact_url(url)}: {refused}", 3)
        if file is None and not folds_every_capital(engine):
            typer.echo(f"mailbot: warning: database {redact_url(url)}: its locale folds only "
                       "A-Z in lower(), so an officer's address with a capital beyond ASCII "
                       "(ZOË.ÖKTEN@) is not matched in SQL; create the database with a "
                       "UTF-8 locale (docs/deployment.md, Database)", err=True)
    except SchemaTooNew as exc:
        raise fail(f"database {redact_url(url)}: {exc}", 2) from None
    except SQLAlchemyError as exc:
        raise fail(f"{where}: database.url{set_by_environment('database.url')}: "
                   f"{database_failure(url, exc)}", 3) from None
    finally:
        engine.dispose()
    if file is None:
        typer.echo(f"database: connected to {redact_url(url)}")


db_app = typer.Typer(help="The database: schema upgrades, backup and restore (SQLite), "
                     "copying into a new one (SQLite to PostgreSQL).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply any pending schema migrations (also done automatically on start)."""
    settings = load_config(config)
    try:
        Store(settings.database_url).close()
    except SchemaTooNew as exc:
        raise fail(f"database {redact_url(settings.database_url)}: {exc}", 2) from None
    except SQLAlchemyError as exc:
        raise fail(database_failure(settings.database_url, exc)) from None
    typer.echo(f"database at {redact_url(settings.database_url)} is up to date")


@db_app.command("copy")
def db_copy(
    source: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="FILE|URL",
            help="The database to copy from: the old SQLite file (var/mailbot.db) or a "
            "database URL.",
        ),
    ],
    config: ConfigOption = None,
) -> None:
    """Copy every case, message and mail from another database into the one the config
    names, which must be new and empty: how to move from SQLite to PostgreSQL
    (docs/deployment.md, "Moving from SQLite to PostgreSQL"). Stop the daemon first."""
    settings = load_config(config)
    where = settings.config_path or "<defaults>"
    source_url = _source_url(source, settings)
    if source_url == settings.database_url:
        raise fail(f"--from names the database {where} already uses ([database] url); "
                   "give the old one", 2)
    stores: list[Store] = []
    try:
        # Not migrated in place: an older release's file (the backup taken before an
        # upgrade, the way back) must stay one that release can open.
        stores.append(Store(source_url, migrate=sqlite_path(source_url) is None))
        check_schema_not_newer(stores[0].engine)
        stores.append(Store(settings.database_url))
        old, new = stores
        with (single_instance(settings.data_dir, new), old.sole_poller() as sole,
              tempfile.TemporaryDirectory(dir=settings.data_dir) as scratch):
            if not sole:
                raise fail(f"a mailbot is still running on {redact_url(source_url)}; stop "
                           "it before copying")
            reading = old
            source_file = sqlite_path(source_url)
            if source_file is not None and not at_newest_schema(old.engine):
                # An older schema is brought up to date in a snapshot, not in the file.
                snapshot = Path(scratch) / "mailbot.db"
                back_up(source_file, snapshot)
                reading = Store(f"sqlite:///{snapshot}")
                stores.append(reading)
            copied = copy_database(reading.engine, new.engine)
    except AlreadyRunning as exc:
        raise fail(f"{exc}; stop it before copying") from None
    except CopyRefused as exc:
        raise fail(f"{redact_url(settings.database_url)}: {exc}", 2) from None
    except SQLAlchemyError as exc:
        url = source_url if len(stores) < 2 else settings.database_url
        raise fail(database_failure(url, exc)) from None
    finally:
        for store in stores:
            store.close()
    counts = ", ".join(f"{copied[name]} {name}" for name in ("cases", "messages", "outbox"))
    typer.echo(f"copied {counts} (and their history) from {redact_url(source_url)} "
               f"to {redact_url(settings.database_url)}")


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(
        help="Where to write the copy (an earlier backup there is replaced; any other "
        "file is refused).")],
    config: ConfigOption = None,
) -> None:
    """Write a consistent copy of the SQLite database to FILE, safe while the daemon runs
    (a plain cp of mailbot.db is not: the latest mail may be only in mailbot.db-wal). For
    PostgreSQL use pg_dump."""
    settings = load_config(config)
    database = sqlite_path(settings.database_url)
    if database is None:
        raise fail(f"{redact_url(settings.database_url)} is PostgreSQL: back it up with "
                   "pg_dump --format=custom (docs/deployment.md, \"Backup and restore\")", 2)
    target = file.expanduser().resolve()
    try:
        size = back_up(database, target)
    except BackupError as exc:
        raise fail(str(exc), 2) from None
    except sqlite3.Error as exc:
        # Both files named: "database or disk is full" is most often the backup's disk,
        # and naming only the database sent the administrator to the wrong one.
        raise fail(f"backing up {database} to {target}: {exc}"
                   f"{low_disk_note(target.parent)}") from None
    typer.echo(f"backed up {database} to {file} ({size // 1024} KiB, readable by its "
               "owner alone)")


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A copy made by `mailbot db backup`.")],
    config: ConfigOption = None,
) -> None:
    """Put a backup in place of the SQLite database, with the daemon stopped. The database
    it replaces is moved aside (mailbot.db.replaced-DATE), not deleted."""
    settings = load_config(config)
    database = sqlite_path(settings.database_url)
    if database is None:
        raise fail(f"{redact_url(settings.database_url)} is PostgreSQL: restore it with "
                   "pg_restore (docs/deployment.md, \"Backup and restore\")", 2)
    backup = file.expanduser().resolve()
    try:
        check_backup(backup)
        store = Store(settings.database_url, migrate=False)  # opens nothing yet
        try:  # the daemon's locks on the data folder and database: never swap under it
            with single_instance(settings.data_dir, store):
                aside = restore(backup, database, datetime.now(UTC))
        finally:
            store.close()
        Store(settings.database_url).close()  # a backup from an older release: migrated now
        # The files this command made or replaced; the lock files are the daemon's own
        # (scheduler.single_instance, store/poller_lock.py), made here if they were lost.
        made = [database.with_name(database.name + end) for end in ("", *SIDE_FILES)]
        give_to_folder_owner([*made, Path(f"{database}.poller.lock")], database.parent)
        give_to_folder_owner([settings.data_dir / "mailbot.lock"], settings.data_dir)
    except AlreadyRunning as exc:
        raise fail(f"{exc}; stop it before restoring") from None
    except BackupError as exc:
        raise fail(str(exc), 2) from None
    except (sqlite3.Error, SQLAlchemyError) as exc:
        raise fail(f"database {database}: {exc}") from None
    if aside is not None:
        typer.echo(f"the database it replaced is kept as {aside}")
    typer.echo(f"restored {database} from {file}; mail handled since the backup was made is "
               "in the mailbox's processed folder but not in the database (docs/deployment.md)")


def _source_url(source: str, settings: Settings) -> str:
    """A database URL from --from: a URL as given, or the path of a SQLite file, which must
    be there (opening a mistyped path would make a new, empty database to copy)."""
    if "://" in source:
        try:
            check_database_url(source)
        except ValueError as exc:
            raise fail(f"--from: {exc}", 2) from None
        path = source.split("///", 1)[1] if source.startswith("sqlite:///") else None
    else:
        path = source
    if path is None:
        return source
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        meant = _sqlite_file_meant(path, settings)
        raise fail(f"--from: {file} is not a file; " + (
            f"did you mean {meant[0]} ({meant[1]})? A path is taken from the current folder, "
            "not the config's" if meant
            else "give the old SQLite database file (<data_dir>/mailbot.db)"), 2)
    return f"sqlite:///{file}"


def _sqlite_file_meant(path: str, settings: Settings) -> tuple[Path, str] | None:
    """For a --from that is not there: the file of that name beside the config, else the
    data folder's mailbot.db, with which it is; None if neither is there, or it is the
    database the config itself uses."""
    beside = (settings.base_dir / path).resolve()
    in_data_dir = (settings.data_dir / "mailbot.db").resolve()
    found = beside if beside.is_file() else in_data_dir if in_data_dir.is_file() else None
    in_use = sqlite_path(settings.database_url)
    if found is None or (in_use is not None and in_use.resolve() == found):
        return None
    return found, "the data folder's" if found == in_data_dir else "beside the config"


def demo(
    home: Annotated[
        Path, typer.Option(help="Folder for the demo's config, mailbox and database.")
    ] = Path("demo-home"),
) -> None:
    """Run the whole flow offline on the embedded default and show what happened.

    MAILBOT_* variables are ignored: the demo never reaches a real database or mailbox."""
    try:
        run_demo(home)
    except ConfigError as exc:
        raise fail(str(exc)) from None
