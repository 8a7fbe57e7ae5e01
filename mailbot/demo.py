"""`mailbot demo`: the whole flow, offline, on the embedded default (SQLite + Maildir).

The first run creates a demo home with a config, a directory of members and officers and
a Maildir inbox holding the sample mail from config/demo/mail; every run then polls,
flushes the outbox into a folder of .eml files and shows what happened. A second run
finds nothing new and changes nothing.
"""

from __future__ import annotations

import mailbox
import shutil
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from mailbot import jobs
from mailbot.app import build_app
from mailbot.console import add_plain_row, summarise_poll
from mailbot.logs import configure_logging
from mailbot.model import MessageStatus
from mailbot.resources import DEMO
from mailbot.settings import load_settings
from mailbot.settings.mistakes import DEMO_OUT_OF_HOURS_TELEPHONE, DEMO_TELEPHONE
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow

DEMO_CONFIG = f"""\
# The demo's configuration: see config/mailbot.example.toml for every key.
[council]
name = "Demo Borough Council"
policy = "wiltshire"
data_dir = "var"
# Fictional numbers (Ofcom's range for drama): acknowledgements give them to a member
# whose matter cannot wait.
telephone = "{DEMO_TELEPHONE}"
out_of_hours_telephone = "{DEMO_OUT_OF_HOURS_TELEPHONE}"

[mailbox]
backend = "maildir"
address = "memberenquiries@example.gov.uk"
display_name = "Member Enquiries"

[mailbox.maildir]
path = "mailbox"
outbox = "outbox"

[directory]
members = "members.csv"
officers = "officers.csv"
admins = ["it.support@example.gov.uk"]   # may send reply commands for any case
"""


def create_home(home: Path) -> bool:
    """Lay out the demo home; True if it was new (and the sample mail was delivered)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "mailbot.toml"
    if not config.exists():
        routing = (DEMO / "routing.toml").read_text(encoding="utf-8")
        config.write_text(DEMO_CONFIG + "\n" + routing, encoding="utf-8")
    for name in ("members.csv", "officers.csv"):
        if not (home / name).exists():
            shutil.copy(DEMO / name, home / name)
    marker = home / "var" / ".demo-mail-delivered"
    if marker.exists():
        return False
    inbox = mailbox.Maildir(str(home / "mailbox"), create=True)
    for sample in sorted((DEMO / "mail").glob("*.eml")):
        inbox.add(sample.read_bytes())
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("sample mail delivered; delete the mailbox and var folders to start again\n")
    return True


def run_demo(home: Path, now: datetime | None = None, console: Console | None = None) -> None:
    console = console or Console(width=None if Console().is_terminal else 140)
    home = home.resolve()
    fresh = create_home(home)
    settings = load_settings(home / "mailbot.toml", environment=False)
    configure_logging(settings)
    app = build_app(settings)
    moment = now or datetime.now(UTC)
    try:
        if fresh:
            console.print(f"Delivered the sample mail to {home / 'mailbox'}")
        console.print("Training the classifier if needed, then polling the demo mailbox…")
        report = jobs.poll(app, moment)
        flushed = jobs.flush_outbox(app, moment)
        console.print(summarise_poll(report, flushed))
        first_ref = _show(app, console)
    finally:
        app.close()
    console.print(
        f"\nLook at:\n  config      {home / 'mailbot.toml'}\n"
        f"  inbox       {home / 'mailbox'} (processed mail is in .Processed)\n"
        f"  sent mail   {home / 'outbox'}\n"
        f"  database    {settings.database_url}\n"
        f"  one case    mailbot case {first_ref or 'REF'} --config {home / 'mailbot.toml'}"
    )


def _show(app, console: Console) -> str | None:  # type: ignore[no-untyped-def]
    """Print the cases, the mail left unanswered and the mail written; the first case's
    reference, for the command that shows one case."""
    with app.store.transaction() as session:
        cases = session.scalars(select(CaseRow).order_by(CaseRow.id)).all()
        table = Table(title="Cases opened")
        columns = ("ref", "kind", "priority", "member", "officer", "ack due", "response due")
        for column in (*columns, "status"):
            table.add_column(column)
        for case in cases:
            add_plain_row(
                table,
                case.ref,
                case.kind + (" (confidential)" if case.confidential else ""),
                case.priority,
                case.member_email,
                case.officer_email or "—",
                str(case.ack_due or "—"),
                str(case.response_due),
                case.status,
            )
        console.print(table)

        left = session.scalars(
            select(MessageRow)
            .where(MessageRow.status != MessageStatus.PROCESSED)
            .order_by(MessageRow.id)
        ).all()
        table = Table(title="Mail not answered, and why")
        for column in ("from", "subject", "status", "reason"):
            table.add_column(column)
        for row in left:
            add_plain_row(table, row.sender, row.subject[:50], row.status, row.reason)
        console.print(table)

        sent = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()
        table = Table(title="Mail written by mailbot")
        for column in ("purpose", "to", "status", "Message-ID"):
            table.add_column(column)
        for row in sent:
            add_plain_row(table, row.purpose, row.recipients, row.status, row.message_id)
        console.print(table)
        return cases[0].ref if cases else None
