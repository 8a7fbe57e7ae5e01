"""`mailbot poll --once` on IMAP with SMTP submission exited 0 when the IMAP server refused
the move to Processed (the login may not add messages there) or the SMTP server refused
the sender (550 5.7.60 "not permitted to send as"): the run looked successful while
nothing moved or nothing was sent. It now ends with one line per kind of refusal (what,
how many, the server's words, what to change) and exits 4; nothing is lost, and once the
right is given the next run moves the message and sends each mail once. A server that
answers "try later" (451) is no refusal: exit 0 as before. Against a real Dovecot (with
IMAP ACLs) and a real aiosmtpd."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fixtures.dovecot import (
    DovecotServer,
    ImapUser,
    free_port,
    mailbot_config,
    running_dovecot,
    server_shape,
)
from fixtures.smtpd import CollectingHandler, SmtpServer
from helpers import pothole_report
from imapclient import IMAPClient
from refused_poll import outbox, poll_once, refusals

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@example.gov.uk"
MEMBER = "jo.bloggs@councillors.example.gov.uk"
REFUSED = 4
ALL_RIGHTS = ("lookup", "read", "write", "write-seen", "write-deleted", "insert", "post",
              "expunge", "create", "delete", "admin")


@dataclass
class SenderRefusingHandler(CollectingHandler):
    """Collects mail, but while `refuse_sender` is set answers MAIL FROM as Exchange
    Online does for a login without Send As on the address."""

    refuse_sender: bool = False

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        if self.refuse_sender:
            return ("550 5.7.60 SMTP; Client does not have permissions to send as this "
                    "sender")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


@pytest.fixture(scope="module")
def acl_dovecot() -> Iterator[DovecotServer]:
    """Dovecot with IMAP ACLs (`doveadm acl set`), so a folder's rights can be taken away."""
    with running_dovecot(server_shape(shared=True)) as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpServer, SenderRefusingHandler]]:
    handler = SenderRefusingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler, controller=controller), handler
    finally:
        controller.stop()


def member_mail(subject: str) -> bytes:
    return pothole_report(ADDRESS, subject)


def mailbox_with_mail(server: DovecotServer, subject: str) -> tuple[ImapUser, IMAPClient]:
    user = server.new_user()
    admin = IMAPClient(server.host, server.port, ssl=False)
    admin.login(user.username, user.password)
    admin.append("INBOX", member_mail(subject))
    for folder in ("Processed", "Sent"):
        admin.create_folder(folder)
    return user, admin


def config(folder: Path, server: DovecotServer, user: ImapUser, smtp: SmtpServer) -> Path:
    return mailbot_config(
        folder / "mailbot.toml", server, user, (smtp.host, smtp.port), address=ADDRESS,
        directory=DEMO, extra="[classifier]\ntrain_if_missing = false",
    )


def count(client: IMAPClient, folder: str) -> int:
    return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])


def to_member(smtp: SmtpServer) -> list[bytes]:
    return [item.raw for item in smtp.received if MEMBER in item.recipients]


def test_a_move_the_imap_server_refuses_exits_4_and_is_made_once_allowed(
    acl_dovecot: DovecotServer, smtp: tuple[SmtpServer, SenderRefusingHandler], tmp_path: Path
) -> None:
    server, _ = smtp
    user, admin = mailbox_with_mail(acl_dovecot, "Fly-tipping on Station Road")
    acl_dovecot.doveadm("acl", "set", "-u", user.username, "Processed", "owner",
                        "lookup", "read")  # no insert: nothing may be moved in
    path = config(tmp_path, acl_dovecot, user, server)

    refused = poll_once(path)

    assert refused.exit_code == REFUSED, refused.output
    assert count(admin, "INBOX") == 1 and count(admin, "Processed") == 0
    assert len(to_member(server)) == 1  # sending was allowed: the member was acknowledged
    (line,) = refusals(refused)
    assert line.startswith("mailbot: refused: moving to Processed: 1 handled message(s) stay "
                           "in the Inbox"), line
    assert "[NOPERM] Permission denied" in line  # the server's words
    assert "[mailbox.imap] processed" in line and user.username in line  # what to change

    acl_dovecot.doveadm("acl", "set", "-u", user.username, "Processed", "owner", *ALL_RIGHTS)
    fixed = poll_once(path)

    assert fixed.exit_code == 0, fixed.output
    assert refusals(fixed) == []
    assert count(admin, "INBOX") == 0 and count(admin, "Processed") == 1
    assert len(to_member(server)) == 1  # not acknowledged twice


def test_a_sender_the_smtp_server_refuses_exits_4_and_each_mail_goes_once_allowed(
    acl_dovecot: DovecotServer, smtp: tuple[SmtpServer, SenderRefusingHandler], tmp_path: Path
) -> None:
    server, handler = smtp
    handler.refuse_sender = True
    user, admin = mailbox_with_mail(acl_dovecot, "Bus shelter damaged")
    path = config(tmp_path, acl_dovecot, user, server)

    refused = poll_once(path)

    assert refused.exit_code == REFUSED, refused.output
    queued = outbox(path)
    assert queued and set(queued) == {"pending"}, queued
    assert server.received == []
    assert count(admin, "Processed") == 1  # moving was allowed: it moved
    (line,) = refusals(refused)
    assert line.startswith(f"mailbot: refused: sending mail: {len(queued)} mail(s) wait in "
                           "the outbox"), line
    assert "answered 550: 5.7.60" in line and "not have permissions to send as" in line
    assert f"the right to send as {ADDRESS}" in line  # what to change

    again = poll_once(path)  # still refused: still nothing lost, still exit 4
    assert again.exit_code == REFUSED, again.output
    assert outbox(path) == queued

    handler.refuse_sender = False  # Send As granted
    fixed = poll_once(path)

    assert fixed.exit_code == 0, fixed.output
    assert refusals(fixed) == []
    assert outbox(path) == ["sent"] * len(queued)
    assert len(server.received) == len(queued)
    (ack,) = to_member(server)
    assert b"Bus shelter damaged" in ack
    assert count(admin, "Sent") == len(queued)

    assert poll_once(path).exit_code == 0
    assert len(server.received) == len(queued)  # never sent twice


def test_a_server_saying_try_later_is_no_refusal(
    acl_dovecot: DovecotServer, smtp: tuple[SmtpServer, SenderRefusingHandler], tmp_path: Path
) -> None:
    server, _ = smtp
    server.fail_next(100)  # 451 for every DATA
    user, _admin = mailbox_with_mail(acl_dovecot, "Graffiti on the library")
    path = config(tmp_path, acl_dovecot, user, server)

    result = poll_once(path)

    assert result.exit_code == 0, result.output
    assert refusals(result) == []
    assert outbox(path) == ["pending"] * len(outbox(path))
    assert "mail(s) not sent yet" in result.stdout
