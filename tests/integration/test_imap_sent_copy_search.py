"""After each send over IMAP, mailbot keeps a copy in Sent, unless an earlier try already
put it there (an APPEND whose OK was lost). That search by Message-ID reads every message
it is given, and a shared mailbox's Sent folder holds years of mail (0.9 s for 60,000 on
Dovecot, for every mail sent). Like was_sent, it now looks only at copies the server
received from the day before the mail was written on. On a real Dovecot and aiosmtpd.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fixtures.dovecot import DovecotServer, ImapUser
from fixtures.smtpd import SmtpServer
from imap_person import acknowledgement as ack_mail
from imap_person import logged_in, sending_mailbox, user
from imapclient import IMAPClient

from mailbot.backends.imap import ImapMailbox
from mailbot.model import OutgoingMail

__all__ = ["user"]  # pytest fixtures, used by name

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(60)]

def acknowledgement(written: datetime, *, dated: bool = True) -> OutgoingMail:
    return ack_mail("ack", written if dated else None)


@pytest.fixture
def person(dovecot: DovecotServer, user: ImapUser) -> Iterator[IMAPClient]:
    with logged_in(dovecot, user) as client:
        client.create_folder("Sent")
        yield client


@pytest.fixture
def mailbox(
    dovecot: DovecotServer, user: ImapUser, smtp_server: SmtpServer
) -> Iterator[ImapMailbox]:
    box = sending_mailbox(dovecot, user, smtp_server)
    yield box
    box.close()


def copies(person: IMAPClient, message_id: str) -> int:
    person.select_folder("Sent", readonly=True)
    found = person.search(["HEADER", "Message-ID", message_id])
    person.close_folder()
    return len(found)


def test_a_sent_mail_is_copied_to_sent_once(
    mailbox: ImapMailbox, person: IMAPClient, smtp_server: SmtpServer
) -> None:
    mail = acknowledgement(datetime.now(UTC))
    mailbox.send(mail)
    assert len(smtp_server.received) == 1
    assert copies(person, mail.message_id) == 1


def test_a_copy_an_earlier_try_kept_is_not_doubled(
    mailbox: ImapMailbox, person: IMAPClient
) -> None:
    """The copy a try an hour ago appended (its OK lost); and a mail held back for days,
    whose copy was kept when it was first tried."""
    now = datetime.now(UTC)
    for written, appended in ((now, now - timedelta(hours=1)),
                              (now - timedelta(days=4), now - timedelta(days=3))):
        mail = acknowledgement(written)
        person.append("Sent", mail.mime, msg_time=appended)
        mailbox.send(mail)
        assert copies(person, mail.message_id) == 1


def test_a_mail_without_a_date_is_still_not_doubled(
    mailbox: ImapMailbox, person: IMAPClient
) -> None:
    mail = acknowledgement(datetime.now(UTC), dated=False)
    person.append("Sent", mail.mime, msg_time=datetime.now(UTC) - timedelta(days=365))
    mailbox.send(mail)
    assert copies(person, mail.message_id) == 1


def test_only_sent_mail_from_the_day_before_the_mail_was_written_is_searched(
    mailbox: ImapMailbox, person: IMAPClient
) -> None:
    """Proof the limit reaches the server: a copy under the same Message-ID from last year
    (which cannot be a try of this mail) is not looked at, so this mail gets its own."""
    now = datetime.now(UTC)
    mail = acknowledgement(now)
    person.append("Sent", mail.mime, msg_time=now - timedelta(days=365))
    mailbox.send(mail)
    assert copies(person, mail.message_id) == 2
