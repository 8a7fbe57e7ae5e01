"""What the IMAP backend tests on a real Dovecot share: a member's message as they
append it, mailbot's acknowledgement as it sends it, a new user and a person logged in
to their mailbox beside mailbot (the `user` and `person` fixtures, imported by the tests
that use them), and mailbot's own IMAP backend for the shared mailbox with SMTP
submission (two tries, no waiting)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email.utils import format_datetime
from typing import Any

import pytest
from fixtures.dovecot import DovecotServer, ImapUser
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient

from mailbot.backends.imap import ImapMailbox
from mailbot.backends.retry import Backoff
from mailbot.backends.smtp import SmtpSettings
from mailbot.model import OutgoingMail

ADDRESS = "memberenquiries@example.gov.uk"


def member_message(label: str) -> bytes:
    """A councillor's message with `label` as its subject and in its Message-ID."""
    return (
        "From: Cllr Example <cllr@members.test.invalid>\r\n"
        "To: enquiries@council.test.invalid\r\n"
        f"Subject: {label}\r\n"
        f"Message-ID: <{label}.{uuid.uuid4().hex}@members.test.invalid>\r\n"
        "\r\n"
        f"Body of {label}.\r\n"
    ).encode()


def acknowledgement(label: str, written: datetime | None = None) -> OutgoingMail:
    """mailbot's acknowledgement to the councillor (`label` in its Message-ID), with a
    Date header when `written` is given."""
    message_id = f"<{label}.{uuid.uuid4().hex}@example.gov.uk>"
    date = f"Date: {format_datetime(written)}\r\n" if written is not None else ""
    mime = (
        f"From: {ADDRESS}\r\nTo: cllr@members.test.invalid\r\nSubject: Your enquiry\r\n"
        f"{date}Message-ID: {message_id}\r\n\r\nThank you.\r\n"
    ).encode()
    return OutgoingMail(message_id=message_id, recipients=("cllr@members.test.invalid",),
                        mime=mime)


@pytest.fixture
def user(dovecot: DovecotServer) -> ImapUser:
    return dovecot.new_user()


@pytest.fixture
def person(dovecot: DovecotServer, user: ImapUser) -> Iterator[IMAPClient]:
    with logged_in(dovecot, user) as client:
        yield client


@contextmanager
def logged_in(server: DovecotServer, user: ImapUser) -> Iterator[IMAPClient]:
    """A person's own IMAP client on the user's mailbox, logged out when the block ends."""
    client = IMAPClient(server.host, server.port, ssl=False, timeout=30)
    client.login(user.username, user.password)
    yield client
    client.logout()


def sending_mailbox(
    server: DovecotServer, user: ImapUser, smtp: SmtpServer, **options: Any
) -> ImapMailbox:
    """mailbot's IMAP backend on the user's mailbox as ADDRESS, sending through `smtp`."""
    return ImapMailbox(
        host=server.host, port=server.port, security="none", username=user.username,
        password=user.password, address=ADDRESS,
        smtp=SmtpSettings(smtp.host, smtp.port, security="none"),
        backoff=Backoff(attempts=2, sleep=lambda _: None), timeout=10, **options,
    )
