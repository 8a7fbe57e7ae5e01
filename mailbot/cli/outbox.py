"""`mailbot outbox`: mail that failed or may not have gone, for a person to decide on."""

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

outbox_app = typer.Typer(
    help="Mail that failed or may not have gone: list it, send it again, or record it as sent.",
    no_args_is_help=True,
)


@outbox_app.command("list")
def outbox_list(
    suppressed: Annotated[
        bool, typer.Option("--suppressed", help="Also list mail the per-recipient cap held back.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """The mail waiting for a person, newest first, with the row number to act on."""
    from mailbot.stuck_mail import list_stuck

    with opened_app(config) as mailbot_app:
        found = list_stuck(mailbot_app.store, include_suppressed=suppressed)
    if not found:
        typer.echo("no mail is waiting for a person")
    for mail in found:
        typer.echo(f"row {mail.id}  {uk_time(mail.created_at)}  {mail.status}  "
                   f"{mail.purpose} to {mail.recipients}: {mail.error}")


def _decide(row: int, config: Path | None, resend: bool) -> None:
    from mailbot.stuck_mail import NotDecidable, record_as_sent, release_for_resending

    decide = release_for_resending if resend else record_as_sent
    with opened_app(config) as mailbot_app:
        try:
            mail = decide(mailbot_app.store, row, datetime.now(UTC), by=f"admin:{operator()}")
        except NotDecidable as exc:
            raise fail(str(exc)) from None
    done = "goes out with the next outbox flush" if resend else "is recorded as sent"
    typer.echo(f"row {mail.id} ({mail.purpose} to {mail.recipients}, was {mail.status}) {done}")


@outbox_app.command("resend")
def outbox_resend(
    row: Annotated[
        int, typer.Argument(parser=row_number, help="The row number from `mailbot outbox list`.")
    ],
    config: ConfigOption = None,
) -> None:
    """Send a failed, uncertain or held-back mail again, once you have checked that it did
    not arrive: a mail that may have gone is never resent without a person's say."""
    _decide(row, config, resend=True)


@outbox_app.command("mark-sent")
def outbox_mark_sent(
    row: Annotated[
        int, typer.Argument(parser=row_number, help="The row number from `mailbot outbox list`.")
    ],
    config: ConfigOption = None,
) -> None:
    """Record that a failed, uncertain or held-back mail did arrive, so it is not
    reported again."""
    _decide(row, config, resend=False)
