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

from helpers import NOW, AppFactory, eml, rows

from mailbot.app import App
from mailbot.backends.memory import MemoryServer
from mailbot.jobs import poll
from mailbot.store.tables import CaseRow, MessageRow

MESSAGES = 12


def deliver_enquiries(server: MemoryServer, count: int, first: int = 0) -> list[str]:
    original = eml("member_enquiry.eml")
    ids = []
    for number in range(first, first + count):
        message_id = f"<durable-{number}@wiltshire.gov.uk>"
        header = f"Message-ID: {message_id}\r\nX-Original-Id: <".encode()
        server.deliver(original.replace(b"Message-ID: <", header, 1))
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
    # The next poll sees the two again (a resync of the memory cursor plays the IMAP case
    # of an unmoved message), skips them as duplicates, and now moves them.
    server.expire_cursors()
    again = poll(app, NOW)
    assert not again.unmarked and not server.inbox
    assert len(rows(app, CaseRow)) == 3
    assert all(row.duplicates <= 1 for row in rows(app, MessageRow))
    assert message_ids_without_wal(app, tmp_path) >= set(ids)
