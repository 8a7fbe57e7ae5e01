"""A message leaves the Inbox only once its case is on disk, not just committed.

SQLite runs in WAL mode with synchronous=NORMAL: commits are not fsynced one by one, and a
power cut can lose the end of the WAL. The poll therefore syncs the WAL into the database
file before it moves a batch. These tests play the power cut by reading the database file
alone, without its WAL.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers import NOW, AppFactory, eml, rows, subject_marked

from mailbot.app import App
from mailbot.backends.base import BackendError
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.jobs import poll
from mailbot.status import format_status, gather_status
from mailbot.store.tables import CaseRow, MessageRow

pytestmark = pytest.mark.own_database  # about the SQLite file and its WAL

MESSAGES = 12


def deliver_enquiries(server: MemoryServer, count: int, first: int = 0) -> list[str]:
    original = eml("member_enquiry.eml")
    ids = []
    for number in range(first, first + count):
        message_id = f"<durable-{number}@wiltshire.gov.uk>"
        header = f"Message-ID: {message_id}\r\nX-Original-Id: <".encode()
        server.deliver(subject_marked(original.replace(b"Message-ID: <", header, 1), str(number)))
        ids.append(message_id)
    return ids


def database_file(app: App) -> Path:
    return Path(app.store.url.split("///", 1)[1])


def message_ids_without_wal(app: App, tmp_path: Path) -> set[str]:
    """What a power cut right now would leave: the database file, its WAL gone."""
    copy = tmp_path / "after-power-cut.db"
    shutil.copyfile(database_file(app), copy)
    with sqlite3.connect(copy) as connection:
        return {row[0] for row in connection.execute("SELECT message_id FROM messages")}


def test_every_moved_message_is_in_the_database_file_itself(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    app, server = app_factory()
    ids = deliver_enquiries(server, MESSAGES)
    report = poll(app, NOW)
    assert not report.unmarked
    assert len(server.processed) == MESSAGES and not server.inbox
    assert message_ids_without_wal(app, tmp_path) >= set(ids)
    assert len(rows(app, CaseRow)) == MESSAGES


def test_a_reader_holding_an_old_snapshot_keeps_the_batch_in_the_inbox_until_next_poll(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    app, server = app_factory()
    app.store.durable_wait_ms = 200
    deliver_enquiries(server, 1)
    poll(app, NOW)  # the database exists, with one case in it
    reader = sqlite3.connect(database_file(app), isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM cases").fetchone()  # a snapshot from before the poll

    ids = deliver_enquiries(server, 2, first=1)
    report = poll(app, NOW)
    assert sorted(report.unmarked) == sorted(ids)  # recorded, but not synced: not moved
    assert len(server.inbox) == 2
    assert len(rows(app, CaseRow)) == 3

    reader.rollback()
    reader.close()
    # The cursor has passed them, so no fetch sees them again: the next poll moves them
    # from what it remembered, before it fetches.
    again = poll(app, NOW)
    assert not again.unmarked and not server.inbox and again.still_unmoved == 0
    assert len(server.processed) == 3
    assert len(rows(app, CaseRow)) == 3
    assert all(row.duplicates == 0 for row in rows(app, MessageRow))
    assert message_ids_without_wal(app, tmp_path) >= set(ids)


class RefusesToMove(MemoryMailbox):
    """A login that may read the Inbox but not (yet) add to Processed."""

    refusing = True

    def mark_processed(self, ref: str) -> None:
        if self.refusing:
            raise BackendError("move failed: [NOPERM] Permission denied")
        super().mark_processed(ref)


def test_a_refused_move_is_tried_again_by_every_poll_until_it_works(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    mailbox = RefusesToMove(server)
    app.backend_override = mailbox
    deliver_enquiries(server, 3)
    first = poll(app, NOW)
    assert len(first.unmarked) == 3 and len(server.inbox) == 3
    deliver_enquiries(server, 1, first=3)
    second = poll(app, NOW)  # still refused: the new one is handled and remembered too
    assert second.still_unmoved == 3 and len(second.unmarked) == 1
    assert len(server.inbox) == 4 and len(rows(app, CaseRow)) == 4
    shown = format_status(gather_status(app, NOW))
    assert "inbox: 4 handled message(s) not yet moved to the Processed folder" in shown

    mailbox.refusing = False  # the administrator grants the right
    third = poll(app, NOW)
    assert third.still_unmoved == 0 and not third.outcomes
    assert not server.inbox and len(server.processed) == 4
    assert all(row.duplicates == 0 for row in rows(app, MessageRow))
    assert "not yet moved" not in format_status(gather_status(app, NOW))
