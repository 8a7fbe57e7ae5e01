"""An inbox holding more messages than one SEARCH answer can carry, against a real Dovecot.

imaplib refuses a response line longer than its _MAXLINE (1,000,000 bytes): "got more
than 1000000 bytes". A SEARCH answer is one line of UIDs, so an inbox of about 150,000
messages (years of a shared mailbox nobody filed, read on the first poll or after the
folder was renumbered) made every poll fail at its first SEARCH, and no mail was read at
all. Measured before the fix with 160,000 messages in Dovecot: BackendError "command:
SEARCH => got more than 1000000 bytes" on every fetch. Here the client's limit is lowered
so that 2,000 messages show the same thing in a second.
"""

from __future__ import annotations

import imaplib
import os

import pytest
from fixtures.dovecot import DovecotServer, ImapUser
from imapclient import IMAPClient

from mailbot.backends.imap import ImapMailbox
from mailbot.backends.retry import Backoff

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

MESSAGES = 2_000
LINE_LIMIT = 6_000  # bytes: room for about 500 UIDs in one SEARCH answer


def fill_inbox(server: DovecotServer, user: ImapUser, count: int) -> None:
    """`count` messages put straight into the user's maildir, as years of mail would be."""
    person = IMAPClient(server.host, server.port, ssl=False, timeout=30)
    person.login(user.username, user.password)
    person.select_folder("INBOX")  # makes the maildir
    person.logout()
    cur = user.home / "Maildir" / "cur"
    for n in range(count):
        raw = (
            "From: Cllr Example <cllr@members.test.invalid>\n"
            f"Subject: Old enquiry {n}\n"
            f"Message-ID: <old-{n}@members.test.invalid>\n"
            "\n"
            "Hello.\n"
        ).encode()
        path = cur / f"{1_600_000_000 + n}.M{n}P1.mailhost,S={len(raw)}:2,S"
        path.write_bytes(raw)
        os.chown(path, server.run_as.pw_uid, server.run_as.pw_gid)


def test_an_inbox_too_big_for_one_search_answer_is_read_in_windows(
    dovecot: DovecotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = dovecot.new_user()
    fill_inbox(dovecot, user, MESSAGES)
    monkeypatch.setattr(imaplib, "_MAXLINE", LINE_LIMIT)
    mailbox = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none", username=user.username,
        password=user.password, backoff=Backoff(attempts=2, sleep=lambda _: None),
        timeout=30, batch_size=700,
    )
    try:
        seen: list[bytes] = []
        cursor = None
        for _ in range(5):
            fetched, cursor = mailbox.fetch_new(cursor)
            if not fetched:
                break
            assert len(fetched) <= 700
            seen += [item.raw.split(b"Message-ID: ")[1].split(b"\n")[0] for item in fetched]
            mailbox.mark_processed_many([item.ref for item in fetched])
        assert len(seen) == MESSAGES and len(set(seen)) == MESSAGES  # all, each once
        assert mailbox.fetch_new(cursor)[0] == []
    finally:
        mailbox.close()


def test_a_message_left_unread_far_up_a_big_inbox_stays_remembered_across_a_resync(
    dovecot: DovecotServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A resync searches the first windows only (enough for a batch): a message the server
    could not read, further up, is not known to be gone, and is still stepped around."""
    user = dovecot.new_user()
    fill_inbox(dovecot, user, MESSAGES)
    [broken] = (user.home / "Maildir" / "cur").glob(f"{1_600_000_000 + 1_500}.*")
    os.chmod(broken, 0)
    monkeypatch.setattr(imaplib, "_MAXLINE", LINE_LIMIT)
    mailbox = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none", username=user.username,
        password=user.password, backoff=Backoff(attempts=4, sleep=lambda _: None),
        timeout=30, batch_size=700,
    )
    try:
        cursor = None
        for _ in range(4):  # read everything, without filing it
            _, cursor = mailbox.fetch_new(cursor)
        assert "cannot read message UID 1501 in 'INBOX'" in caplog.text
        assert mailbox.failing_messages_remembered == 1
        first, _ = mailbox.fetch_new(None)  # a resync: the first 700 again
        assert len(first) == 700
        assert mailbox.failing_messages_remembered == 1
    finally:
        mailbox.close()
