"""Running mailbot on the mailbox: one poll, the daemon, and whether it is healthy."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from mailbot import directory_alert, jobs, sending_hold, template_fallback
from mailbot.app import App
from mailbot.backends.base import BackendError
from mailbot.cli.common import (
    ConfigOption,
    fail,
    load_config,
    open_app,
    opened_app,
)
from mailbot.config_explain import set_by_environment
from mailbot.console import not_sent_yet, summarise_poll
from mailbot.health import MailboxHealth
from mailbot.refusals import REFUSED_EXIT, processed_folder, refusal_lines
from mailbot.scheduler import AlreadyRunning, run_daemon, single_instance

if TYPE_CHECKING:
    from mailbot.adoption import AdoptReport


def poll(
    config: ConfigOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="One poll and one outbox flush, then exit.")
    ] = False,
) -> None:
    """Fetch new mail, process it and send what is due (use `mailbot run` for the daemon).
    Its line ends with the mail not sent yet (the mail server down) and its next try.

    Exits 4 when the mailbox refused a send or a move (no permission to send as the
    mailbox, no right to move to Processed): a line for each kind says what, how many
    wait, the server's words and what to change. Nothing is lost: the mail waits in the
    outbox and the messages in the Inbox, and the first run after it is put right sends
    and moves them, once. A server busy or down is no refusal (exit 0; tried again later).
    Exits 3 when the mailbox cannot be read at all. Refuses (exit 2) a council template
    mailbot cannot use, as it does a directory file that does not validate; `mailbot run`
    uses mailbot's own in its place."""
    if not once:
        raise fail("use --once for a single poll, or `mailbot run` for the daemon")
    with opened_app(config, warn=True, makes_mail=True, reads_mailbox=True) as mailbot_app:
        try:
            with single_instance(mailbot_app.settings.data_dir, mailbot_app.store):
                now = datetime.now(UTC)
                report = jobs.poll(mailbot_app, now)
                MailboxHealth(mailbot_app).read_by_hand("poll --once", now)
                # A run by hand after a permission or password was put right tries the
                # held mail at once, not when the hold's wait ends.
                sending_hold.try_now(mailbot_app.store, datetime.now(UTC))
                flushed = jobs.flush_outbox(mailbot_app, datetime.now(UTC))
                waiting = not_sent_yet(mailbot_app.store, datetime.now(UTC))
                refused = refusal_lines(report, flushed, mailbot_app.store,
                                        processed_folder(mailbot_app.settings))
        except AlreadyRunning as exc:
            raise fail(str(exc)) from None
        except BackendError as exc:
            raise fail(f"mailbox: {exc}", 3) from None
    typer.echo(summarise_poll(report, flushed, waiting))
    for line in refused:
        typer.echo(line, err=True)
    if refused:
        raise typer.Exit(REFUSED_EXIT)


def adopt(config: ConfigOption = None) -> None:
    """Take over a mailbox already in use, once, before the first poll: the mail now in
    its Inbox is left to people (recorded, not answered, not moved); mailbot handles what
    arrives from now on."""
    from mailbot.adoption import AlreadyPolling, adopt_mailbox

    with opened_app(config, warn=True, reads_mailbox=True) as mailbot_app:
        try:
            with single_instance(mailbot_app.settings.data_dir, mailbot_app.store):
                report = adopt_mailbox(mailbot_app, datetime.now(UTC), progress=_Reading())
        except (AlreadyRunning, AlreadyPolling) as exc:
            raise fail(str(exc)) from None
        except BackendError as exc:
            raise fail(f"mailbox: {exc}", 3) from None
    typer.echo(
        f"{report.left} message(s) already in the mailbox are left to people: recorded, not "
        "answered, not moved. mailbot handles the mail that arrives from now on "
        "(start it with `mailbot run`)."
    )


class _Reading:
    """A line now and then while a large Inbox is read, not one per batch."""

    every = 1000

    def __init__(self) -> None:
        self.shown = 0

    def __call__(self, report: AdoptReport) -> None:
        read = report.left + report.known
        if read - self.shown >= self.every:
            typer.echo(f"  read {read} message(s)...", err=True)
            self.shown = read


# How long a stopping daemon waits for the mailbox and the database to say goodbye.
CLOSE_WAIT_SECONDS = 5.0


def run(config: ConfigOption = None) -> None:
    """Run the daemon: poll, flush the outbox and the other jobs on schedule until stopped.

    Started while members.csv or officers.csv does not validate, it runs on its copy of
    the last directory that did, rather than leave the mailbox unattended; only a first
    start, with no copy, refuses (docs/deployment.md, "When the directory does not
    validate"). A council template it cannot use is replaced by mailbot's own, logged and
    emailed to the admins once (docs/deployment.md, "When a council template cannot be
    used")."""
    mailbot_app = open_app(config, warn=True, directory_copy="keep", reads_mailbox=True)
    try:
        broken = template_fallback.use_own_for_broken(mailbot_app)
        if mailbot_app.directory.kept_copy:
            # At once, not at the next reminder sweep: the first flush sends it.
            directory_alert.alert_if_unreadable(mailbot_app, datetime.now(UTC))
        template_fallback.alert_if_broken(mailbot_app, broken, datetime.now(UTC))
        with single_instance(mailbot_app.settings.data_dir, mailbot_app.store):
            run_daemon(mailbot_app)
    except AlreadyRunning as exc:
        raise fail(str(exc)) from None
    finally:
        close_within(mailbot_app, CLOSE_WAIT_SECONDS)


def close_within(mailbot_app: App, seconds: float) -> None:
    """Close the app, but leave without it after `seconds`: a mailbox server that stopped
    answering would otherwise hold a stopping daemon for its whole read timeout (a minute)
    to acknowledge a LOGOUT. Nothing depends on that goodbye: every mail and message is
    already recorded, and the connections end with the process."""
    closing = threading.Thread(target=mailbot_app.close, name="close", daemon=True)
    closing.start()
    closing.join(seconds)
    if closing.is_alive():
        logging.getLogger("mailbot.scheduler").warning(
            "the mailbox server did not answer the logout within %d s; left without it",
            seconds,
        )


def status(config: ConfigOption = None) -> None:
    """Is the daemon polling, is the mailbox reachable, is any mail stuck or quarantined,
    how many cases are due. Exits 1 when a person should look (the daemon stopped, or silent
    for 30 minutes, or one of its jobs failing run after run; mailbox down, sending held,
    mail failed or possibly not sent, mail not taken by the server for 30 minutes, mail
    the mailbox could not give left there for a person, nearly all recent mail dropped as
    list mail, a directory file that does not validate, a council template mailbot
    cannot use, a database the daemon cannot write to or whose disk is full), 2 for a
    mistake in the configuration."""
    from mailbot.status import format_status, gather_status
    from mailbot.store.backup import sqlite_path

    database = sqlite_path(load_config(config).database_url)
    made_now = database is not None and not database.exists()
    # As the daemon would: on its kept copy when the files do not validate, to say so.
    with opened_app(config, directory_copy="read") as mailbot_app:
        found = gather_status(mailbot_app, datetime.now(UTC))
        where = mailbot_app.settings.config_path
    typer.echo(format_status(found))
    if made_now:
        # A status of a database made just now says all is well with nothing in it: after
        # a move of the config or a mistyped data_dir, the real one is elsewhere.
        typer.echo(f"database: there was none at {database}; an empty one was made just now. "
                   "If mailbot has run before, [council] data_dir"
                   f"{set_by_environment('council.data_dir')} or [database] url"
                   f"{set_by_environment('database.url')} in {where} points at the wrong "
                   "place")
    if not found.healthy or made_now:
        raise typer.Exit(1)
