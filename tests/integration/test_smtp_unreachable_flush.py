"""The mail server cannot be reached (stopped, firewalled, its name misspelt): the flush
stops at the first mail that could not go and leaves the rest for the next flush.

Before, each queued mail spent its own retries in turn (about 7.5 s each), so a backlog
of a hundred mails held the daemon in one flush for some twelve minutes while no mail was
read. Nothing is lost: once the server is back every mail goes, each exactly once.
Read as the rows in the outbox and the mail the real SMTP server (aiosmtpd) received."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fixtures.dovecot import free_port
from fixtures.smtpd import SmtpServer
from helpers import Council, rows
from test_stale_reminders import JO, SAM, council

from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.retry import Backoff
from mailbot.backends.smtp import SmtpSettings
from mailbot.console import summarise_poll
from mailbot.jobs import PollReport, flush_outbox, poll
from mailbot.status import gather_status
from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday morning
ADDRESS = f"memberenquiries@{JO.partition('@')[2]}"


def sending_through(home: Path, host: str, port: int, waits: list[float]) -> MaildirMailbox:
    return MaildirMailbox(
        home / "maildir", smtp=SmtpSettings(host, port, security="none", timeout=5),
        address=ADDRESS, backoff=Backoff(attempts=3, sleep=waits.append),
    )


def three_enquiries_queued(it: Council) -> None:
    for number, street in enumerate(("Castle Road", "Mill Lane", "Station Street")):
        it.server.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", f"Pothole on {street}",
                                  f"There is a deep pothole on {street}. Can it be repaired?",
                                  date=RECEIVED + timedelta(minutes=number)))
    poll(it.app, RECEIVED + timedelta(minutes=5))


def test_an_unreachable_server_stops_the_flush_at_the_first_mail(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    waits: list[float] = []
    with council(tmp_path) as it:
        three_enquiries_queued(it)
        queued = rows(it.app, OutboxRow)
        assert len(queued) == 6  # an acknowledgement to Jo and an assignment to Sam each
        it.app.backend_override = sending_through(tmp_path, "127.0.0.1", free_port(), waits)
        flushed = flush_outbox(it.app, RECEIVED + timedelta(minutes=6))
        shown = gather_status(it.app, RECEIVED + timedelta(minutes=7)).not_sent
        after_outage = {row.id: (row.status, row.attempts, row.last_error)
                        for row in rows(it.app, OutboxRow)}

        back = RECEIVED + timedelta(hours=1)
        it.app.backend_override = sending_through(
            tmp_path, smtp_server.host, smtp_server.port, waits)
        while flush_outbox(it.app, back).sent:
            back += timedelta(minutes=1)
        sent = rows(it.app, OutboxRow)

    tried = [row for row in after_outage.values() if row[1] > 0]
    assert len(tried) == 1 and len(waits) == 2  # one mail's three tries, no other's
    status, attempts, error = tried[0]
    assert status == "pending" and error.startswith("cannot reach SMTP server 127.0.0.1:")
    assert sorted(row[0] for row in after_outage.values()) == ["pending"] * 6
    assert flushed.sent == [] and flushed.failed == []
    assert flushed.unreachable == error
    line = summarise_poll(PollReport(), flushed)
    assert line.endswith(f"; the rest of the outbox waits for the next flush: {error}")
    # mailbot status counts the mail waiting behind the one tried, not only that one
    assert shown is not None and shown.startswith("6 mail(s) not sent yet, the oldest queued ")
    assert f": {error}; sending is tried again at every flush" in shown

    assert [row.status for row in sent] == ["sent"] * 6
    recipients = sorted(mail.recipients for mail in smtp_server.received)
    assert recipients == sorted([(JO,)] * 3 + [(SAM,)] * 3)  # each mail once
