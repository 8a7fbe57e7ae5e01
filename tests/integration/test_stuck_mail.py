"""Mail that failed or may not have gone waits for a person, who decides with
`mailbot outbox`: send it again, or record that it went. Uncertain mail is also looked
for in Sent Items again for a while, since the copy can be filed after the send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import JO, NOW, AppFactory, rows, run, sent_to, subject_marked
from typer.testing import CliRunner

from mailbot.app import App
from mailbot.backends.memory import MemoryServer
from mailbot.cli import app as command_line
from mailbot.jobs import flush_outbox
from mailbot.outbox import RECHECK_EVERY, RECHECK_FOR
from mailbot.store.tables import EventRow, OutboxRow

MEMBER_MAIL = (
    f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
    "Subject: Blocked drain\r\nMessage-ID: <drain@wiltshire.gov.uk>\r\n"
    "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nThe drain floods the road.\r\n"
).encode()


def cli(app: App, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(command_line, [*args, "--config", str(app.settings.config_path)])
    return result.exit_code, result.output


def acknowledged(app_factory: AppFactory) -> tuple[App, MemoryServer, OutboxRow]:
    """The member's mail, acknowledged; then the ack is made to look lost mid-send."""
    app, server = app_factory()
    server.deliver(MEMBER_MAIL)
    run(app)
    assert len(sent_to(server, JO[1])) == 1
    with app.store.transaction() as session:
        ack = session.query(OutboxRow).filter_by(purpose="ack").one()
        ack.status, ack.last_error = "uncertain", "the line dropped after DATA"
        ack.not_before = NOW + RECHECK_EVERY
    return app, server, ack


def forget_sent_copy(server: MemoryServer) -> None:
    """As if the send never reached the server: no copy in Sent Items, nothing delivered."""
    server.sent.clear()
    server.outgoing.clear()


def test_uncertain_mail_found_in_sent_items_later_is_settled_as_sent(
    app_factory: AppFactory,
) -> None:
    app, server, ack = acknowledged(app_factory)
    flush_outbox(app, NOW + timedelta(minutes=1))  # before the next look: unchanged
    assert rows(app, OutboxRow, OutboxRow.id == ack.id)[0].status == "uncertain"
    flush_outbox(app, NOW + RECHECK_EVERY)
    [row] = rows(app, OutboxRow, OutboxRow.id == ack.id)
    assert row.status == "sent" and row.sent_at == NOW + RECHECK_EVERY
    assert len(sent_to(server, JO[1])) == 1  # settled, not sent again
    assert any("found in Sent Items after all" in e.detail for e in rows(app, EventRow))


def test_uncertain_mail_not_found_is_never_resent_and_looked_for_only_a_while(
    app_factory: AppFactory,
) -> None:
    app, server, ack = acknowledged(app_factory)
    forget_sent_copy(server)
    for minutes in range(0, int(RECHECK_FOR.total_seconds() // 60) + 120, 15):
        flush_outbox(app, NOW + timedelta(minutes=minutes))
    [row] = rows(app, OutboxRow, OutboxRow.id == ack.id)
    assert row.status == "uncertain" and server.outgoing == []
    assert row.not_before <= NOW + RECHECK_FOR + RECHECK_EVERY  # it stopped looking


def test_a_person_resends_uncertain_mail_once_and_the_status_clears(
    app_factory: AppFactory,
) -> None:
    app, server, ack = acknowledged(app_factory)
    forget_sent_copy(server)
    code, output = cli(app, "status")
    assert code == 1 and f"row {ack.id}" in output and "mailbot outbox resend ROW" in output
    code, output = cli(app, "outbox", "list")
    assert code == 0 and f"row {ack.id}" in output and "uncertain" in output and JO[1] in output

    code, output = cli(app, "outbox", "resend", str(ack.id))
    assert code == 0, output
    assert "goes out with the next outbox flush" in output
    # The command runs on the real clock (it is the edge of the system), so flush after it
    flush_outbox(app, datetime.now(UTC) + timedelta(minutes=1))
    assert len(sent_to(server, JO[1])) == 1
    [row] = rows(app, OutboxRow, OutboxRow.id == ack.id)
    assert row.status == "sent"
    [event] = [e for e in rows(app, EventRow) if e.action == "outbox resend"]
    assert event.actor.startswith("admin:") and "was uncertain" in event.detail
    flush_outbox(app, datetime.now(UTC) + timedelta(hours=1))
    assert len(sent_to(server, JO[1])) == 1  # once
    assert cli(app, "status")[0] == 0
    assert "no mail is waiting for a person" in cli(app, "outbox", "list")[1]


def test_a_person_records_that_it_went_and_nothing_is_sent(app_factory: AppFactory) -> None:
    app, server, ack = acknowledged(app_factory)
    forget_sent_copy(server)
    code, output = cli(app, "outbox", "mark-sent", str(ack.id))
    assert code == 0 and "is recorded as sent" in output
    flush_outbox(app, NOW + timedelta(hours=1))
    assert server.outgoing == []
    assert rows(app, OutboxRow, OutboxRow.id == ack.id)[0].status == "sent"
    assert cli(app, "status")[0] == 0


def test_sent_or_missing_rows_cannot_be_resent(app_factory: AppFactory) -> None:
    app, server, ack = acknowledged(app_factory)
    cli(app, "outbox", "mark-sent", str(ack.id))
    code, output = cli(app, "outbox", "resend", str(ack.id))
    assert code == 1 and f"outbox row {ack.id} is sent" in output
    code, output = cli(app, "outbox", "resend", "9999")
    assert code == 1 and "there is no outbox row 9999" in output
    flush_outbox(app, NOW + timedelta(hours=1))
    assert len(sent_to(server, JO[1])) == 1


def test_a_person_releases_mail_the_cap_held_back_and_it_goes(app_factory: AppFactory) -> None:
    app, server = app_factory(max_per_recipient=1)
    for n in range(2):
        server.deliver(subject_marked(MEMBER_MAIL.replace(b"<drain@", f"<drain{n}@".encode()),
                                      str(n)))
    # On the real clock, as the command's decision is: the cap's window must still be open
    started = datetime.now(UTC)
    run(app, started)
    assert len(sent_to(server, JO[1])) == 1  # the cap: one automatic mail per window
    [held] = rows(app, OutboxRow, OutboxRow.status == "suppressed")
    assert cli(app, "outbox", "list")[1] == "no mail is waiting for a person\n"
    code, output = cli(app, "outbox", "list", "--suppressed")
    assert code == 0 and f"row {held.id}" in output and "suppressed" in output

    code, output = cli(app, "outbox", "resend", str(held.id))
    assert code == 0 and "was suppressed" in output
    flush_outbox(app, datetime.now(UTC) + timedelta(minutes=1))
    assert datetime.now(UTC) + timedelta(minutes=1) < started + timedelta(hours=3)  # in it
    assert len(sent_to(server, JO[1])) == 2
    assert rows(app, OutboxRow, OutboxRow.id == held.id)[0].status == "sent"
