"""A bank holiday proclaimed (or a closure added) after cases were opened moves their stored
due dates as soon as the restarted daemon's first sweep runs, whatever the hour: what
`mailbot cases`, the digest and `mailbot case REF` show is the new date, not the old one
(DESIGN.md "Response clock": deadlines are recomputed when the calendar or policy
changes; WhatDoTheyKnow #7292 did not)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from helpers import NOW, eml, make_app, rows, run

from mailbot.app import App, build_app
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.console import describe_case, query_cases
from mailbot.jobs import send_reminders
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, EventRow

SATURDAY_NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # outside working hours


def _restart_with(folder: Path, extra_toml: str, server: MemoryServer) -> App:
    """The same council folder and database, its config edited, the daemon restarted."""
    config = folder / "mailbot.toml"
    config.write_text(config.read_text() + extra_toml, encoding="utf-8")
    return build_app(load_settings(config), backend=MemoryMailbox(server))


def test_a_proclaimed_holiday_moves_the_dates_of_open_cases(tmp_path: Path) -> None:
    folder = tmp_path / "council"
    first, server = make_app(folder)
    server.deliver(eml("member_enquiry.eml"))  # Wed 25 Nov 2026: Wiltshire, 2 and 10 days
    run(first, NOW)
    [case] = rows(first, CaseRow)
    assert (case.ack_due, case.response_due) == (date(2026, 11, 27), date(2026, 12, 9))
    first.close()

    later = _restart_with(
        folder,
        '[policy.calendar]\nextra_holidays = [{ date = 2026-12-04, name = "State funeral" }]\n',
        server,
    )
    try:
        send_reminders(later, SATURDAY_NIGHT)
        [case] = rows(later, CaseRow)
        assert (case.ack_due, case.response_due) == (date(2026, 11, 27), date(2026, 12, 10))
        [line] = query_cases(later, SATURDAY_NIGHT)
        assert line.response_due == "2026-12-10"
        shown = describe_case(later, case.ref) or ""
        assert "response due: Thursday 10 December 2026" in shown
        assert "State funeral" in shown
        [moved] = rows(later, EventRow, EventRow.action == "due dates moved")
        assert "2026-12-09" in moved.detail and "2026-12-10" in moved.detail

        # Unchanged policy: the next sweep recomputes nothing and records nothing more.
        send_reminders(later, SATURDAY_NIGHT)
        assert len(rows(later, EventRow, EventRow.action == "due dates moved")) == 1
    finally:
        later.close()
