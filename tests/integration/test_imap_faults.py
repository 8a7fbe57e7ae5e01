"""The IMAP backend when things go wrong, against a real Dovecot.

Server down, wrong password, renumbered folder, renamed or missing folders,
servers without MOVE, messages deleted under our feet.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixtures.dovecot import DovecotServer, ImapUser, free_port, running_dovecot
from imap_person import member_message
from imapclient import IMAPClient

from mailbot.backends.base import BackendError, CursorExpired, TransientError
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.imap_errors import FolderMissing
from mailbot.backends.retry import Backoff

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(60)]


class Admin:
    """A person (or the mail server) acting on the mailbox behind mailbot's back."""

    def __init__(self, server: DovecotServer, user: ImapUser) -> None:
        self.client = IMAPClient(server.host, server.port, ssl=False, timeout=30)
        self.client.login(user.username, user.password)

    def count(self, folder: str) -> int:
        if not self.client.folder_exists(folder):
            return 0
        return int(self.client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])

    def subjects(self, folder: str) -> list[str]:
        self.client.select_folder(folder, readonly=True)
        data = self.client.fetch(self.client.search("ALL"), ["ENVELOPE"])
        self.client.close_folder()
        return sorted(item[b"ENVELOPE"].subject.decode() for item in data.values())


@pytest.fixture
def user(dovecot: DovecotServer) -> ImapUser:
    return dovecot.new_user()


@pytest.fixture
def admin(dovecot: DovecotServer, user: ImapUser) -> Iterator[Admin]:
    person = Admin(dovecot, user)
    yield person
    person.client.logout()


def client_for(
    server: DovecotServer, user: ImapUser, sleeps: list[float] | None = None, **options: object
) -> ImapMailbox:
    recorded = sleeps if sleeps is not None else []
    settings: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "security": "none",
        "username": user.username,
        "password": user.password,
        "backoff": Backoff(attempts=3, base=0.5, sleep=recorded.append),
        "timeout": 10,
    }
    settings.update(options)
    return ImapMailbox(**settings)  # type: ignore[arg-type]


def test_server_down_at_start_gives_up_after_bounded_retries(
    dovecot: DovecotServer, user: ImapUser
) -> None:
    sleeps: list[float] = []
    nobody_home = free_port()
    mailbox = client_for(dovecot, user, sleeps, port=nobody_home)
    with pytest.raises(TransientError, match="connection refused"):
        mailbox.fetch_new(None)
    assert sleeps == [0.5, 1.0]  # three tries, backing off, then a clear error
    mailbox.close()


def test_wrong_password_says_so_and_is_not_retried(dovecot: DovecotServer, user: ImapUser) -> None:
    sleeps: list[float] = []
    mailbox = client_for(dovecot, user, sleeps, password="not-the-password")
    with pytest.raises(BackendError, match="wrong username or password") as raised:
        mailbox.fetch_new(None)
    assert not isinstance(raised.value, TransientError)
    assert sleeps == []
    with pytest.raises(BackendError, match="wrong username or password"):
        mailbox.check_connection()


def test_check_connection_lists_folders(dovecot: DovecotServer, user: ImapUser) -> None:
    folders = client_for(dovecot, user).check_connection()
    assert "INBOX" in folders


def test_check_connection_names_a_missing_inbox_folder(
    dovecot: DovecotServer, user: ImapUser
) -> None:
    mailbox = client_for(dovecot, user, inbox="Member Enquiries")
    with pytest.raises(FolderMissing, match="'Member Enquiries' does not exist"):
        mailbox.check_connection()
    with pytest.raises(FolderMissing, match="'Member Enquiries' does not exist"):
        mailbox.fetch_new(None)


def test_check_connection_names_missing_folders_it_may_not_create(
    dovecot: DovecotServer, user: ImapUser
) -> None:
    mailbox = client_for(dovecot, user, create_folders=False)
    with pytest.raises(FolderMissing, match="'Processed' does not exist.*'Sent' does not exist"):
        mailbox.check_connection()


def test_uidvalidity_change_expires_the_cursor_and_old_refs_move_nothing(
    dovecot: DovecotServer, user: ImapUser, admin: Admin
) -> None:
    admin.client.append("INBOX", member_message("before"))
    mailbox = client_for(dovecot, user)
    fetched, cursor = mailbox.fetch_new(None)

    validity = admin.client.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"]
    dovecot.doveadm(
        "mailbox", "update", "-u", user.username, "--uid-validity", str(validity + 7), "INBOX"
    )
    with pytest.raises(CursorExpired, match="renumbered"):
        mailbox.fetch_new(cursor)
    # A ref from before the renumbering may now name another message: left alone.
    mailbox.mark_processed(fetched[0].ref)
    assert admin.count("INBOX") == 1

    resynced, _ = mailbox.fetch_new(None)
    mailbox.mark_processed(resynced[0].ref)
    assert admin.count("INBOX") == 0
    assert admin.subjects("Processed") == ["before"]
    mailbox.close()


def test_processed_folder_renamed_by_a_person_is_made_again(
    dovecot: DovecotServer, user: ImapUser, admin: Admin
) -> None:
    admin.client.append("INBOX", member_message("first"))
    admin.client.append("INBOX", member_message("second"))
    mailbox = client_for(dovecot, user)
    fetched, _ = mailbox.fetch_new(None)
    mailbox.mark_processed(fetched[0].ref)

    admin.client.rename_folder("Processed", "Done by hand")
    mailbox.mark_processed(fetched[1].ref)  # same connection: the folder is gone

    assert admin.subjects("Processed") == ["second"]
    assert admin.subjects("Done by hand") == ["first"]
    assert admin.count("INBOX") == 0
    mailbox.close()


def test_processed_folder_renamed_when_creating_is_not_allowed(
    dovecot: DovecotServer, user: ImapUser, admin: Admin
) -> None:
    admin.client.create_folder("Processed")
    admin.client.create_folder("Sent")
    admin.client.append("INBOX", member_message("stuck"))
    mailbox = client_for(dovecot, user, create_folders=False)
    fetched, _ = mailbox.fetch_new(None)
    admin.client.rename_folder("Processed", "Archive")

    with pytest.raises(FolderMissing, match="'Processed' does not exist"):
        mailbox.mark_processed(fetched[0].ref)
    assert admin.count("INBOX") == 1  # nothing lost: still there for next time
    mailbox.close()


def test_message_deleted_between_fetch_and_move(
    dovecot: DovecotServer, user: ImapUser, admin: Admin
) -> None:
    admin.client.append("INBOX", member_message("gone"))
    admin.client.append("INBOX", member_message("kept"))
    mailbox = client_for(dovecot, user)
    fetched, _ = mailbox.fetch_new(None)

    admin.client.select_folder("INBOX")
    admin.client.delete_messages(admin.client.search(["SUBJECT", "gone"]))
    admin.client.close_folder()

    for item in fetched:
        mailbox.mark_processed(item.ref)
    assert admin.subjects("Processed") == ["kept"]
    assert admin.count("INBOX") == 0
    mailbox.close()


@pytest.fixture(scope="module", params=["IMAP4rev1 IDLE UIDPLUS", "IMAP4rev1 IDLE"])
def old_dovecot(request: pytest.FixtureRequest) -> Iterator[DovecotServer]:
    """A Dovecot that does not offer MOVE (and, in one variant, not UIDPLUS either)."""
    with running_dovecot(f"imap_capability = {request.param}\n") as server:
        yield server


def test_without_move_it_copies_then_expunges_only_that_message(
    old_dovecot: DovecotServer,
) -> None:
    user = old_dovecot.new_user()
    person = Admin(old_dovecot, user)
    person.client.append("INBOX", member_message("one"))
    person.client.append("INBOX", member_message("two"))
    mailbox = client_for(old_dovecot, user)
    fetched, cursor = mailbox.fetch_new(None)
    mailbox.mark_processed(fetched[0].ref)
    mailbox.mark_processed(fetched[0].ref)  # again: nothing left to copy, no error

    assert person.subjects("Processed") == ["one"]
    assert person.subjects("INBOX") == ["two"]
    remaining, _ = mailbox.fetch_new(None)
    assert [item.ref for item in remaining] == [fetched[1].ref]
    mailbox.close()
    person.client.logout()
