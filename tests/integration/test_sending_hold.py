"""A mail server that refuses every mail (wrong password) holds the outbox back: nothing
is failed or lost, the service account is not hammered, and once the password is put
right every mail goes, once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from held_sending import member_mail, sending_through
from helpers import JO, NOW, RHIAN, AppFactory, rows

from mailbot.backends.base import SendingBlocked
from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.backends.smtp import SmtpSettings
from mailbot.console import summarise_poll
from mailbot.jobs import PollReport, flush_outbox, poll
from mailbot.model import OutgoingMail
from mailbot.sending_hold import try_now
from mailbot.status import format_status, gather_status
from mailbot.store.tables import OutboxRow

pytestmark = pytest.mark.timeout(60)


def enquiry(n: int, sender: tuple[str, ...]) -> bytes:
    return member_mail(sender, f"Street light out, number {n}", f"<hold-{n}@members.example>",
                       f"The street light outside number {n} has been out for a week.")


def test_a_refused_login_holds_every_mail_until_it_is_put_right(
    app_factory: AppFactory, smtpd_auth: SmtpServer, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    smtpd_auth.reset()
    app, server = app_factory()
    for n, sender in enumerate((JO, RHIAN, JO)):
        server.deliver(enquiry(n, sender))
    poll(app, NOW)
    queued = rows(app, OutboxRow)
    assert len(queued) == 3

    app.backend_override = sending_through(smtpd_auth, tmp_path / "mail", "wrong")
    first = flush_outbox(app, NOW)
    assert first.held and "check the username and password" in first.held
    assert not first.sent and not first.failed
    assert "sending held, all mail waits" in summarise_poll(PollReport(), first)
    assert smtpd_auth.connections == 1  # one refused login, not one per mail
    assert {(r.status, r.attempts) for r in rows(app, OutboxRow)} == {("pending", 0)}
    shown = format_status(gather_status(app, NOW))
    assert "sending held" in shown and "check the username and password" in shown

    again = flush_outbox(app, NOW + timedelta(minutes=1))  # before the hold's next try
    assert again.held and smtpd_auth.connections == 1
    flush_outbox(app, NOW + timedelta(minutes=6))  # tries one mail again: still refused
    assert smtpd_auth.connections == 2
    assert flush_outbox(app, NOW + timedelta(minutes=12)).held  # now waits 10 minutes
    assert smtpd_auth.connections == 2
    errors = [r for r in caplog.records if r.levelname == "ERROR" and "no mail can be sent"
              in r.getMessage()]
    assert len(errors) == 1  # said once, not at every try

    # The administrator corrects the password and restarts the daemon (which tries at
    # once, as test_sending_hold_restart shows with a real restart): every mail goes.
    app.backend_override = sending_through(smtpd_auth, tmp_path / "mail", smtpd_auth.password)
    try_now(app.store, NOW + timedelta(minutes=13))
    fixed = flush_outbox(app, NOW + timedelta(minutes=13))
    assert len(fixed.sent) == 3 and not fixed.held  # the mail last refused too
    assert not flush_outbox(app, NOW + timedelta(minutes=16)).sent
    assert len(smtpd_auth.received) == 3
    assert {r.status for r in rows(app, OutboxRow)} == {"sent"}
    assert "sending held" not in format_status(gather_status(app, NOW + timedelta(minutes=16)))


class RefusesOneMail(MemoryMailbox):
    """Refuses one mail in the words meant for the whole account."""

    def __init__(self, server: MemoryServer, refused: str) -> None:
        super().__init__(server)
        self.refused = refused

    def send(self, mail: OutgoingMail) -> None:
        if mail.message_id == self.refused:
            raise SendingBlocked("ErrorAccessDenied")
        super().send(mail)


def test_one_mail_refused_in_account_words_does_not_keep_the_others_waiting(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    for n, sender in enumerate((JO, RHIAN, JO)):
        server.deliver(enquiry(n, sender))
    poll(app, NOW)
    first_row, *others = rows(app, OutboxRow)
    app.backend_override = RefusesOneMail(server, first_row.message_id)

    held = flush_outbox(app, NOW)
    assert held.held and not held.sent
    retried = flush_outbox(app, NOW + timedelta(minutes=5))  # tries another mail first
    assert sorted(retried.sent) == sorted(row.message_id for row in others)
    statuses = {row.message_id: row.status for row in rows(app, OutboxRow)}
    assert statuses[first_row.message_id] == "pending"


def test_starttls_the_server_does_not_offer_holds_every_mail(
    app_factory: AppFactory, smtpd: SmtpServer, tmp_path: Path
) -> None:
    """security = "starttls" (the example's) to a relay that offers no STARTTLS: every
    mail was failed one by one, each waiting for a person's `outbox resend`, with only
    "STARTTLS extension not supported by server." to go on. It is a setting to put
    right, as a refused login is: sending is held, saying what to set."""
    smtpd.reset()
    app, server = app_factory()
    for n, sender in enumerate((JO, RHIAN)):
        server.deliver(enquiry(n, sender))
    poll(app, NOW)
    app.backend_override = MaildirMailbox(tmp_path / "mail", smtp=SmtpSettings(
        host=smtpd.host, port=smtpd.port, security="starttls"))
    flushed = flush_outbox(app, NOW)
    assert not flushed.failed and not flushed.sent
    assert flushed.held and "offers no STARTTLS" in flushed.held
    assert 'security = "tls"' in flushed.held
    assert {r.status for r in rows(app, OutboxRow)} == {"pending"}
