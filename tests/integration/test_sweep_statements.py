"""The reminder sweep reads each case's clock events once: the statements it runs grow
by a fixed number for each open case, and the clock events are read once per case (not
once for the due dates and again for the schedule's start)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from helpers import JO, NOW, SAM, make_app
from sqlalchemy import event, insert

from mailbot import reminders
from mailbot.app import App
from mailbot.store.tables import CaseRow, ClockEventRow

OPENED = NOW - timedelta(days=30)
# Statements for one open case whose reminder is not yet due: the case, its clock events,
# what else the sweep asks of it, and (the first time) writing its new due date.
PER_CASE = 4


def _open_cases(app: App, first: int, count: int) -> None:
    """`count` open cases of Sam's, each with an extension (a clock event), due next month."""
    cases = [{
        "id": n, "ref": f"MB-2026-{n:05d}", "kind": "enquiry", "priority": "normal",
        "status": "open", "member_email": JO[1], "officer_email": SAM[1],
        "policy": "wiltshire", "received_at": OPENED, "root_message_id": f"<{n}@sweep>",
        "created_at": OPENED, "updated_at": OPENED, "acknowledged_at": OPENED,
    } for n in range(first, first + count)]
    extended = [{
        "case_id": n, "clock": "response", "action": "extend", "at": OPENED + timedelta(days=1),
        "who": SAM[1], "why": "waiting for the contractor", "new_due": date(2026, 12, 23),
    } for n in range(first, first + count)]
    with app.store.transaction() as session:
        session.execute(insert(CaseRow), cases)
        session.execute(insert(ClockEventRow), extended)


def _sweep_statements(app: App) -> tuple[int, int]:
    """(statements the sweep ran, of which read the clock events)."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
             executemany: bool) -> None:
        seen.append(statement)

    event.listen(app.store.engine, "before_cursor_execute", note)
    try:
        report = reminders.sweep(app, NOW)
    finally:
        event.remove(app.store.engine, "before_cursor_execute", note)
    assert report.skipped == "" and report.queued == []  # read every case, sent nothing
    clock_reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")
                   and "FROM clock_events" in s]
    return len(seen), len(clock_reads)


def test_a_sweep_reads_each_cases_clock_events_once(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    try:
        alone, _ = _sweep_statements(app)  # no case: the sweep's own statements
        _open_cases(app, 1, 10)
        ten, ten_clock_reads = _sweep_statements(app)
        _open_cases(app, 11, 30)
        forty, forty_clock_reads = _sweep_statements(app)
    finally:
        app.close()
    assert (ten_clock_reads, forty_clock_reads) == (10, 40)
    # A fixed number for each case, whatever the number of cases: nothing per case grows.
    assert ten - alone <= 10 * PER_CASE
    assert forty - alone <= 40 * PER_CASE
