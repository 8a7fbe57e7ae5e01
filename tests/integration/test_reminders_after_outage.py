"""Reminders queued in working hours that could not go then (the mailbox was down) wait
for the next working hours, not the moment the mailbox is back at night.

Found by tests/integration/test_year.py: a Monday's escalation, queued at 09:00 while the
mailbox was down all day, reached the manager at 23:47 when it came back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers import council_with_sam

from mailbot import jobs

RECEIVED = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)  # Monday; due Monday 15 February
BEFORE_DUE = datetime(2027, 2, 11, 9, 0, tzinfo=UTC)  # Thursday: the before-due reminder


def quarter_hours(start: datetime, end: datetime) -> list[datetime]:
    return [start + timedelta(minutes=15 * i) for i in range(int((end - start) / timedelta(
        minutes=15)) + 1)]


def test_a_reminder_held_up_by_an_outage_waits_for_the_next_working_hours(
    tmp_path: Path,
) -> None:
    with council_with_sam(tmp_path, "wiltshire") as council:
        council.deliver(council.mail(
            "Cllr Jo Bloggs <jo@wiltshire.gov.uk>", "Pothole on Castle Road",
            "There is a deep pothole outside no. 12 Castle Road. Please can it be repaired?",
            date=RECEIVED,
        ), RECEIVED + timedelta(minutes=2))
        # The mailbox is down from before 09:00 until 23:45: the daemon's sweep runs every
        # quarter hour and queues the reminder, but its flush waits for the mailbox.
        for now in quarter_hours(BEFORE_DUE, BEFORE_DUE + timedelta(hours=14, minutes=45)):
            jobs.send_reminders(council.app, now)
        back = BEFORE_DUE + timedelta(hours=14, minutes=47)
        assert council.flush(back) == []
        for now in quarter_hours(back, back + timedelta(hours=9)):
            jobs.send_reminders(council.app, now)
        assert council.flush(datetime(2027, 2, 12, 8, 59, tzinfo=UTC)) == []
        [reminder] = council.flush(datetime(2027, 2, 12, 9, 0, tzinfo=UTC))
    assert reminder["To"] == "sam@wiltshire.gov.uk"
    assert str(reminder["Subject"]).startswith("Reminder: Pothole on Castle Road")
