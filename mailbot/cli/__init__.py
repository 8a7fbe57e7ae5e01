"""The `mailbot` command line. Each command is thin: parse arguments, call the app, print.

The commands live in one module per group; this one makes the app and lists them, in the
order `mailbot --help` shows them. Heavy modules are imported inside the commands that
need them, so `mailbot --help` stays quick."""

from __future__ import annotations

import os
import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from mailbot.cli import (
    cases,
    classifier,
    daemon,
    deadlines,
    outbox,
    person,
    quarantine,
    relay,
    scheduled,
    setting_up,
)

app = typer.Typer(
    name="mailbot",
    help="Case handling for a council's shared member-enquiries mailbox.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text names config sections like [retention]: not markup
)

app.command()(setting_up.version)
app.command("check-config")(setting_up.check_config)
app.command()(daemon.poll)
app.command()(daemon.run)
app.command()(daemon.adopt)
app.command()(setting_up.demo)
app.command()(classifier.classify)
app.command()(daemon.status)
app.command("cases")(cases.list_cases)
app.command()(cases.relabel)
app.command("subject-access")(cases.subject_access)
app.command()(cases.verify)
app.command()(cases.reassign)
app.command("case")(cases.show_case)
app.command("digest")(scheduled.weekly_digest)
app.command("purge")(scheduled.retention_purge)
app.command("train")(classifier.train_classifier)
app.command("evaluate")(classifier.evaluate_classifier)
app.command()(deadlines.deadlines)
app.add_typer(setting_up.db_app, name="db")
app.add_typer(outbox.outbox_app, name="outbox")
app.add_typer(quarantine.quarantine_app, name="quarantine")
app.add_typer(relay.relay_app, name="relay")
app.add_typer(person.person_app, name="person")


def main() -> None:
    """Entry point: a one-line error instead of a traceback (MAILBOT_DEBUG=1 shows it)."""
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the console
        if os.environ.get("MAILBOT_DEBUG"):
            raise
        if isinstance(exc, SQLAlchemyError):
            # Its text adds the SQL and its parameters (a member's message, an address)
            # on further lines: the driver's own first line says what went wrong.
            cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            typer.echo(f"mailbot: error: database: {cause[0] if cause else exc}", err=True)
        else:
            typer.echo(f"mailbot: error: {type(exc).__name__}: {exc}", err=True)
        typer.echo("mailbot: run again with MAILBOT_DEBUG=1 for the full traceback", err=True)
        sys.exit(1)
