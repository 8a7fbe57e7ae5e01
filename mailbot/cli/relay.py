"""`mailbot relay`: mail the council's list relay passed on before [loops] relay_list_ids
named it, dropped as list mail; list it, or read it again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from mailbot.app import App
from mailbot.cli.common import (
    ConfigOption,
    calendar_day,
    fail,
    opened_app,
    operator,
    uk_time,
)
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.relayed import Found


relay_app = typer.Typer(
    help="Mail the council's list relay passed on before [loops] relay_list_ids named it: "
    "list it, or read it again.",
    no_args_is_help=True,
)


SinceOption = Annotated[
    datetime | None,
    typer.Option(
        "--since", parser=calendar_day, metavar="YYYY-MM-DD",
        help="Only mail received on or after this day (YYYY-MM-DD); else all still kept.",
    ),
]


@relay_app.command("list")
def relay_list(since: SinceOption = None, config: ConfigOption = None) -> None:
    """Messages dropped as list mail that came through a relay now named in [loops]
    relay_list_ids, oldest first. `mailbot relay reread` reads them again."""
    with opened_app(config) as mailbot_app:
        found = _relay_dropped(mailbot_app, since)
    for message in found.dropped:
        typer.echo(f"row {message.id}  {uk_time(message.received_at)}  "
                   f"{message.sender or '(no sender)'}  {message.subject!r}")
    typer.echo(f"{len(found.dropped)} message(s) to read again"
               + _erased_note(found.erased))


@relay_app.command("reread")
def relay_reread(since: SinceOption = None, config: ConfigOption = None) -> None:
    """Run each message `mailbot relay list` shows through the pipeline again, as if it had
    just arrived (its clock counted from when it came): members' mail is acknowledged and
    assigned; a newsletter through the relay is dropped again. Each is read again once.
    Refuses (exit 2) a council template mailbot cannot use, as `poll --once` does."""
    from mailbot.relayed import reread

    with opened_app(config, makes_mail=True) as mailbot_app:
        found = _relay_dropped(mailbot_app, since)
        queued = 0
        for message in found.dropped:
            outcome = reread(mailbot_app, message.id, datetime.now(UTC), by=f"admin:{operator()}")
            where = f" as {outcome.case_ref}" if outcome.case_ref else ""
            typer.echo(f"row {message.id}: {outcome.status.value}{where}: {outcome.reason}")
            queued += len(outcome.queued)
    typer.echo(f"{len(found.dropped)} message(s) read again; {queued} mail(s) queued "
               "(sent by the next outbox flush)" + _erased_note(found.erased))


def _relay_dropped(mailbot_app: App, since: datetime | None) -> Found:
    from mailbot.relayed import find_dropped

    settings = mailbot_app.settings
    if not settings.loops.relay_list_ids:
        where = settings.config_path or "the config file"
        raise fail(f"[loops] relay_list_ids is empty in {where}: name the relay (its List-Id "
                   "or the group's address) first; see docs/deployment.md")
    start = since.replace(tzinfo=LONDON) if since else datetime(1970, 1, 1, tzinfo=UTC)
    return find_dropped(mailbot_app, start)


def _erased_note(erased: int) -> str:
    if not erased:
        return ""
    return (f"; {erased} more dropped list message(s) can no longer be read: the retention "
            "purge erased them ([retention] dropped_mail_days)")
