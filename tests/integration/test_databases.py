"""The same flow on SQLite and on a real PostgreSQL: migrations, one case and one ack per
message, duplicates skipped, references numbered per year without gaps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from mailbot import jobs
from mailbot.app import build_app
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.classify import rules_classifier
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def _message(n: int) -> bytes:
    return (
        "From: Cllr Ann Lee <ann.lee@councillors.example.gov.uk>\r\n"
        "To: memberenquiries@example.gov.uk\r\n"
        f"Subject: Overgrown hedge on Park Lane ({n})\r\n"
        f"Message-ID: <db-{n}@councillors.example.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\n"
        "The hedge at the corner blocks the pavement; please ask the owner to cut it back.\r\n"
    ).encode()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mailbot.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_same_flow_on_each_database(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_text(
        "name,email,ward,language\nCllr Ann Lee,ann.lee@councillors.example.gov.uk,Park,en\n"
    )
    (tmp_path / "mailbot.toml").write_text(
        f'[council]\npolicy = "hackney"\n[database]\nurl = "{database_url}"\n'
        '[mailbox]\naddress = "memberenquiries@example.gov.uk"\n'
        '[directory]\nmembers = "members.csv"\n'
    )
    server = MemoryServer()
    for n in range(5):
        server.deliver(_message(n))
    server.deliver(_message(0))  # the same message delivered twice
    app = build_app(
        load_settings(tmp_path / "mailbot.toml"),
        backend=MemoryMailbox(server),
        classifier=rules_classifier(),
    )
    try:
        with app.store.transaction() as session:
            session.execute(OutboxRow.__table__.delete())  # a clean slate on a shared server
            session.execute(MessageRow.__table__.delete())
            session.execute(CaseRow.__table__.delete())
        jobs.poll(app, NOW)
        jobs.flush_outbox(app, NOW)
        jobs.poll(app, NOW)  # nothing new: nothing changes
        with app.store.transaction() as session:
            assert "alembic_version" in inspect(session.connection()).get_table_names()
            refs = session.scalars(select(CaseRow.ref).order_by(CaseRow.id)).all()
            assert len(refs) == 5
            numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
            assert numbers == list(range(numbers[0], numbers[0] + 5))
            assert all(r.startswith("MB-2026-") for r in refs)
            messages = session.scalars(select(MessageRow)).all()
            assert len(messages) == 5
            assert sum(m.duplicates for m in messages) == 1
            received = session.scalar(select(CaseRow.received_at).limit(1))
            assert received == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
            acks = session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "sent")
            )
            assert acks == 5
    finally:
        app.close()
    assert len(server.outgoing) == 5
