"""`mailbot adopt`: going live on a shared mailbox whose Inbox people already work from.

The mail already there is left to them: recorded by Message-ID, sender and subject (not
its content), never answered, never moved. Mail that arrives afterwards is handled as
usual, and a later full reread of the Inbox (an expired cursor) answers none of the old
mail. Tested on a real Dovecot through the command line, and on the memory mailbox for
the reread.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, mailbot_config
from fixtures.smtpd import SmtpServer
from helpers import JO, NOW, SHARED_MAILBOX, AppFactory, rows, run
from imapclient import IMAPClient
from typer.testing import CliRunner

from mailbot.adoption import LEFT_TO_PEOPLE, AlreadyPolling, adopt_mailbox
from mailbot.app import build_app
from mailbot.cli import app as cli
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@example.gov.uk"
MEMBER = "jo.bloggs@councillors.example.gov.uk"  # in the demo's members.csv


def member_mail(number: int, sender: str = MEMBER, to: str = ADDRESS) -> bytes:
    return (
        f"From: Cllr Jo Bloggs <{sender}>\r\nTo: {to}\r\n"
        f"Subject: Fly-tipping behind the library, report {number}\r\n"
        f"Message-ID: <adopt-{number}@councillors.example.gov.uk>\r\n"
        "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n"
        "Bags of rubbish dumped behind the library again. Can it be cleared?\r\n"
    ).encode()


def inbox_count(client: IMAPClient, folder: str = "INBOX") -> int:
    if not client.folder_exists(folder):
        return 0
    return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])


@pytest.mark.dovecot
@pytest.mark.own_database  # reads the SQLite file the command line wrote
@pytest.mark.timeout(120)
def test_old_mail_is_left_to_people_and_new_mail_is_handled(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    client = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    client.login(user.username, user.password)
    for number in range(1, 6):
        client.append("INBOX", member_mail(number))
    config = mailbot_config(
        tmp_path / "mailbot.toml", dovecot, user, (smtp_server.host, smtp_server.port),
        address=ADDRESS, directory=DEMO, extra="[classifier]\ntrain_if_missing = false",
    )

    checked = CliRunner().invoke(cli, ["check-config", "--connect", "--config", str(config)])
    assert checked.exit_code == 0, checked.output
    assert "mailbot has not polled it yet" in checked.stdout
    assert "run `mailbot adopt` first" in checked.stdout

    adopted = CliRunner().invoke(cli, ["adopt", "--config", str(config)])
    assert adopted.exit_code == 0, adopted.output
    assert "5 message(s) already in the mailbox are left to people" in adopted.stdout
    checked = CliRunner().invoke(cli, ["check-config", "--connect", "--config", str(config)])
    assert "mailbot adopt" not in checked.stdout

    client.append("INBOX", member_mail(6))
    polled = CliRunner().invoke(cli, ["poll", "--once", "--config", str(config)])
    assert polled.exit_code == 0, polled.output

    acknowledged = [item for item in smtp_server.received if MEMBER in item.recipients]
    assert len(acknowledged) == 1
    assert b"report 6" in acknowledged[0].raw
    assert inbox_count(client) == 5, "the old mail stays in the Inbox, where people work"
    assert inbox_count(client, "Processed") == 1
    client.logout()

    mailbot = build_app(load_settings(config))
    try:
        recorded = {row.message_id: row for row in rows(mailbot, MessageRow)}
        [case] = rows(mailbot, CaseRow)
    finally:
        mailbot.close()
    assert case.subject.endswith("report 6")
    for number in range(1, 6):
        old = recorded[f"<adopt-{number}@councillors.example.gov.uk>"]
        assert (old.status, old.reason) == ("ignored", LEFT_TO_PEOPLE)
        assert old.raw == b"", "the content of mail left to people is not kept"
        subject = f"Fly-tipping behind the library, report {number}"
        assert (old.sender, old.subject) == (MEMBER, subject)
        assert old.size > 0

    again = CliRunner().invoke(cli, ["adopt", "--config", str(config)])
    assert again.exit_code == 1
    assert "mailbot has read this mailbox already" in again.output
    # In the council's time, to the minute, as `mailbot status` gives times (not raw ISO).
    assert re.search(r"\(last on \d{4}-\d\d-\d\d \d\d:\d\d\); adopt is for the first start",
                     again.output), again.output


def test_a_full_reread_later_answers_none_of_the_old_mail(app_factory: AppFactory) -> None:
    app, server = app_factory()
    for number in range(1, 4):
        server.deliver(member_mail(number, sender=JO[1], to=SHARED_MAILBOX))
    report = adopt_mailbox(app, NOW)
    assert (report.left, report.known) == (3, 0)

    server.deliver(member_mail(4, sender=JO[1], to=SHARED_MAILBOX))
    server.expire_cursors()  # as a UIDVALIDITY change or an expired Graph delta link would
    run(app, NOW + timedelta(minutes=5))

    acks = [row for row in rows(app, OutboxRow) if row.purpose == "ack"]
    assert len(acks) == 1
    assert [case.subject for case in rows(app, CaseRow)] == [
        "Fly-tipping behind the library, report 4"
    ]
    statuses = sorted(row.status for row in rows(app, MessageRow))
    assert statuses == ["ignored", "ignored", "ignored", "processed"]
    assert server.inbox == {}, "read again in full, the old mail is moved like any known mail"


def test_the_same_message_twice_in_the_inbox_is_recorded_once(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(member_mail(1, sender=JO[1], to=SHARED_MAILBOX))
    server.deliver(member_mail(1, sender=JO[1], to=SHARED_MAILBOX))
    report = adopt_mailbox(app, NOW)
    assert (report.left, report.known) == (1, 1)
    assert len(rows(app, MessageRow)) == 1


def test_adopting_after_the_first_poll_is_refused(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(member_mail(1, sender=JO[1], to=SHARED_MAILBOX))
    run(app)
    server.deliver(member_mail(2, sender=JO[1], to=SHARED_MAILBOX))
    with pytest.raises(AlreadyPolling, match="adopt is for the first start"):
        adopt_mailbox(app, NOW)
    run(app, NOW + timedelta(minutes=5))
    assert len([row for row in rows(app, OutboxRow) if row.purpose == "ack"]) == 2


def test_adopting_a_mailbox_an_earlier_release_polled_says_when_it_can(
    app_factory: AppFactory,
) -> None:
    """A release before 26 November 2026 kept the poll's place without its time; its daemon
    noted each poll it began. After the upgrade the refusal says that time, or none,
    rather than 'last on an unknown date'."""
    from mailbot.jobs import DAEMON_POLLED_KEY
    from mailbot.mailbox_cursor import CURSOR_SAVED_KEY
    from mailbot.store.state import write_value

    app, server = app_factory()
    server.deliver(member_mail(1, sender=JO[1], to=SHARED_MAILBOX))
    run(app)
    with app.store.transaction() as session:  # as the earlier release left the state
        write_value(session, CURSOR_SAVED_KEY, None)
        write_value(session, DAEMON_POLLED_KEY, "2026-11-26T16:00:00+00:00")
    with pytest.raises(AlreadyPolling) as refused:
        adopt_mailbox(app, NOW)
    assert str(refused.value) == (
        "mailbot has read this mailbox already (last on 2026-11-26 16:00); adopt is for the "
        "first start, before `mailbot run` or `mailbot poll --once`")

    with app.store.transaction() as session:  # polled by `mailbot poll --once` alone
        write_value(session, DAEMON_POLLED_KEY, None)
    with pytest.raises(AlreadyPolling) as refused:
        adopt_mailbox(app, NOW)
    assert str(refused.value) == (
        "mailbot has read this mailbox already; adopt is for the first start, before "
        "`mailbot run` or `mailbot poll --once`")


@pytest.mark.own_database  # chooses its own databases
def test_never_polled_is_told_from_the_database(empty_database_url: str) -> None:
    from mailbot.diagnose import never_polled
    from mailbot.mailbox_cursor import CURSOR_KEY
    from mailbot.store import Store
    from mailbot.store.state import write_value

    assert never_polled(empty_database_url)  # no database, or no schema yet
    store = Store(empty_database_url)
    try:
        assert never_polled(empty_database_url)
        with store.transaction() as session:
            write_value(session, CURSOR_KEY, "1:5")
        assert not never_polled(empty_database_url)
    finally:
        store.close()
