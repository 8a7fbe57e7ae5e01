"""watch_sent: replies sent as the shared mailbox (they land in Sent) are fetched too."""

from __future__ import annotations

import uuid

import pytest
from fixtures.dovecot import DovecotServer
from imapclient import IMAPClient

from mailbot.backends.base import CursorExpired, mark_all_processed
from mailbot.backends.imap import ImapMailbox

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(60)]


def message(label: str) -> bytes:
    return (
        f"From: enquiries@council.test.invalid\r\nSubject: {label}\r\n"
        f"Message-ID: <{label}.{uuid.uuid4().hex}@council.test.invalid>\r\n\r\nText.\r\n"
    ).encode()


def subjects(messages: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    found = []
    for item in messages:
        subject = item.raw.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0].decode()
        found.append((item.folder, subject))
    return sorted(found)


def test_new_sent_items_are_fetched_from_now_on_and_never_moved(dovecot: DovecotServer) -> None:
    user = dovecot.new_user()
    admin = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    admin.login(user.username, user.password)
    admin.create_folder("Sent")
    admin.append("Sent", message("old reply"))  # history: not fetched
    admin.append("INBOX", message("enquiry"))

    def client() -> ImapMailbox:
        return ImapMailbox(
            host=dovecot.host, port=dovecot.port, security="none",
            username=user.username, password=user.password, watch_sent=True,
        )  # fmt: skip

    mailbox = client()
    fetched, cursor = mailbox.fetch_new(None)
    assert subjects(fetched) == [("inbox", "enquiry")]
    assert cursor is not None and ";sent=" in cursor

    admin.append("Sent", message("officer reply"))
    admin.append("INBOX", message("follow-up"))
    mailbox.close()
    mailbox = client()  # the cursor carries the Sent position across clients
    later, cursor = mailbox.fetch_new(cursor)
    assert subjects(later) == [("inbox", "follow-up"), ("sent", "officer reply")]

    mark_all_processed(mailbox, [item.ref for item in fetched + later])
    for item in later:
        mailbox.mark_processed(item.ref)
    assert int(admin.folder_status("Sent", [b"MESSAGES"])[b"MESSAGES"]) == 2  # left alone
    assert int(admin.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"]) == 0
    assert int(admin.folder_status("Processed", [b"MESSAGES"])[b"MESSAGES"]) == 2

    nothing, _ = mailbox.fetch_new(cursor)
    assert nothing == []
    mailbox.close()
    admin.logout()


def test_a_renumbered_inbox_keeps_the_sent_position(dovecot: DovecotServer) -> None:
    """INBOX gets a new UIDVALIDITY while an officer's reply waits in Sent: the inbox is
    read again from the start, Sent carries on from where it was, so the reply is seen."""
    user = dovecot.new_user()
    admin = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    admin.login(user.username, user.password)
    admin.create_folder("Sent")
    admin.append("INBOX", message("left unmarked"))  # fetched, never moved: comes back
    mailbox = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none",
        username=user.username, password=user.password, watch_sent=True,
    )  # fmt: skip
    try:
        first, cursor = mailbox.fetch_new(None)
        assert subjects(first) == [("inbox", "left unmarked")]

        admin.append("Sent", message("officer reply"))
        admin.append("INBOX", message("new enquiry"))
        validity = int(admin.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"])
        dovecot.doveadm(
            "mailbox", "update", "-u", user.username, "--uid-validity", str(validity + 5), "INBOX"
        )
        with pytest.raises(CursorExpired) as expired:
            mailbox.fetch_new(cursor)
        assert expired.value.resume_cursor is not None
        resynced, cursor = mailbox.fetch_new(expired.value.resume_cursor)
        assert subjects(resynced) == [
            ("inbox", "left unmarked"),
            ("inbox", "new enquiry"),
            ("sent", "officer reply"),
        ]
        assert mailbox.fetch_new(cursor)[0] == []  # nothing comes round a second time
    finally:
        mailbox.close()
        admin.logout()


def test_without_watch_sent_a_renumbered_inbox_resumes_from_nothing(
    dovecot: DovecotServer,
) -> None:
    user = dovecot.new_user()
    mailbox = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none",
        username=user.username, password=user.password,
    )  # fmt: skip
    try:
        _, cursor = mailbox.fetch_new(None)
        assert cursor is not None
        validity = int(cursor.split(":")[0])
        dovecot.doveadm(
            "mailbox", "update", "-u", user.username, "--uid-validity", str(validity + 5), "INBOX"
        )
        with pytest.raises(CursorExpired) as expired:
            mailbox.fetch_new(cursor)
    finally:
        mailbox.close()
    assert expired.value.resume_cursor is None
