"""A person deletes the shared mailbox's Sent folder while mailbot runs, on a real Dovecot.

Dovecot answers a SELECT of a folder that is not there with a plain "NO Mailbox doesn't
exist" (no [NONEXISTENT] code, which is all mailbot looked for). So: with watch_sent every
poll failed, and no member's mail was read until a restart; every mail sent lost its Sent
copy; and asking whether a mail interrupted mid-send went out was an error, which stopped
the outbox flush. Each now goes on as if the folder were empty, and the copy of the next
mail sent makes the folder again.
"""

from __future__ import annotations

import uuid

import pytest
from fixtures.dovecot import DovecotServer, ImapUser
from fixtures.smtpd import SmtpServer
from imap_person import ADDRESS, acknowledgement, person, sending_mailbox, user
from imapclient import IMAPClient

__all__ = ["person", "user"]  # pytest fixtures, used by name

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(60)]

def message(label: str) -> bytes:
    return (
        f"From: Cllr Example <cllr@members.test.invalid>\r\nTo: {ADDRESS}\r\n"
        f"Subject: {label}\r\nMessage-ID: <{label}.{uuid.uuid4().hex}@members.test.invalid>\r\n"
        "\r\nText.\r\n"
    ).encode()


def subjects(person: IMAPClient, folder: str) -> list[str]:
    person.select_folder(folder, readonly=True)
    data = person.fetch(person.search("ALL"), ["ENVELOPE"])
    person.close_folder()
    return sorted(item[b"ENVELOPE"].subject.decode() for item in data.values())


def test_watching_sent_goes_on_reading_the_inbox_when_sent_is_deleted(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient, smtp_server: SmtpServer
) -> None:
    mailbox = sending_mailbox(dovecot, user, smtp_server, watch_sent=True)
    _, cursor = mailbox.fetch_new(None)  # makes Processed and Sent, finds our place
    person.delete_folder("Sent")
    person.append("INBOX", message("enquiry"))
    fetched, cursor = mailbox.fetch_new(cursor)
    assert [item.folder for item in fetched] == ["inbox"]
    mailbox.mark_processed_many([item.ref for item in fetched])

    # The next mail sent makes Sent again, with its copy; replies there are seen after it.
    mailbox.send(acknowledgement("ack"))
    assert subjects(person, "Sent") == ["Your enquiry"]
    fetched, cursor = mailbox.fetch_new(cursor)  # a new Sent folder: watched from now
    person.append("Sent", message("officer reply"))
    fetched, cursor = mailbox.fetch_new(cursor)
    assert [item.folder for item in fetched] == ["sent"]
    mailbox.close()


def test_a_mail_sent_after_sent_is_deleted_keeps_its_copy(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient, smtp_server: SmtpServer
) -> None:
    mailbox = sending_mailbox(dovecot, user, smtp_server)
    mailbox.send(acknowledgement("first"))
    person.delete_folder("Sent")
    mail = acknowledgement("second")
    mailbox.send(mail)
    assert len(smtp_server.received) == 2
    assert subjects(person, "Sent") == ["Your enquiry"]
    assert mailbox.was_sent(mail.message_id) is True
    mailbox.close()


def test_asking_after_a_mail_when_sent_is_deleted_is_not_an_error(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient, smtp_server: SmtpServer
) -> None:
    mailbox = sending_mailbox(dovecot, user, smtp_server)
    mailbox.send(acknowledgement("first"))
    person.delete_folder("Sent")
    assert mailbox.was_sent("<interrupted@example.gov.uk>") is None  # unknown: not resent
    mailbox.close()
