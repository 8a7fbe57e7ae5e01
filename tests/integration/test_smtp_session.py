"""One SMTP connection for many sends (mailbot.backends.smtp.SmtpSession), through the
maildir and imap backends, against real aiosmtpd servers on 127.0.0.1.

What must hold: a flush uses one connection; a connection the server hung up on is
replaced without losing or doubling a mail; a mail the server may already have is never
sent again by the reconnect; errors read as they always did; idle connections close.
"""

from __future__ import annotations

import mailbox
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures.dovecot import DovecotServer, free_port
from fixtures.smtpd import CollectingHandler, SmtpServer, serving
from imapclient import IMAPClient

from mailbot.backends.base import BackendError, MaybeSent, TransientError
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.retry import Backoff
from mailbot.backends.smtp import SmtpSession, SmtpSettings
from mailbot.model import OutgoingMail

pytestmark = pytest.mark.timeout(60)

SHARED = "enquiries@council.test.invalid"


def ack(label: str) -> OutgoingMail:
    message_id = f"<{label}.{uuid.uuid4().hex}@council.test.invalid>"
    mime = (
        f"From: Member Enquiries <{SHARED}>\r\nTo: cllr@members.test.invalid\r\n"
        f"Subject: We have your email ({label})\r\nMessage-ID: {message_id}\r\n\r\n"
        "Thank you.\r\n"
    ).encode()
    return OutgoingMail(message_id, ("cllr@members.test.invalid",), mime)


def message_ids(server: SmtpServer) -> list[str]:
    found = []
    for item in server.received:
        head = item.raw.split(b"\r\n\r\n", 1)[0].decode()
        found += [line.split(": ", 1)[1] for line in head.split("\r\n") if line.startswith("Mess")]
    return found


def plain(server: SmtpServer, **overrides: Any) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, security="none", **overrides)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def maildir_backend(
    tmp_path: Path, settings: SmtpSettings, sleeps: list[float] | None = None, **extra: Any
) -> MaildirMailbox:
    """`sleeps` collects the backoff waits: a transparent reconnect takes none."""
    waits = sleeps if sleeps is not None else []
    return MaildirMailbox(
        tmp_path / "mailbox",
        smtp=settings,
        address=SHARED,
        backoff=Backoff(attempts=3, sleep=waits.append),
        **extra,
    )


def wait_until(condition: Any, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


# --- one connection per flush ------------------------------------------------------------


def test_fifty_mails_through_one_connection(tmp_path: Path, smtp_server: SmtpServer) -> None:
    backend = maildir_backend(tmp_path, plain(smtp_server))
    mails = [ack(f"ack{i}") for i in range(50)]
    try:
        for mail in mails:
            backend.send(mail)
    finally:
        backend.close()
    assert smtp_server.connections == 1
    assert message_ids(smtp_server) == [mail.message_id for mail in mails]
    assert all(item.mail_from == SHARED for item in smtp_server.received)
    assert len(mailbox.Maildir(tmp_path / "mailbox").get_folder("Sent")) == 50  # as before
    assert wait_until(lambda: smtp_server.open_connections == 0)  # close() hung up


@pytest.mark.dovecot
def test_imap_backend_sends_fifty_on_one_connection_and_keeps_sent_copies(
    dovecot: DovecotServer, smtp_server: SmtpServer
) -> None:
    user = dovecot.new_user()
    backend = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none",
        username=user.username, password=user.password,
        smtp=plain(smtp_server), address=SHARED,
    )  # fmt: skip
    mails = [ack(f"imap{i}") for i in range(50)]
    try:
        for mail in mails:
            backend.send(mail)
    finally:
        backend.close()
    assert smtp_server.connections == 1
    assert sorted(message_ids(smtp_server)) == sorted(mail.message_id for mail in mails)
    admin = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    admin.login(user.username, user.password)
    try:
        assert admin.folder_status("Sent", [b"MESSAGES"])[b"MESSAGES"] == 50
    finally:
        admin.logout()


# --- the server hangs up ----------------------------------------------------------------


def test_a_dropped_connection_is_replaced_and_every_mail_goes_once(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    sleeps: list[float] = []
    backend = maildir_backend(tmp_path, plain(smtp_server), sleeps)
    mails = [ack(f"drop{i}") for i in range(10)]
    try:
        for number, mail in enumerate(mails):
            if number in (3, 7):
                assert smtp_server.drop_connections() == 1  # a restart between two sends
            backend.send(mail)
    finally:
        backend.close()
    assert message_ids(smtp_server) == [mail.message_id for mail in mails]
    assert smtp_server.connections == 3
    assert sleeps == []  # reconnected at once, not through the retry-with-backoff path


@pytest.fixture
def impatient_server() -> Iterator[SmtpServer]:
    """A server that times idle clients out after 2 s, saying 421 and hanging up. (0.3 s
    could end a client on a loaded machine between two commands of one mail.)"""
    with serving(CollectingHandler(), timeout=2.0) as server:
        server.reset()  # aiosmtpd connects once itself when it starts
        yield server


def test_a_server_idle_timeout_is_not_an_error(
    tmp_path: Path, impatient_server: SmtpServer
) -> None:
    sleeps: list[float] = []
    backend = maildir_backend(tmp_path, plain(impatient_server), sleeps)
    first, second = ack("before-timeout"), ack("after-timeout")
    try:
        backend.send(first)
        assert wait_until(lambda: impatient_server.open_connections == 0)  # 421 and gone
        backend.send(second)
    finally:
        backend.close()
    assert message_ids(impatient_server) == [first.message_id, second.message_id]
    assert impatient_server.connections == 2
    assert sleeps == []


class HangsUpAfterData(CollectingHandler):
    """Takes the first message, then hangs up instead of saying 250: the client cannot
    tell whether the mail went (a lost reply)."""

    hung_up = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if not self.hung_up:
            self.hung_up = True
            server.transport.close()
        return reply


@pytest.fixture
def lossy_server() -> Iterator[SmtpServer]:
    with serving(HangsUpAfterData()) as server:
        server.reset()  # aiosmtpd connects once itself when it starts
        yield server


def test_a_mail_the_server_may_have_is_not_sent_again_by_the_reconnect(
    lossy_server: SmtpServer,
) -> None:
    session = SmtpSession(plain(lossy_server))
    warm_up, lost_reply = ack("warm-up"), ack("lost-reply")
    lossy_server.handler.hung_up = True  # type: ignore[attr-defined]
    session.send(warm_up, SHARED)  # the connection is now a kept one
    lossy_server.handler.hung_up = False  # type: ignore[attr-defined]
    try:
        # The whole message went over and no answer came: it may be delivered, so the
        # outbox must not send it again (MaybeSent, not TransientError).
        with pytest.raises(MaybeSent, match="may or may not have been delivered"):
            session.send(lost_reply, SHARED)
    finally:
        session.close()
    assert message_ids(lossy_server) == [warm_up.message_id, lost_reply.message_id]
    assert lossy_server.connections == 1  # no reconnect: the server may have had it


# --- errors and idle connections ------------------------------------------------------------


def test_wrong_password_still_says_so(tmp_path: Path, smtpd_auth: SmtpServer) -> None:
    smtpd_auth.reset()
    settings = smtpd_auth.starttls_settings(password="wrong")
    backend = maildir_backend(tmp_path, settings)
    try:
        with pytest.raises(
            BackendError,
            match=r"^SMTP server 127\.0\.0\.1:\d+ refused the login for user 'smtp-user': "
            r"check the username and password$",
        ) as refused:
            backend.send(ack("wrong-password"))
    finally:
        backend.close()
    assert not isinstance(refused.value, TransientError)
    assert smtpd_auth.connections == 1  # tried once: a refused login is not retried
    assert smtpd_auth.received == []


def test_auth_and_starttls_once_for_many_sends(tmp_path: Path, smtpd_auth: SmtpServer) -> None:
    smtpd_auth.reset()
    settings = smtpd_auth.starttls_settings()
    backend = maildir_backend(tmp_path, settings)
    try:
        for number in range(5):
            backend.send(ack(f"tls{number}"))
    finally:
        backend.close()
    assert smtpd_auth.connections == 1
    assert len(smtpd_auth.received) == 5


def test_an_idle_connection_is_closed_at_the_next_poll(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    clock = Clock()
    backend = maildir_backend(tmp_path, plain(smtp_server), clock=clock, smtp_idle_timeout=60)
    try:
        backend.send(ack("first"))
        clock.now += 30
        backend.fetch_new(None)  # not idle long enough: kept
        backend.send(ack("second"))
        assert smtp_server.connections == 1 and smtp_server.open_connections == 1

        clock.now += 61
        backend.fetch_new(None)
        assert wait_until(lambda: smtp_server.open_connections == 0)
        backend.send(ack("third"))
    finally:
        backend.close()
    assert smtp_server.connections == 2
    assert len(smtp_server.received) == 3


def test_an_idle_connection_is_replaced_before_a_send(smtp_server: SmtpServer) -> None:
    clock = Clock()
    session = SmtpSession(plain(smtp_server), idle_timeout=60, clock=clock)
    try:
        session.send(ack("first"), SHARED)
        clock.now += 120
        session.send(ack("second"), SHARED)
    finally:
        session.close()
    assert smtp_server.connections == 2
    assert len(smtp_server.received) == 2


def test_a_refused_mail_does_not_spoil_the_next(tmp_path: Path, smtp_server: SmtpServer) -> None:
    backend = maildir_backend(tmp_path, plain(smtp_server))
    smtp_server.fail_next(3)  # 451 at DATA: every try of the first mail
    try:
        with pytest.raises(TransientError, match="answered 451"):
            backend.send(ack("busy"))
        backend.send(ack("later"))
    finally:
        backend.close()
    assert len(smtp_server.received) == 1


def test_a_server_that_is_down_is_still_transient(tmp_path: Path) -> None:
    backend = maildir_backend(tmp_path, SmtpSettings(host="127.0.0.1", port=free_port(),
                                                     security="none", timeout=2))  # fmt: skip
    with pytest.raises(TransientError, match="cannot reach SMTP server"):
        backend.send(ack("nowhere"))
    backend.close()


def test_a_sent_copy_that_cannot_be_kept_does_not_make_a_delivered_mail_fail(
    tmp_path: Path, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Maildir with SMTP: once the server took the mail, failing over the local Sent copy
    would have the outbox send it again."""
    smtp_server.reset()
    backend = maildir_backend(tmp_path, plain(smtp_server))
    sent_tmp = tmp_path / "mailbox" / ".Sent" / "tmp"
    sent_tmp.parent.mkdir(parents=True, exist_ok=True)
    if sent_tmp.is_dir():
        sent_tmp.rmdir()
    sent_tmp.write_text("not a folder: the copy cannot be written here")
    mail = ack("no-sent-copy")
    try:
        backend.send(mail)  # no error: it went
    finally:
        backend.close()
    assert message_ids(smtp_server) == [mail.message_id]
    assert any(
        r.levelname == "ERROR" and "no copy of it could be kept in Sent" in r.getMessage()
        for r in caplog.records
    )
