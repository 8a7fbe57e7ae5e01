"""Member mail of the shapes real mailboxes hold, read from a real Dovecot by `mailbot poll
--once`: no Message-ID, a raw 8-bit (UTF-8) header, a line of 200,000 characters. Each
member is acknowledged once, every message is filed, nothing is doubled on the next poll.
And a server that drops the connection between mailbot's FETCH and its MOVE.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, mailbot_config
from fixtures.proxy import FlakyProxy
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient
from test_imap_servers import acknowledged, counts, mailbot

from mailbot.backends.imap import ImapMailbox
from mailbot.backends.retry import Backoff

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@example.gov.uk"


def demo_mail(name: str) -> bytes:
    return (DEMO / "mail" / name).read_bytes().replace(b"\r\n", b"\n")


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\n", b"\r\n")


def odd_mail() -> list[bytes]:
    pothole = demo_mail("01-pothole.eml")
    no_id = b"\n".join(
        line for line in pothole.split(b"\n") if not line.startswith(b"Message-ID:")
    )
    eight_bit = demo_mail("02-bins.eml").replace(
        b"Subject: ", "Subject: Biniau heb eu casglu – Stryd y Castell, ".encode(), 1
    )
    long_line = demo_mail("03-foi.eml").replace(
        b"\n\n", b"\n\n" + b"Details: " + b"x" * 200_000 + b"\n\n", 1
    )
    return [crlf(no_id), crlf(eight_bit), crlf(long_line)]


def test_odd_member_mail_is_read_acknowledged_and_filed_once(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    person = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=30)
    person.login(user.username, user.password)
    for raw in odd_mail():
        person.append("INBOX", raw)
    config = mailbot_config(
        tmp_path / "mailbot.toml", dovecot, user, (smtp_server.host, smtp_server.port),
        address=ADDRESS, directory=DEMO, extra="[classifier]\ntrain_if_missing = false",
    )
    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 0, output
    first = acknowledged(smtp_server)
    assert first == [
        "jo.bloggs@councillors.example.gov.uk",
        "priya.shah@councillors.example.gov.uk",
        "tom.hughes@councillors.example.gov.uk",
    ]
    folders = counts(person)
    assert folders["INBOX"] == 0 and folders["Processed"] == 3

    code, output = mailbot("poll", "--config", str(config), "--once")
    assert code == 0, output
    assert acknowledged(smtp_server) == first
    assert counts(person) == folders
    person.logout()


def test_a_connection_dropped_between_fetch_and_move_still_moves_each_message_once(
    dovecot: DovecotServer,
) -> None:
    user = dovecot.new_user()
    person = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=30)
    person.login(user.username, user.password)
    for raw in odd_mail():
        person.append("INBOX", raw)
    proxy = FlakyProxy(dovecot.host, dovecot.port)
    sleeps: list[float] = []
    mailbox = ImapMailbox(
        host=proxy.host, port=proxy.port, security="none", username=user.username,
        password=user.password, backoff=Backoff(attempts=3, sleep=sleeps.append), timeout=10,
    )
    try:
        fetched, cursor = mailbox.fetch_new(None)
        assert len(fetched) == 3
        proxy.cut_all()  # the server restarts, or a firewall forgets the connection
        mailbox.mark_processed_many([item.ref for item in fetched])
        assert proxy.cuts == 0 and len(sleeps) == 1  # one retry, on a new connection
        assert counts(person) == {"INBOX": 0, "Processed": 3, "Sent": 0}
        assert mailbox.fetch_new(cursor)[0] == []
    finally:
        mailbox.close()
        proxy.close()
        person.logout()
