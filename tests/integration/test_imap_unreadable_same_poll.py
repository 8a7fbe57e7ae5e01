"""Messages a real Dovecot cannot give, among readable ones: every readable message is read
in the same poll, and a message is left for a person only after failing alone in two polls.

Dovecot answers a FETCH of a message file it may not open with NO, and hangs up on one
whose file is damaged (shorter than its name says). Before, the reader raised at the first
failure and leaned on the retries of one fetch: the rest of the batch waited, a poll with
two such messages read nothing, a message failing for a few seconds was left for a person
(its two failures were retries seconds apart), and a store failing on every message had
them all left for a person, one or two more each poll: a quarantine row and an alert each.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, ImapUser
from imap_person import member_message
from imapclient import IMAPClient
from sqlalchemy import select
from test_imap_unreadable_memory import deliver, message_file, person, subjects, user
from typer.testing import CliRunner

from mailbot.app import build_app
from mailbot.backends.base import BackendError
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.imap_reading import RETRY_GAP
from mailbot.backends.retry import Backoff
from mailbot.backends.unreadable import TRY_AGAIN_AFTER
from mailbot.classify import rules_classifier
from mailbot.cli import app as command_line
from mailbot.jobs import poll
from mailbot.model import MessageStatus
from mailbot.settings import load_settings
from mailbot.status import format_status, gather_status
from mailbot.store.tables import MessageRow

__all__ = ["person", "user"]  # pytest fixtures, used by name

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(90)]

NOW = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def next_poll(self) -> None:
        self.now += RETRY_GAP + 1


def mailbox_for(server: DovecotServer, user: ImapUser, clock: Clock) -> ImapMailbox:
    """No retries at all: what a poll reads must not depend on them."""
    return ImapMailbox(
        host=server.host, port=server.port, security="none", username=user.username,
        password=user.password, backoff=Backoff(attempts=1, sleep=lambda _: None),
        timeout=10, clock=clock,
    )


def damage(user: ImapUser, label: str) -> None:
    """Cut the file short of the size in its name: Dovecot hangs up on a FETCH of it."""
    path = message_file(user, label)
    path.write_bytes(path.read_bytes()[:40])


def forbid(user: ImapUser, label: str) -> None:
    """A file the server may not open: Dovecot answers NO to a FETCH of it."""
    os.chmod(message_file(user, label), 0)


def labels_of(fetched: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(item.raw.split(b"Subject: ")[1].split(b"\r\n")[0].decode() for item in fetched)


def test_a_hang_up_on_one_message_does_not_hold_back_the_rest_of_its_batch(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient
) -> None:
    deliver(person, user, ["first", "damaged", "third", "fourth"])
    damage(user, "damaged")
    clock = Clock()
    mailbox = mailbox_for(dovecot, user, clock)
    fetched, cursor = mailbox.fetch_new(None)
    assert labels_of(fetched) == ["first", "fourth", "third"]
    assert mailbox.take_left_unread() == []  # one failure may be a passing fault
    mailbox.mark_processed_many([item.ref for item in fetched])

    # The next fetch of the same poll (the poll reads on while the cursor moves) does not
    # spend the message's second try seconds after the first.
    assert mailbox.fetch_new(cursor) == ([], cursor)
    assert mailbox.take_left_unread() == []

    clock.next_poll()
    fetched, cursor = mailbox.fetch_new(cursor)
    assert fetched == []
    [left] = mailbox.take_left_unread()
    assert left.ref.endswith(":2") and left.shown == "INBOX"
    deliver(person, user, ["fifth"])
    clock.next_poll()
    fetched, cursor = mailbox.fetch_new(cursor)
    assert labels_of(fetched) == ["fifth"] and mailbox.take_left_unread() == []
    mailbox.mark_processed_many([item.ref for item in fetched])
    assert subjects(person, "Processed") == ["fifth", "first", "fourth", "third"]
    mailbox.close()


def test_two_unreadable_messages_in_a_batch_still_let_every_other_one_be_read(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient
) -> None:
    deliver(person, user, ["first", "forbidden", "second", "damaged", "third"])
    forbid(user, "forbidden")
    damage(user, "damaged")
    clock = Clock()
    mailbox = mailbox_for(dovecot, user, clock)
    fetched, cursor = mailbox.fetch_new(None)
    assert labels_of(fetched) == ["first", "second", "third"]
    mailbox.mark_processed_many([item.ref for item in fetched])
    clock.next_poll()
    assert mailbox.fetch_new(cursor)[0] == []
    assert sorted(left.ref.split(":")[1] for left in mailbox.take_left_unread()) == ["2", "4"]
    mailbox.close()


def test_a_message_unreadable_for_one_poll_only_is_read_at_the_next(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient
) -> None:
    """The server's retries used to spend both tries in seconds: a file being restored, a
    moment of trouble, and the member's mail was left for a person."""
    deliver(person, user, ["first", "restored", "third"])
    forbid(user, "restored")
    clock = Clock()
    mailbox = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none", username=user.username,
        password=user.password, backoff=Backoff(attempts=5, sleep=lambda _: None),
        timeout=10, clock=clock,
    )
    fetched, cursor = mailbox.fetch_new(None)
    assert labels_of(fetched) == ["first", "third"]
    mailbox.mark_processed_many([item.ref for item in fetched])
    os.chmod(message_file(user, "restored"), 0o600)
    clock.next_poll()
    fetched, cursor = mailbox.fetch_new(cursor)
    assert labels_of(fetched) == ["restored"]
    assert mailbox.take_left_unread() == [] and mailbox.failing_messages_remembered == 0
    mailbox.close()


def test_a_store_failing_on_every_message_is_an_outage_not_a_row_per_message(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient, tmp_path: Path
) -> None:
    """Every poll failed on it and left one or two more messages for a person: a quarantine
    row each, without end. Now it is the server's fault, as on every backend: the poll
    fails (the outage is reported), no message is blamed. Once one message can be read
    again, each unreadable one is left after two polls: one row each, however many polls
    and restarts after; `mailbot status` lists them and `mailbot quarantine done` works."""
    broken = ["one", "two", "three", "four"]
    deliver(person, user, broken)
    for label in broken:
        damage(user, label)
    config = tmp_path / "mailbot.toml"
    config.write_text(f"""
[council]
policy = "wiltshire"
data_dir = "var"
[mailbox]
backend = "imap"
address = "enquiries@council.test.invalid"
[mailbox.imap]
host = "{dovecot.host}"
port = {dovecot.port}
security = "none"
username = "{user.username}"
password = "{user.password}"
[directory]
members = "{Path(__file__).resolve().parents[2] / "config" / "demo" / "members.csv"}"
officers = "{Path(__file__).resolve().parents[2] / "config" / "demo" / "officers.csv"}"
""", encoding="utf-8")
    settings = load_settings(config)
    clock = Clock()

    def rows() -> list[MessageRow]:
        with app.store.transaction() as session:
            return list(session.scalars(select(MessageRow).where(MessageRow.raw == b"")))

    app = build_app(settings, backend=mailbox_for(dovecot, user, clock),
                    classifier=rules_classifier())
    try:
        for minute in range(5):
            with pytest.raises(BackendError):
                poll(app, NOW + timedelta(minutes=minute))
            clock.next_poll()
        assert rows() == []
        person.append("INBOX", member_message("readable"))
        for minute in range(5, 10):
            poll(app, NOW + timedelta(minutes=minute))
            clock.next_poll()
        assert len(rows()) == 4
    finally:
        app.close()

    restarted = build_app(settings, backend=mailbox_for(dovecot, user, clock),
                          classifier=rules_classifier())
    try:
        for minute in range(10, 14):
            poll(restarted, NOW + timedelta(minutes=minute))  # its place is past them
            clock.next_poll()
        app = restarted
        left = rows()
        assert len(left) == 4 and {r.status for r in left} == {MessageStatus.QUARANTINED}
        text = format_status(gather_status(restarted, NOW + timedelta(minutes=15)))
        assert "4 message(s) mailbot could not read" in text
        result = CliRunner().invoke(
            command_line, ["quarantine", "done", str(left[0].id), "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert "3 message(s) mailbot could not read" in format_status(
            gather_status(restarted, NOW + timedelta(minutes=16)))
    finally:
        restarted.close()


def test_a_message_left_for_a_person_is_tried_again_a_day_later_and_read_once(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient
) -> None:
    """The place had moved past a message left for a person: once its file was put right,
    it was never read (unless someone restarted mailbot with the cursor reset)."""
    deliver(person, user, ["first", "restored", "third"])
    forbid(user, "restored")
    clock = Clock()
    mailbox = mailbox_for(dovecot, user, clock)
    memory = mailbox.read_failures()  # the poll tells it the time (left_unread.recall)
    memory.at(NOW)
    fetched, cursor = mailbox.fetch_new(None)
    mailbox.mark_processed_many([item.ref for item in fetched])
    clock.next_poll()
    memory.at(NOW + timedelta(minutes=1))
    fetched, cursor = mailbox.fetch_new(cursor)
    [left] = mailbox.take_left_unread()
    os.chmod(message_file(user, "restored"), 0o600)  # an administrator puts it right
    clock.next_poll()
    memory.at(NOW + timedelta(minutes=2))
    assert mailbox.fetch_new(cursor) == ([], cursor)  # not asked for again at once
    memory.at(NOW + timedelta(minutes=1, seconds=TRY_AGAIN_AFTER))
    fetched, cursor = mailbox.fetch_new(cursor)
    assert labels_of(fetched) == ["restored"] and fetched[0].ref == left.ref
    mailbox.mark_processed_many([item.ref for item in fetched])
    memory.at(NOW + timedelta(seconds=3 * TRY_AGAIN_AFTER))
    assert mailbox.fetch_new(cursor)[0] == []
    assert mailbox.failing_messages_remembered == 0
    assert subjects(person, "Processed") == ["first", "restored", "third"]
    mailbox.close()
