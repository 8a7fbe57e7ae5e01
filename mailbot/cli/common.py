"""What every command shares: the --config option, the one-line error, and the app opened
from the config (with every config mistake named, key and file, before anything runs)."""

from __future__ import annotations

import atexit
import contextlib
import getpass
import logging
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from mailbot.app import App, DirectoryCopy, build_app
from mailbot.config_explain import set_by_environment
from mailbot.diagnose import (
    config_warnings,
    missing_directory_files,
    missing_shipped_files,
    redact_url,
    sqlite_left_behind,
    unusable_database_folder,
)
from mailbot.directory import DirectoryError
from mailbot.directory_keep import find_kept
from mailbot.logs import configure_logging
from mailbot.model import Kind
from mailbot.policy import PolicyError
from mailbot.settings import (
    DEFAULT_CONFIG_NAME,
    ConfigError,
    Settings,
    find_config,
    load_settings,
)
from mailbot.store.backup import sqlite_path
from mailbot.store.db import SchemaTooNew, create_rights_advice, low_disk_note
from mailbot.template_check import broken_templates
from mailbot.workdays import LONDON

ConfigOption = Annotated[
    Path | None,
    # readable=False: a file this user may not read is said in mailbot's words (load.py),
    # with how to let the service read it, not in Click's usage error.
    typer.Option("--config", readable=False,
                 help="Config file (else $MAILBOT_CONFIG, else ./mailbot.toml)."),
]


# Arguments Typer would check itself answer a mistake in pydantic's words ("Input should
# be a valid integer, unable to parse string as an integer"): these parsers say it plainly.


def whole_number(text: str | int) -> int:
    """A whole number; the option's default comes here as the int it already is."""
    try:
        return int(str(text).strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a whole number") from None


def row_number(text: str | int) -> int:
    """A row number as `mailbot quarantine list` and `mailbot outbox list` show it."""
    try:
        return int(str(text).strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a row number: give the number the list shows, such as 12"
        ) from None


def case_kind(text: str) -> Kind:
    """A kind, however capitalised ("FOI"), as `mailbot deadlines --kind` reads it."""
    try:
        return Kind(text.strip().lower())
    except ValueError:
        *first, last = (kind.value for kind in Kind)
        raise typer.BadParameter(
            f"{text!r} is not a kind: give {', '.join(first)} or {last}"
        ) from None


def calendar_day(text: str) -> datetime:
    """A day written YYYY-MM-DD (midnight, no zone: the caller says whose midnight)."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date: write it YYYY-MM-DD, such as 2026-11-26"
        ) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error on stderr and return the Exit to raise."""
    typer.echo(f"mailbot: error: {message}", err=True)
    return typer.Exit(code)


def load_config(config: Path | None, *, required: bool = True) -> Settings:
    """Validated settings, or exit with every problem listed (key and file named).

    A command about a council's mail needs its config: run without one (no --config, no
    $MAILBOT_CONFIG, say after sudo dropped it, and no ./mailbot.toml) it would make an
    empty database in the current folder and report "0 case(s)" as if nothing had come.
    """
    path = find_config(config)
    if path is None and required:
        raise fail(
            f"no config file: give --config PATH or set MAILBOT_CONFIG (there is no "
            f"{DEFAULT_CONFIG_NAME} in {Path.cwd()})",
            2,
        )
    try:
        return load_settings(path)
    except ConfigError as exc:
        for line in exc.lines():
            typer.echo(f"mailbot: error: {line}", err=True)
        raise typer.Exit(2) from None


def hand_over_at_exit(data_dir: Path) -> None:
    """Root running a command in a data folder that belongs to another user (deployment.md:
    the service runs as its own user; the install steps, `adopt` among them, as root): what
    root makes there (the database, its -wal, lock files, the model, the outbox folder) would
    be root's, mode 0600, and the service could then not open its own database. When the
    command ends, each of them is given to the folder's owner. Root keeps its access either
    way, so a container run as root on a volume owned by another uid goes on as before."""
    if os.geteuid() != 0 or not data_dir.is_dir():
        return
    owner = data_dir.stat()
    if owner.st_uid != 0:
        atexit.register(_give_to, data_dir, owner.st_uid, owner.st_gid)


def _give_to(folder: Path, uid: int, gid: int) -> None:
    with contextlib.suppress(OSError):  # the folder itself went (a temporary one)
        for path in (folder, *folder.rglob("*")):
            with contextlib.suppress(OSError):  # gone meanwhile: nothing to give
                found = path.lstat()
                # A file with a second name may be a hard link the folder's owner made to
                # one of root's files elsewhere (/etc/shadow, say): never root's to give.
                linked = not stat.S_ISDIR(found.st_mode) and found.st_nlink > 1
                if found.st_uid == 0 and not linked:
                    os.lchown(path, uid, gid)


def open_app(
    config: Path | None,
    *,
    warn: bool = False,
    directory_copy: DirectoryCopy = "none",
    makes_mail: bool = False,
    reads_mailbox: bool = False,
) -> App:
    """The app from the config; with `warn`, log what check-config would warn about
    (an empty password, a skipped directory row), for the commands that handle mail.
    `directory_copy`: what to do with the daemon's kept copy of the directory (app.py).
    `makes_mail`: a command run by hand that renders or queues mail refuses (exit 2) a
    council template mailbot cannot use, before the database is opened.
    `reads_mailbox`: a command that polls or adopts the mailbox refuses (exit 2) a new
    database server's database while the SQLite one it replaces holds this mailbox's
    cases (not yet copied)."""
    settings = load_config(config)
    configure_logging(settings)
    where = settings.config_path or "<defaults>"
    hand_over_at_exit(settings.data_dir)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"{where}: council.data_dir: cannot create {settings.data_dir}: "
                   f"{exc.strerror}", 2) from None
    database_folder = unusable_database_folder(settings)
    if database_folder:
        raise fail(database_folder[0], 2)
    missing = missing_directory_files(settings)
    if directory_copy != "none" and find_kept(settings) is not None:
        missing = []  # a file deleted by mistake: started on the kept copy, as app.py says
    missing = missing_shipped_files() + missing
    for line in missing:
        typer.echo(f"mailbot: error: {line}", err=True)
    if missing:
        raise typer.Exit(2)
    if makes_mail:
        refuse_broken_templates(settings)
    left_behind = sqlite_left_behind(settings) if reads_mailbox else None
    if left_behind:
        raise fail(f"{where}: database.url{set_by_environment('database.url')}: "
                   f"{left_behind}", 2)
    try:
        mailbot_app = build_app(settings, directory_copy=directory_copy)
    except PolicyError as exc:
        # As check-config says it: the pack may be fine and the council's [policy] wrong.
        raise fail(f"{where}: council.policy / [policy]: {exc}", 2) from None
    except DirectoryError as exc:
        raise fail(str(exc), 2) from None
    except SchemaTooNew as exc:
        # Not back by the next restart: exit 2, which systemd leaves stopped (deployment.md).
        raise fail(f"database {redact_url(settings.database_url)}: {exc}", 2) from None
    except SQLAlchemyError as exc:
        # Down or refusing the login: exit 1, not 2, as it may be back by the next restart.
        raise fail(database_failure(settings.database_url, exc)
                   + _database_key(settings.database_url, where)) from None
    if warn:
        for warning in config_warnings(settings, mailbot_app.directory, mailbot_app.policy):
            logging.getLogger("mailbot.settings").warning("%s", warning)
    return mailbot_app


def refuse_broken_templates(settings: Settings) -> None:
    """Exit 2 naming each council template mailbot cannot use (file, line, what), as a
    directory file that does not validate is refused: a command run by hand that makes
    mail says so at once, where the daemon goes on with mailbot's own
    (template_fallback.py). Any broken template, not only the ones this command uses: a
    person is there to put it right, and check-config says the same."""
    broken = broken_templates(settings)
    for template in broken:
        typer.echo(f"mailbot: error: {template.problem()}", err=True)
    if broken:
        raise typer.Exit(2)


def _database_key(url: str, where: object) -> str:
    """For a database server, which key names it, and where: a refused login (a password
    changed) is put right there. A SQLite file's problem is the file's, said already."""
    if sqlite_path(url) is not None:
        return ""
    return f" ({where}: database.url{set_by_environment('database.url')})"


@contextmanager
def opened_app(
    config: Path | None,
    *,
    warn: bool = False,
    directory_copy: DirectoryCopy = "none",
    makes_mail: bool = False,
    reads_mailbox: bool = False,
) -> Iterator[App]:
    """The app for one command, closed (database, mailbox) however the command ends."""
    mailbot_app = open_app(config, warn=warn, directory_copy=directory_copy,
                           makes_mail=makes_mail, reads_mailbox=reads_mailbox)
    try:
        yield mailbot_app
    finally:
        mailbot_app.close()


def uk_time(moment: datetime) -> str:
    """As `mailbot status` shows times: the council's clock (Europe/London)."""
    return f"{moment.astimezone(LONDON):%Y-%m-%d %H:%M}"


def operator() -> str:
    """Who is at the keyboard, for the audit trail of what a person decided."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no password entry (some containers)
        return "administrator"


def database_failure(url: str, exc: SQLAlchemyError) -> str:
    """One line: the driver's first line, without SQLAlchemy's help link or the password."""
    cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    file = sqlite_path(url)
    if file is not None:
        return f"database {redact_url(url)}: {cause}{low_disk_note(file)}"
    schema = re.fullmatch(r"permission denied for schema (\S+)", cause)
    if schema:  # the login may not make mailbot's tables: say how to give it the right
        named = make_url(url)
        user = named.username or getpass.getuser()
        cause = create_rights_advice(user, named.database or user, schema.group(1))
    return f"database {redact_url(url)}: {cause}"
