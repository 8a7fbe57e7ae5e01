"""The daily retention purge reads only the mail not yet erased: each of its rules picks
rows `purged_at IS NULL`, and SQLite's query plan for each goes through a partial index
of those rows (migration 0007), never through every message or sent mail ever kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import NOW, make_app
from sqlalchemy import event, insert, text

from mailbot import retention
from mailbot.app import App
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow

pytestmark = pytest.mark.own_database  # asks SQLite for its query plans

YEARS_AGO = NOW - timedelta(days=3 * 365)


def _three_years(app: App, count: int) -> None:
    """`count` answered cases of three years ago, each with its mail in and out, and mail
    that joined no case; half of it erased by earlier purges already."""
    cases, messages, outbox = [], [], []
    for n in range(1, count + 1):
        at = YEARS_AGO + timedelta(days=n % 700)
        cases.append({
            "id": n, "ref": f"MB-2023-{n:05d}", "kind": "enquiry", "priority": "normal",
            "status": "responded", "member_email": "jo.bloggs@wiltshire.gov.uk",
            "officer_email": "sam.smith@wiltshire.gov.uk", "policy": "wiltshire",
            "received_at": at, "root_message_id": f"<{n}@plan>", "created_at": at,
            "updated_at": at})
        erased = at + timedelta(days=400) if n % 2 else None
        for m, case_id in ((2 * n, n), (2 * n + 1, None)):
            messages.append({
                "id": m, "message_id": f"<m{m}@plan>", "raw": b"" if erased else b"x",
                "size": 1, "received_at": at, "status": "processed" if case_id else "ignored",
                "case_id": case_id, "purged_at": erased})
        outbox.append({
            "id": n, "dedup_key": f"ack:{n}", "message_id": f"<o{n}@plan>", "case_id": n,
            "purpose": "ack", "recipients": "jo.bloggs@wiltshire.gov.uk",
            "mime": b"" if erased else b"x", "status": "sent", "created_at": at,
            "not_before": at, "sent_at": at, "purged_at": erased})
    with app.store.transaction() as session:
        for table, batch in ((CaseRow, cases), (MessageRow, messages), (OutboxRow, outbox)):
            session.execute(insert(table), batch)


def _purge_plans(app: App) -> dict[str, list[str]]:
    """Each SELECT the purge ran that looks for rows not yet erased, with its plan."""
    seen: list[tuple[str, Any]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
             executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "purged_at IS NULL" in statement:
            seen.append((statement, parameters))

    event.listen(app.store.engine, "before_cursor_execute", note)
    try:
        retention.purge(app, NOW)
    finally:
        event.remove(app.store.engine, "before_cursor_execute", note)
    plans: dict[str, list[str]] = {}
    with app.store.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        for statement, parameters in seen:
            plan = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            plans[" ".join(statement.split())] = [str(row[-1]) for row in plan]
    return plans


@pytest.mark.parametrize("analysed", [False, True], ids=["as installed", "after ANALYZE"])
def test_the_purge_reads_mail_through_the_index_of_mail_not_yet_erased(
    tmp_path: Path, analysed: bool
) -> None:
    app, _ = make_app(tmp_path)
    try:
        _three_years(app, 300)
        if analysed:
            with app.store.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        plans = _purge_plans(app)
        with app.store.transaction() as session:
            left = session.scalar(text("SELECT count(*) FROM messages WHERE purged_at IS NULL"))
    finally:
        app.close()
    assert left == 0  # the purge did its work: every message of three years ago erased
    dropped = [plan for sql, plan in plans.items()
               if "FROM messages" in sql and "case_id IS NULL" in sql]
    assert dropped and all(
        any("USING INDEX ix_messages_kept_case" in line for line in plan) for plan in dropped
    ), plans
    for sql, plan in plans.items():
        for line in plan:  # never the whole table of messages or of sent mail
            assert not line.startswith(("SCAN messages", "SCAN outbox")), (sql, plan)
