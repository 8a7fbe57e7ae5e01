"""A relay that answers 451 ("busy, try again later") for days: an Exchange under back
pressure, a smart host whose disk filled over a weekend. Every mail waiting is tried again
as a mail server would (2, 4, 8 ... minutes, then hourly) for five days after it was
queued, and goes, once, when the relay takes mail again. Before, eight tries (about four
hours) left every acknowledgement and assignment `failed` for good after one night of 451s.
Read as the rows in the outbox and the mail the real SMTP server (aiosmtpd) received."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from helpers import Council, rows
from test_smtp_unreachable_flush import ADDRESS, RECEIVED, three_enquiries_queued
from test_stale_reminders import JO, SAM, council

from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.retry import Backoff
from mailbot.backends.smtp import SmtpSettings
from mailbot.jobs import flush_outbox
from mailbot.outbox import KEEP_TRYING
from mailbot.status import gather_status
from mailbot.store.tables import OutboxRow

# The daemon flushes every 30 s; past the first tries a mail is due hourly, so a flush an
# hour gives each the same tries.
EVERY = timedelta(hours=1)


def sending_to(home: Path, smtp_server: SmtpServer) -> MaildirMailbox:
    """Each flush's try is one SMTP session: the backend's own quick retries are not the
    point here (and would only repeat each 451)."""
    return MaildirMailbox(
        home / "maildir", smtp=SmtpSettings(smtp_server.host, smtp_server.port,
                                            security="none", timeout=5),
        address=ADDRESS, backoff=Backoff(attempts=1, sleep=lambda _: None),
    )


def flush_until(it: Council, start: datetime, end: datetime) -> datetime:
    moment = start
    while moment < end:
        flush_outbox(it.app, moment)
        moment += EVERY
    return moment


@pytest.fixture
def relay(tmp_path: Path, smtp_server: SmtpServer) -> Iterator[MaildirMailbox]:
    """The backend sending through the test's SMTP server; its connection is closed after
    the test, so the next test's server counts only its own."""
    backend = sending_to(tmp_path, smtp_server)
    yield backend
    backend.close()


def busy_relay_and_six_mails_queued(
    it: Council, relay: MaildirMailbox, smtp_server: SmtpServer
) -> None:
    """Three enquiries polled (an acknowledgement and an assignment each), sent through a
    relay that answers every DATA with 451 until told otherwise."""
    three_enquiries_queued(it)
    it.app.backend_override = relay
    smtp_server.fail_next(10**6)


def test_mail_waits_out_a_weekend_of_451_and_goes_once(
    tmp_path: Path, smtp_server: SmtpServer, relay: MaildirMailbox
) -> None:
    with council(tmp_path) as it:
        busy_relay_and_six_mails_queued(it, relay, smtp_server)
        later = flush_until(it, RECEIVED + timedelta(minutes=6), RECEIVED + timedelta(days=3))
        waiting = rows(it.app, OutboxRow)
        shown = gather_status(it.app, later).not_sent
        smtp_server.fail_next(0)
        flush_until(it, later, later + timedelta(hours=2))
        sent = rows(it.app, OutboxRow)

    assert [row.status for row in waiting] == ["pending"] * 6
    assert min(row.attempts for row in waiting) > 60  # tried hourly all the while
    assert all("451" in (row.last_error or "") for row in waiting)
    assert shown is not None and shown.startswith("6 mail(s) not sent yet")
    assert [row.status for row in sent] == ["sent"] * 6
    recipients = sorted(mail.recipients for mail in smtp_server.received)
    assert recipients == sorted([(JO,)] * 3 + [(SAM,)] * 3)  # each mail once


def test_after_five_days_of_451_the_mail_is_left_for_a_person(
    tmp_path: Path, smtp_server: SmtpServer, relay: MaildirMailbox
) -> None:
    with council(tmp_path) as it:
        busy_relay_and_six_mails_queued(it, relay, smtp_server)
        start = RECEIVED + timedelta(minutes=6)
        before = flush_until(it, start, start + KEEP_TRYING - timedelta(hours=2))
        still = [row.status for row in rows(it.app, OutboxRow)]
        after = flush_until(it, before, start + KEEP_TRYING + timedelta(hours=2))
        ended = rows(it.app, OutboxRow)
        stuck = gather_status(it.app, after).stuck_mail

    assert still == ["pending"] * 6
    assert [row.status for row in ended] == ["failed"] * 6
    assert all((row.last_error or "").startswith("SMTP server") or "451" in (row.last_error or "")
               for row in ended)
    assert len(stuck) == 6  # mailbot status lists each for a person (outbox resend)
    assert smtp_server.received == []
