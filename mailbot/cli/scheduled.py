"""The daemon's weekly and nightly jobs, run by hand: the digest and the retention purge."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mailbot.cli.common import ConfigOption, fail, opened_app

if TYPE_CHECKING:
    from mailbot.app import App
    from mailbot.digest import Scope


def weekly_digest(
    preview: Annotated[
        bool, typer.Option("--preview", help="Write the digest to an .eml file; send nothing.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The .eml file --preview writes (default: in data_dir)."),
    ] = None,
    reader: Annotated[
        str | None,
        typer.Option("--for", metavar="ADDRESS",
                     help="With --preview: the digest this recipient gets (a manager's is "
                          "their team's); default the first. The others are listed."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """The weekly digest: --preview writes one recipient's digest (--for) to a file and
    prints the path, and changes nothing in the database (it lists due dates as the next
    real run would work them out, and says so when the calendar changed); without it,
    queue this week's digests if their time has come (never twice in one ISO week).
    Either refuses (exit 2) a council template mailbot cannot use, as `poll --once` does."""
    from mailbot import digest, jobs, recalculate

    now = datetime.now(UTC)
    with opened_app(config, makes_mail=True) as mailbot_app:
        if preview:
            # The due dates the daemon's job would list: worked out again first if the
            # policy or its calendar changed (a closure day added) since they were
            # stored, as the job does, but nothing of it is written: a preview changes
            # nothing (before, it moved the dates and queued the members' letters).
            with recalculate.as_if_worked_out(mailbot_app, now) as (as_if, done):
                if done is not None and done.moved:
                    typer.echo(
                        "mailbot: the policy or its calendar changed since the due dates "
                        "were stored: this preview lists them as the next real run "
                        "(`mailbot digest`, or the daemon's next sweep) works them out again "
                        f"({done.moved} of {done.open_cases} open case(s) move); nothing is "
                        "written until then", err=True)
                target, whose = _preview_target(as_if, reader)
                try:
                    typer.echo(str(digest.preview(as_if, now, out, target)))
                    typer.echo(whose, err=True)
                except OSError as exc:  # a symlink at the name (refused), an unwritable folder
                    raise fail(f"cannot write {exc.filename or out}: "
                               f"{exc.strerror or exc}") from None
            return
        report = jobs.send_digests(mailbot_app, now, by_hand=True)  # due dates first
        where = mailbot_app.settings.config_path or "<defaults>"
    if report.skipped == "disabled":
        typer.echo(f"no digest queued: [digest] enabled = false in {where}")
    elif report.skipped:
        typer.echo(f"no digest queued: {report.skipped}")
    for recipient in report.queued:
        typer.echo(f"queued the digest for {recipient}")
    if report.queued:  # nothing is sent here: an administrator would wait for it
        typer.echo("queued mail is sent by the daemon's next outbox flush, or now by "
                   "`mailbot poll --once`")
    if not report.queued and not report.skipped:
        typer.echo("this week's digests were already queued")


def retention_purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be erased; change nothing.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Erase personal data past its [retention] period now (the daemon does it nightly):
    raw mail, sent mail, old cases' member details, old classifier corrections."""
    from mailbot import jobs, retention

    with opened_app(config) as mailbot_app:
        now = datetime.now(UTC)
        report = (retention.purge(mailbot_app, now, dry_run=True) if dry_run
                  else jobs.purge(mailbot_app, now))
    for line in retention.describe(report, mailbot_app.settings.retention):
        typer.echo(line)


def _preview_target(app: App, reader: str | None) -> tuple[tuple[str, Scope], str]:
    """The recipient --for names (any form of their address), else the first, and a line
    saying whose digest it is and who else gets one."""
    from mailbot.addresses import address_key
    from mailbot.digest import preview_targets

    targets = preview_targets(app)
    chosen = targets[0]
    if reader is not None:
        found = [t for t in targets if address_key(t[0]) == address_key(reader)]
        if not found:
            raise fail(f"--for {reader}: no digest goes to that address this week; "
                       f"the recipients are {', '.join(r for r, _ in targets)} "
                       "([digest] recipients, and each manager_email in officers.csv "
                       "when [digest] managers = true)", 2)
        chosen = found[0]
    others = [f"{r} ({scope.label})" for r, scope in targets if r != chosen[0]]
    return chosen, (f"mailbot: the digest for {chosen[0]} ({chosen[1].label})"
                    + (f"; also sent to {', '.join(others)}: --for ADDRESS to preview one"
                       if others else ""))
