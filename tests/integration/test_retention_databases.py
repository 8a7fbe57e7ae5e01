"""Migration 0003 (when the retention purge erased what) on SQLite and on a real
PostgreSQL: a ledger written under 0002 upgrades with its rows intact and "not purged",
downgrades and upgrades again, and the purge then runs on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from helpers import JO, SAM, eml, rows
from sqlalchemy import inspect, text

from mailbot import jobs, retention
from mailbot.app import build_app
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.classify import rules_classifier
from mailbot.settings import load_settings
from mailbot.store import Store
from mailbot.store.db import alembic_config, upgrade
from mailbot.store.tables import CaseRow, MessageRow

THEN = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
NEW_COLUMNS = {"messages": "purged_at", "outbox": "purged_at", "cases": "anonymised_at"}



def _columns(store: Store, table: str) -> set[str]:
    with store.engine.connect() as connection:
        return {c["name"] for c in inspect(connection).get_columns(table)}


def test_migration_0003_and_the_purge(empty_database_url: str, tmp_path: Path) -> None:
    store = Store(empty_database_url, migrate=False)
    try:
        upgrade(store.engine, "0002")
        with store.engine.begin() as connection:  # a message recorded by the old schema
            connection.execute(
                text(
                    "INSERT INTO messages (message_id, folder, backend_ref, raw, size, "
                    "received_at, sender, subject, status, reason, duplicates) VALUES "
                    "('<old-1@example.gov.uk>', 'inbox', '', :raw, 3, :at, "
                    "'a@example.gov.uk', 'Hello', 'automatic', '', 0)"
                ),
                {"raw": b"abc", "at": THEN.replace(tzinfo=None)},
            )
        upgrade(store.engine, "head")
        for table, column in NEW_COLUMNS.items():
            assert column in _columns(store, table)
        command.downgrade(alembic_config(store.engine), "0002")
        for table, column in NEW_COLUMNS.items():
            assert column not in _columns(store, table)
        upgrade(store.engine, "head")
    finally:
        store.close()

    (tmp_path / "members.csv").write_text(f"name,email,ward,language\n{JO[0]},{JO[1]},Castle,en\n")
    (tmp_path / "officers.csv").write_text(
        f"name,email,service,manager_email,deputy_email\n{SAM[0]},{SAM[1]},Highways,,\n"
    )
    (tmp_path / "mailbot.toml").write_text(
        f'[database]\nurl = "{empty_database_url}"\n'
        '[mailbox]\naddress = "memberenquiries@wiltshire.gov.uk"\n'
        '[directory]\nmembers = "members.csv"\nofficers = "officers.csv"\n'
    )
    server = MemoryServer()
    app = build_app(
        load_settings(tmp_path / "mailbot.toml"),
        backend=MemoryMailbox(server),
        classifier=rules_classifier(),
    )
    try:
        [old] = rows(app, MessageRow)
        assert old.raw == b"abc" and old.purged_at is None
        # Jo's enquiry, acknowledged; Sam's answer the next day closes the case.
        server.deliver(eml("member_enquiry.eml"))
        jobs.poll(app, THEN)
        jobs.flush_outbox(app, THEN)
        server.deliver(eml("officer_reply_cc.eml"))
        jobs.poll(app, THEN + timedelta(days=1))
        [case] = rows(app, CaseRow)
        assert case.status == "responded"

        later = THEN + timedelta(days=31)
        assert jobs.purge(app, later).total == 1
        if app.store.engine.dialect.name == "sqlite":  # PostgreSQL's autovacuum analyses
            with app.store.engine.connect() as connection:
                analysed = {row[0] for row in connection.exec_driver_sql(
                    "SELECT tbl FROM sqlite_stat1")}
            assert {"messages", "outbox", "cases", "events"} <= analysed
        [old, *_] = rows(app, MessageRow)
        assert (old.raw, old.sender, old.subject, old.purged_at) == (b"", "", "", later)
        assert old.message_id == "<old-1@example.gov.uk>"

        years = THEN + timedelta(days=2200)
        report = retention.purge(app, years)
        assert (report.closed_case_mail, report.sent_mail, report.cases_anonymised) == (2, 1, 1)
        [case] = rows(app, CaseRow)
        assert (case.member_email, case.subject, case.anonymised_at) == ("", "", years)
        assert all(m.raw == b"" for m in rows(app, MessageRow))
        assert retention.purge(app, years).total == 0  # nothing left to do
    finally:
        app.close()
