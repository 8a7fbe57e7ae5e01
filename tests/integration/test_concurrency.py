"""Two mailbots on one database at once: an administrator's command while the daemon runs,
or a second daemon on another machine sharing one PostgreSQL.

Each test forces the worst interleaving: both sides read a row before either writes it.
Two threads, each with its own App (its own engine and connection pool, as two processes
would have), meet at a barrier placed right after their read. Where the database rightly
makes the second side wait for the first to commit, the barrier times out and the first
side carries on alone; that is the outcome the tests want.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import NOW, eml, make_app, rows, sent
from sqlalchemy import event, select, text

from mailbot.app import App
from mailbot.health import MailboxHealth
from mailbot.jobs import flush_outbox, poll
from mailbot.scheduler import AlreadyRunning, daemon_jobs, single_instance
from mailbot.store import Store
from mailbot.store.tables import MessageRow, OutboxRow
from mailbot.stuck_mail import NotDecidable, release_for_resending

pytestmark = pytest.mark.slow
MEET_TIMEOUT = 1.0  # seconds a side waits for the other at the barrier


class Meeting:
    """A barrier both sides reach after their read; waiting for a side that the database
    holds back ends after MEET_TIMEOUT, and then the other side goes on alone."""

    def __init__(self) -> None:
        self.barrier = threading.Barrier(2, timeout=MEET_TIMEOUT)
        self.met = 0

    def wait(self) -> None:
        try:
            self.barrier.wait()
            self.met += 1
        except threading.BrokenBarrierError:
            self.barrier.reset()

    def after_reading(self, store: Store, is_the_read: Callable[[str], bool]) -> None:
        def hook(*args: Any) -> None:
            statement: str = args[2]
            if is_the_read(statement):
                self.wait()

        event.listen(store.engine, "after_cursor_execute", hook)


def both_at_once(*jobs: Callable[[], Any]) -> list[Any]:
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            results[n] = jobs[n]()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def two_apps(empty_database_url: str, tmp_path: Path) -> Iterator[tuple[App, App, Any]]:
    """Two apps on one database (SQLite, PostgreSQL) and one mailbox, with a poll's mail
    queued by the first."""
    first, server = make_app(tmp_path / "one", database_url=empty_database_url)
    second, _ = make_app(tmp_path / "two", server=server, database_url=empty_database_url)
    server.deliver(eml("member_enquiry.eml"))
    poll(first, NOW)
    yield first, second, server
    first.close()
    second.close()


def _reads_one_outbox_row(statement: str) -> bool:
    return statement.startswith("SELECT outbox.") and "WHERE outbox.id =" in statement


def test_two_flushes_at_once_send_each_mail_once(two_apps: tuple[App, App, Any]) -> None:
    first, second, server = two_apps
    queued = rows(first, OutboxRow)
    assert queued  # at least the member's acknowledgement
    meeting = Meeting()
    for app in (first, second):
        meeting.after_reading(app.store, _reads_one_outbox_row)

    both_at_once(lambda: flush_outbox(first, NOW), lambda: flush_outbox(second, NOW))

    message_ids = [str(message["Message-ID"]) for _, message in sent(server)]
    assert sorted(message_ids) == sorted(row.message_id for row in queued)
    assert {row.status for row in rows(first, OutboxRow)} == {"sent"}


@pytest.mark.own_database
def test_sqlite_unit_of_work_reads_and_writes_in_one_transaction(tmp_path: Path) -> None:
    """A read-modify-write on SQLite is not undone by another writer in between: the
    second side waits for the first to commit, then reads what it wrote."""
    first, server = make_app(tmp_path)
    second, _ = make_app(tmp_path, server=server)
    server.deliver(eml("member_enquiry.eml"))
    poll(first, NOW)
    meeting = Meeting()
    for app in (first, second):
        meeting.after_reading(app.store, lambda s: s.startswith("SELECT messages."))

    def count_a_duplicate(app: App) -> None:
        with app.store.transaction() as session:
            row = session.scalars(select(MessageRow)).one()
            row.duplicates += 1

    try:
        both_at_once(lambda: count_a_duplicate(first), lambda: count_a_duplicate(second))
        assert [row.duplicates for row in rows(first, MessageRow)] == [2]
        assert meeting.met == 0, "the second side read before the first had written"
    finally:
        first.close()
        second.close()


def test_one_poller_per_database_even_from_two_data_folders(
    empty_database_url: str, tmp_path: Path
) -> None:
    """Two daemons on one database (two machines sharing a PostgreSQL, or two configs
    naming one SQLite file) would each take the other's mail in flight for a crash."""
    first, _ = make_app(tmp_path / "one", database_url=empty_database_url)
    second, _ = make_app(tmp_path / "two", database_url=empty_database_url)
    try:
        with (
            single_instance(first.settings.data_dir, first.store),
            pytest.raises(AlreadyRunning, match="already polling the database"),
            single_instance(second.settings.data_dir, second.store),
        ):
            pass
        with single_instance(second.settings.data_dir, second.store):  # released
            pass
    finally:
        first.close()
        second.close()


def test_a_person_resending_never_overrides_mail_found_sent_meanwhile(
    two_apps: tuple[App, App, Any],
) -> None:
    """The daemon finds an uncertain mail in Sent Items while an administrator releases
    it for resending: one of them decides, and the mail does not go twice."""
    daemon, admin, server = two_apps
    flush_outbox(daemon, NOW)
    gone = len(server.outgoing)
    ack = next(row for row in rows(daemon, OutboxRow) if row.purpose == "ack")
    with daemon.store.transaction() as session:  # it went, but the send was cut off
        row = session.get(OutboxRow, ack.id)
        assert row is not None
        row.status, row.not_before = "uncertain", NOW
    meeting = Meeting()
    meeting.after_reading(daemon.store, lambda s: "outbox.status = " in s and "created_at" in s)
    meeting.after_reading(admin.store, _reads_one_outbox_row)

    def resend() -> str:
        try:
            release_for_resending(admin.store, ack.id, NOW, by="admin")
        except NotDecidable as exc:
            return str(exc)
        return "released"

    _, answer = both_at_once(lambda: flush_outbox(daemon, NOW), resend)

    status = next(r.status for r in rows(daemon, OutboxRow) if r.id == ack.id)
    flush_outbox(daemon, NOW)
    if answer == "released":  # the person came first: the daemon then left the row alone
        assert len(server.outgoing) == gone + 1
    else:  # the daemon came first: the person is told it went
        assert "is sent" in answer and status == "sent"
        assert len(server.outgoing) == gone


@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_a_poller_whose_lock_went_with_its_connection_stops_until_it_has_it_again(
    empty_database_url: str, tmp_path: Path
) -> None:
    """PostgreSQL restarts (here: the lock's session is terminated) and a second daemon
    takes the lock meanwhile: the first must not poll or send until it is its own again."""
    first, server = make_app(tmp_path / "one", database_url=empty_database_url)
    second, _ = make_app(tmp_path / "two", server=server, database_url=empty_database_url)
    try:
        with single_instance(first.settings.data_dir, first.store):
            run = daemon_jobs(first, MailboxHealth(first), clock=lambda: NOW)
            with second.store.engine.connect() as admin:
                ended = admin.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = "
                    "'advisory' AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                )).scalars().all()
            assert ended == [True]
            server.deliver(eml("member_enquiry.eml"))
            with second.store.sole_poller() as second_holds:
                assert second_holds  # the first's lock went with its session
                run["poll"]()
                run["flush"]()
                assert len(server.inbox) == 1 and rows(first, MessageRow) == []
                assert server.outgoing == []
            run["poll"]()  # the lock is free again: the first takes it back and polls
            assert not server.inbox and len(rows(first, MessageRow)) == 1
    finally:
        first.close()
        second.close()
