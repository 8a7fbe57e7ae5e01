"""IMAP over TLS and STARTTLS, IDLE, and SMTP submission, against real servers."""

from __future__ import annotations

import ssl
import threading
import uuid
from typing import Any

import pytest
from fixtures.dovecot import DovecotServer, ImapUser
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient

from mailbot.backends.base import BackendError, TransientError
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.retry import Backoff
from mailbot.backends.smtp import SmtpSettings, envelope_sender, submit
from mailbot.model import OutgoingMail

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(60)]


def message(label: str) -> bytes:
    return (
        f"From: cllr@members.test.invalid\r\nSubject: {label}\r\n"
        f"Message-ID: <{label}.{uuid.uuid4().hex}@members.test.invalid>\r\n\r\nHello.\r\n"
    ).encode()


def outgoing(label: str = "ack") -> OutgoingMail:
    message_id = f"<{label}.{uuid.uuid4().hex}@council.test.invalid>"
    mime = (
        f"From: Member Enquiries <enquiries@council.test.invalid>\r\n"
        f"To: cllr@members.test.invalid\r\nSubject: {label}\r\nMessage-ID: {message_id}\r\n"
        "\r\nThank you.\r\n"
    ).encode()
    return OutgoingMail(message_id, ("cllr@members.test.invalid",), mime)


@pytest.fixture
def user(dovecot: DovecotServer) -> ImapUser:
    user = dovecot.new_user()
    deliver(dovecot, user, "waiting")
    return user


def deliver(dovecot: DovecotServer, user: ImapUser, label: str) -> None:
    """Put a member's message in the user's inbox, as the mail server would."""
    admin = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    admin.login(user.username, user.password)
    admin.append("INBOX", message(label))
    admin.logout()


def mailbox_for(dovecot: DovecotServer, user: ImapUser, **options: Any) -> ImapMailbox:
    """mailbot's IMAP backend logged in as `user` (plain IMAP on the server's port unless
    `options` say otherwise)."""
    settings: dict[str, Any] = {"port": dovecot.port, "security": "none", **options}
    return ImapMailbox(
        host=dovecot.host, username=user.username, password=user.password, **settings
    )


def fetched_over(dovecot: DovecotServer, user: ImapUser, port: int, security: str) -> int:
    """How many messages a poll over `security`, trusting the server's certificate, reads."""
    with mailbox_for(
        dovecot, user, port=port, security=security, ssl_context=dovecot.client_ssl_context()
    ) as mailbox:
        fetched, _ = mailbox.fetch_new(None)
    return len(fetched)


def test_implicit_tls(dovecot: DovecotServer, user: ImapUser) -> None:
    assert fetched_over(dovecot, user, dovecot.tls_port, "tls") == 1


def test_starttls(dovecot: DovecotServer, user: ImapUser) -> None:
    assert fetched_over(dovecot, user, dovecot.port, "starttls") == 1


def test_untrusted_certificate_is_a_clear_error_not_a_retry(
    dovecot: DovecotServer, user: ImapUser
) -> None:
    sleeps: list[float] = []
    mailbox = mailbox_for(
        dovecot, user, port=dovecot.tls_port, security="tls",
        ssl_context=ssl.create_default_context(),  # the system CAs: self-signed is unknown
        backoff=Backoff(sleep=sleeps.append),
    )
    with pytest.raises(BackendError, match="certificate is not trusted"):
        mailbox.fetch_new(None)
    assert sleeps == []


def test_tls_against_a_plain_port_points_at_the_setting(
    dovecot: DovecotServer, user: ImapUser
) -> None:
    mailbox = mailbox_for(
        dovecot, user, security="tls", ssl_context=dovecot.client_ssl_context(),
        backoff=Backoff(sleep=lambda _: None),
    )
    with pytest.raises(BackendError, match="security = 'tls'"):
        mailbox.fetch_new(None)


def test_idle_wakes_up_when_mail_arrives(dovecot: DovecotServer, user: ImapUser) -> None:
    mailbox = mailbox_for(dovecot, user)
    assert mailbox.wait_for_new(timeout=0.3) is False  # nothing new: times out

    timer = threading.Timer(0.3, deliver, (dovecot, user, "arrives"))
    timer.start()
    try:
        assert mailbox.wait_for_new(timeout=10) is True
    finally:
        timer.join()
    fetched, _ = mailbox.fetch_new(None)
    assert len(fetched) == 2
    mailbox.close()


def test_smtp_with_auth(smtpd_auth: SmtpServer) -> None:
    smtpd_auth.reset()
    settings = smtpd_auth.starttls_settings()
    mail = outgoing()
    submit(settings, mail, "enquiries@council.test.invalid")
    [received] = smtpd_auth.received
    assert received.mail_from == "enquiries@council.test.invalid"
    assert received.recipients == ("cllr@members.test.invalid",)
    assert mail.message_id.encode() in received.raw


def test_smtp_wrong_password_says_so(smtpd_auth: SmtpServer) -> None:
    settings = smtpd_auth.starttls_settings(password="wrong")
    with pytest.raises(BackendError, match="refused the login.*check the username and password"):
        submit(settings, outgoing(), "enquiries@council.test.invalid")


def test_smtp_busy_is_transient_and_send_retries(
    dovecot: DovecotServer, user: ImapUser, smtp_server: SmtpServer
) -> None:
    sleeps: list[float] = []
    mailbox = mailbox_for(
        dovecot, user,
        smtp=SmtpSettings(host=smtp_server.host, port=smtp_server.port, security="none"),
        backoff=Backoff(sleep=sleeps.append),
    )  # fmt: skip
    smtp_server.fail_next(2)
    mail = outgoing("busy")
    mailbox.send(mail)
    mailbox.close()
    assert [r.recipients for r in smtp_server.received] == [("cllr@members.test.invalid",)]
    assert received_from(smtp_server) == ["enquiries@council.test.invalid"]  # From: header
    assert sleeps == [0.5, 1.0]


def received_from(server: SmtpServer) -> list[str]:
    return [r.mail_from for r in server.received]


def test_smtp_server_down_is_transient() -> None:
    from fixtures.dovecot import free_port

    settings = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=2)
    with pytest.raises(TransientError, match="cannot reach SMTP server"):
        submit(settings, outgoing(), "enquiries@council.test.invalid")


def test_send_without_smtp_settings_is_a_clear_error(
    dovecot: DovecotServer, user: ImapUser
) -> None:
    mailbox = mailbox_for(dovecot, user)
    with pytest.raises(BackendError, match=r"no \[mailbox.smtp\] settings"):
        mailbox.send(outgoing())


def test_envelope_sender_reads_the_from_header() -> None:
    assert envelope_sender(outgoing().mime) == "enquiries@council.test.invalid"
