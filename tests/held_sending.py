"""What the sending-hold tests share: a member's enquiry as it arrives in the shared
mailbox (memberenquiries@wiltshire.gov.uk), and a Maildir mailbox that sends through the
test SMTP server with the password given (a wrong one to be refused)."""

from __future__ import annotations

from pathlib import Path

from fixtures.smtpd import SmtpServer

from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.smtp import SmtpSettings


def member_mail(sender: tuple[str, ...], subject: str, message_id: str, text: str) -> bytes:
    """The mail `sender` (name, address) sends the shared mailbox on Wed 25 Nov 2026."""
    return (
        f"From: {sender[0]} <{sender[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: {subject}\r\nMessage-ID: {message_id}\r\n"
        f"Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\n{text}\r\n"
    ).encode()


def sending_through(smtpd: SmtpServer, folder: Path, password: str) -> MaildirMailbox:
    """A Maildir mailbox in `folder` sending by STARTTLS through `smtpd`, logging in with
    its user name and `password`."""
    settings = SmtpSettings(
        host=smtpd.host, port=smtpd.port, security="starttls",
        ssl_context=smtpd.client_ssl_context(), username=smtpd.username, password=password,
    )
    return MaildirMailbox(folder, smtp=settings)
