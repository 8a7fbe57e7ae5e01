"""What the IMAP backend remembers about messages the server failed to read, against a
real Dovecot (a message file it may not open makes it hang up on the FETCH, as it does
on a damaged one).

The memory is what lets a poll step around such a message instead of stopping at it for
good; it must hold no more than the unreadable messages still in the inbox, however long
the daemon runs, and keep that protection meanwhile.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, ImapUser
from imap_person import member_message, person, user
from imapclient import IMAPClient

from mailbot.backends.base import CursorExpired
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.retry import Backoff

__all__ = ["person", "user"]  # pytest fixtures, used by name

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(60)]


def message_file(user: ImapUser, label: str) -> Path:
    """The file Dovecot keeps the message in (looked up afresh: Dovecot renames them)."""
    [path] = [
        path for path in (user.home / "Maildir").rglob("*")
        if path.parent.name in ("cur", "new")
        and f"Subject: {label}\n".encode() in _read(path).replace(b"\r\n", b"\n")
    ]
    return path


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError:  # made unreadable for the server; we may still be root
        return b""


def deliver(person: IMAPClient, user: ImapUser, labels: list[str], broken: str = "") -> None:
    """Put the messages in the inbox; the server cannot read the one labelled `broken`."""
    for label in labels:
        person.append("INBOX", member_message(label))
    if broken:
        os.chmod(message_file(user, broken), 0)


def mailbox_for(
    server: DovecotServer, user: ImapUser, sleeps: list[float], attempts: int
) -> ImapMailbox:
    return ImapMailbox(
        host=server.host, port=server.port, security="none", username=user.username,
        password=user.password, backoff=Backoff(attempts=attempts, sleep=sleeps.append),
        timeout=10,
    )


def subjects(person: IMAPClient, folder: str) -> list[str]:
    person.select_folder(folder, readonly=True)
    data = person.fetch(person.search("ALL"), ["ENVELOPE"])
    person.close_folder()
    return sorted(item[b"ENVELOPE"].subject.decode() for item in data.values())


def test_messages_read_after_a_failed_fetch_are_forgotten_poll_after_poll(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient
) -> None:
    """A flaky read (here: a file briefly unreadable) made the reader remember every message
    of that FETCH for the life of the daemon; now a message is forgotten once it is read."""
    clock = [0.0]
    mailbox = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none", username=user.username,
        password=user.password, backoff=Backoff(attempts=2, sleep=lambda _: None),
        timeout=10, clock=lambda: clock[0],
    )
    cursor = None
    for day in range(3):
        labels = [f"day{day}-{n}" for n in range(3)]
        deliver(person, user, labels, broken=labels[1])
        fetched, cursor = mailbox.fetch_new(cursor)  # the FETCH of all three, then of one, fail
        assert len(fetched) == 2  # the other two are read; the cursor waits before the one
        mailbox.mark_processed_many([item.ref for item in fetched])
        os.chmod(message_file(user, labels[1]), 0o600)  # readable again
        clock[0] += 3600  # the next poll
        fetched, cursor = mailbox.fetch_new(cursor)
        assert len(fetched) == 1
        mailbox.mark_processed_many([item.ref for item in fetched])
        assert mailbox.failing_messages_remembered == 0
    assert len(subjects(person, "Processed")) == 9
    mailbox.close()


def test_an_unreadable_message_is_remembered_while_it_is_in_the_inbox(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient, caplog: pytest.LogCaptureFixture
) -> None:
    sleeps: list[float] = []
    mailbox = mailbox_for(dovecot, user, sleeps, attempts=4)
    deliver(person, user, ["first", "broken", "third"], broken="broken")
    fetched, cursor = mailbox.fetch_new(None)
    assert [item.raw.split(b"Subject: ")[1][:5] for item in fetched] == [b"first", b"third"]
    assert "cannot read message UID 2 in 'INBOX'" in caplog.text
    mailbox.mark_processed_many([item.ref for item in fetched])
    assert mailbox.failing_messages_remembered == 1

    # A resync reads the inbox from the start: the message left for a person is stepped
    # around at once, no retries spent on it and no second alarm.
    caplog.clear()
    sleeps.clear()
    assert mailbox.fetch_new(None)[0] == []
    assert sleeps == [] and "cannot read" not in caplog.text
    assert mailbox.failing_messages_remembered == 1

    # A person deals with it (here: deletes it). UIDs are never given again, so the
    # memory of it can go.
    person.select_folder("INBOX")
    person.delete_messages(person.search("ALL"))
    person.expunge()
    person.close_folder()
    deliver(person, user, ["fourth"])
    fetched, cursor = mailbox.fetch_new(cursor)
    assert len(fetched) == 1
    assert mailbox.failing_messages_remembered == 0
    mailbox.close()


def test_a_renumbered_inbox_forgets_the_old_numbers_and_still_steps_around_the_message(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient, caplog: pytest.LogCaptureFixture
) -> None:
    sleeps: list[float] = []
    mailbox = mailbox_for(dovecot, user, sleeps, attempts=4)
    deliver(person, user, ["first", "broken", "third"], broken="broken")
    fetched, cursor = mailbox.fetch_new(None)
    assert len(fetched) == 2
    validity = person.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"]
    dovecot.doveadm(
        "mailbox", "update", "-u", user.username, "--uid-validity", str(validity + 7), "INBOX"
    )
    with pytest.raises(CursorExpired):
        mailbox.fetch_new(cursor)
    caplog.clear()
    resynced, _ = mailbox.fetch_new(None)
    assert len(resynced) == 2  # Message-ID dedup in the ledger makes this safe
    assert "cannot read message UID 2 in 'INBOX'" in caplog.text  # under its new number
    assert mailbox.failing_messages_remembered == 1
    mailbox.close()


def test_an_unreadable_message_alone_in_its_fetch_does_not_stop_every_poll(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A message that is the only new one, or too big to share a FETCH, was fetched whole
    every time: it never joined the "read one at a time" set, so it was never stepped
    around, and every poll failed at it (the mail behind it waiting) for good."""
    sleeps: list[float] = []
    mailbox = mailbox_for(dovecot, user, sleeps, attempts=4)
    deliver(person, user, ["broken"], broken="broken")
    fetched, cursor = mailbox.fetch_new(None)
    assert fetched == []
    assert "cannot read message UID 1 in 'INBOX'" in caplog.text
    deliver(person, user, ["next"])
    fetched, cursor = mailbox.fetch_new(cursor)
    assert len(fetched) == 1 and b"Subject: next" in fetched[0].raw
    mailbox.close()


def test_a_message_the_server_cannot_even_size_does_not_stop_every_poll(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Mail put in the maildir by another delivery agent has no size in its file name, so
    Dovecot opens the file to answer RFC822.SIZE. When it cannot, the size FETCH mailbot
    asks before reading failed for the whole batch, on every poll: no mail was read."""
    deliver(person, user, ["first"])
    cur = user.home / "Maildir" / "cur"
    raw = member_message("broken").replace(b"\r\n", b"\n")
    broken = cur / "1700000000.M1P1.mailhost:2,"  # as procmail or Postfix's local write it
    broken.write_bytes(raw)
    os.chown(broken, dovecot.run_as.pw_uid, dovecot.run_as.pw_gid)
    deliver(person, user, ["third"])
    os.chmod(broken, 0)
    sleeps: list[float] = []
    mailbox = mailbox_for(dovecot, user, sleeps, attempts=5)
    fetched, cursor = mailbox.fetch_new(None)
    assert sorted(item.raw.split(b"Subject: ")[1][:5] for item in fetched) == [b"first", b"third"]
    assert "cannot read message UID" in caplog.text  # Dovecot numbers it when it finds it
    mailbox.mark_processed_many([item.ref for item in fetched])
    assert subjects(person, "Processed") == ["first", "third"]
    mailbox.close()


def test_a_message_a_person_marks_deleted_then_undeletes_is_still_read(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient
) -> None:
    """Outlook and Thunderbird can mark a message \\Deleted without expunging it, and undo
    that. mailbot leaves \\Deleted mail alone, but its place in the inbox moved past it:
    once undeleted (a member's enquiry deleted by mistake), it was never read."""
    sleeps: list[float] = []
    mailbox = mailbox_for(dovecot, user, sleeps, attempts=2)
    deliver(person, user, ["first", "deleted-by-mistake", "third"])
    person.select_folder("INBOX")
    person.add_flags([2], [b"\\Deleted"])
    fetched, cursor = mailbox.fetch_new(None)
    assert len(fetched) == 2
    mailbox.mark_processed_many([item.ref for item in fetched])
    person.remove_flags([2], [b"\\Deleted"])
    deliver(person, user, ["fourth"])
    fetched, cursor = mailbox.fetch_new(cursor)
    assert sorted(item.raw.split(b"Subject: ")[1].split(b"\r\n")[0] for item in fetched) == [
        b"deleted-by-mistake", b"fourth"
    ]
    mailbox.mark_processed_many([item.ref for item in fetched])
    assert mailbox.fetch_new(cursor)[0] == []
    person.close_folder()
    assert len(subjects(person, "Processed")) == 4
    mailbox.close()
