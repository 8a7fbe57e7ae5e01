"""`mailbot quarantine`: messages mailbot could not handle, to look at or run again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from mailbot.cli.common import (
    ConfigOption,
    fail,
    opened_app,
    operator,
    row_number,
    uk_time,
)

quarantine_app = typer.Typer(
    help="Messages mailbot could not handle: list them, save one, or run one again.",
    no_args_is_help=True,
)


QuarantineRow = Annotated[
    int, typer.Argument(parser=row_number, help="The row number from `mailbot quarantine list`.")
]


@quarantine_app.command("list")
def quarantine_list(config: ConfigOption = None) -> None:
    """Quarantined messages, newest first, with the row number and the reason."""
    from mailbot.quarantine import list_quarantined

    with opened_app(config) as mailbot_app:
        found = list_quarantined(mailbot_app.store)
    if not found:
        typer.echo("no message is quarantined")
    for message in found:
        typer.echo(f"row {message.id}  {uk_time(message.received_at)}  "
                   f"{message.sender or '(no sender)'}  {message.message_id}: {message.reason}")


@quarantine_app.command("save")
def quarantine_save(
    row: QuarantineRow,
    to: Annotated[Path, typer.Argument(help="The .eml file to write.")],
    config: ConfigOption = None,
) -> None:
    """Write a quarantined message, byte for byte as it arrived, to an .eml file."""
    from mailbot.private_files import write_new_private_file
    from mailbot.quarantine import NotQuarantined, raw_bytes

    with opened_app(config) as mailbot_app:
        try:
            raw = raw_bytes(mailbot_app.store, row)
        except NotQuarantined as exc:
            raise fail(str(exc)) from None
    try:
        write_new_private_file(to, raw)
    except FileExistsError:
        raise fail(f"{to} already exists: give a new file name (it is not overwritten)") from None
    except OSError as exc:
        raise fail(f"cannot write {to}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {len(raw)} bytes to {to} (readable by you alone)")


@quarantine_app.command("retry")
def quarantine_retry(
    row: QuarantineRow,
    config: ConfigOption = None,
) -> None:
    """Run a quarantined message through the pipeline again, once the cause is fixed (its
    sender added to the directory, mailbot upgraded). Its clock counts from when it came.
    Exit 1 if it is quarantined again. Refuses (exit 2) a council template mailbot cannot
    use, as `poll --once` does."""
    from mailbot.model import MessageStatus
    from mailbot.quarantine import NotQuarantined, retry

    with opened_app(config, makes_mail=True) as mailbot_app:
        try:
            outcome = retry(mailbot_app, row, datetime.now(UTC), by=f"admin:{operator()}")
        except NotQuarantined as exc:
            raise fail(str(exc)) from None
    where = f" as {outcome.case_ref}" if outcome.case_ref else ""
    typer.echo(f"row {row}: {outcome.status.value}{where}: {outcome.reason}")
    if outcome.queued:
        typer.echo("queued: " + ", ".join(outcome.queued) + " (sent by the next outbox flush)")
    if outcome.status == MessageStatus.QUARANTINED:  # the cause is not fixed
        raise typer.Exit(1)


@quarantine_app.command("done")
def quarantine_done(
    row: QuarantineRow,
    config: ConfigOption = None,
) -> None:
    """Take off the list a message the mailbox could not give mailbot ("left unread in
    ..."), once a person has opened it in the mailbox, dealt with it and moved it; or a
    member's Outlook recall that matched no case, once someone has checked with them."""
    from mailbot.quarantine import NotQuarantined, mark_dealt_with

    with opened_app(config) as mailbot_app:
        try:
            mark_dealt_with(mailbot_app.store, row, datetime.now(UTC), by=f"admin:{operator()}")
        except NotQuarantined as exc:
            raise fail(str(exc)) from None
    typer.echo(f"row {row}: recorded as dealt with by hand; no longer listed")
