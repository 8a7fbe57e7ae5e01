"""The daemon under faults an administrator will meet: the database connection cut in
the middle of a message, and what the log then says."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import rows, shared_rules_classifier
from sqlalchemy import create_engine, text

from mailbot.app import App, build_app
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.health import MailboxHealth
from mailbot.model import MessageStatus
from mailbot.scheduler import daemon_jobs
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, MessageRow

pytestmark = pytest.mark.timeout(120)

MAILBOX = "memberenquiries@example.gov.uk"
MEMBER = "bea.cole@councillors.example.gov.uk"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def member_mail(number: int) -> bytes:
    return (
        f"From: Cllr Bea Cole <{MEMBER}>\r\nTo: {MAILBOX}\r\n"
        f"Subject: Graffiti on underpass {number}\r\n"
        f"Message-ID: <faults-{number}@councillors.example.gov.uk>\r\n\r\n"
        "Please could the graffiti in the Station Road underpass be removed?\r\n"
    ).encode()


def make_app(folder: Path, database_url: str, server: MemoryServer) -> App:
    (folder / "members.csv").write_text(f"name,email\nCllr Bea Cole,{MEMBER}\n")
    config = folder / "mailbot.toml"
    config.write_text(
        f"""
[council]
name = "Test Council"
policy = "mwda"
[database]
url = "{database_url}"
[mailbox]
address = "{MAILBOX}"
[directory]
members = "members.csv"
[classifier]
train_if_missing = false
threshold = 0.5
"""
    )
    settings = load_settings(config)
    return build_app(settings, backend=MemoryMailbox(server), classifier=shared_rules_classifier())


@pytest.fixture
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    base = postgres_url.rsplit("/", 1)[0]
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS cut_mid_message WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE cut_mid_message"))
    try:
        yield f"{base}/cut_mid_message"
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS cut_mid_message WITH (FORCE)"))
        admin.dispose()


CUT_ONCE = """
CREATE SEQUENCE fault_fired;
CREATE FUNCTION cut_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- nextval() outlives the rollback, so the fault fires once only
  IF nextval('fault_fired') = 1 THEN
    PERFORM pg_terminate_backend(pg_backend_pid());
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cut_once BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION cut_once();
"""


def test_a_connection_cut_mid_message_leaves_it_in_the_inbox_not_in_quarantine(
    tmp_path: Path, fresh_postgres: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The server ends the session that is recording a member's message (a restart, a
    failover, an administrator's pg_terminate_backend). The message is not the problem:
    it must stay in the Inbox and be handled at the next poll, not quarantined."""
    server = MemoryServer()
    app = make_app(tmp_path, fresh_postgres, server)
    fault = create_engine(fresh_postgres, isolation_level="AUTOCOMMIT")
    try:
        with fault.connect() as connection:
            connection.exec_driver_sql(CUT_ONCE)
        server.deliver(member_mail(1))
        server.deliver(member_mail(2))
        jobs = daemon_jobs(app, MailboxHealth(app), lambda: NOW)
        caplog.set_level(logging.INFO)
        jobs["poll"]()
        assert rows(app, MessageRow, MessageRow.status == MessageStatus.QUARANTINED) == []
        assert len(server.inbox) == 2, "both wait in the Inbox for the next poll"
        assert not [r for r in caplog.records if r.exc_info], "no traceback for a lost connection"
        (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert line.startswith("database unavailable")
        assert "\n" not in line and MEMBER not in line, "one line, and no personal data"

        jobs["poll"]()
        assert not server.inbox
        handled = rows(app, MessageRow)
        assert [m.status for m in handled] == [MessageStatus.PROCESSED] * 2
        assert len(rows(app, CaseRow)) == 2
    finally:
        fault.dispose()
        app.close()
