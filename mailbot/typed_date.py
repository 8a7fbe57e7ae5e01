"""A day as an officer types it in a command (RESUME 04/01/2027): the example date the
officers' mail gives, and the refusal of a date mailbot could not read. The example is the
day the mail is written (London), never a fixed one that reads as long gone a year on;
commands.verbs reads it back as that same day. HELP's EXTEND example is a working day to
come, counted from that day on the council's calendar (extend_example)."""

from __future__ import annotations

from datetime import date

from mailbot.workdays import WorkingCalendar


def typed_date(day: date) -> str:
    """'04/01/2027': day/month/year with leading zeros, as commands.verbs reads it."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def written_date(day: date) -> str:
    """'4 January 2027': the same day in words (English month names: the reader's)."""
    return f"{day.day} {day:%B} {day.year}"


# How far out HELP's EXTEND-to-a-date example is: two working weeks, a date an officer
# might agree with a member.
EXTEND_EXAMPLE_DAYS = 10


def extend_example(calendar: WorkingCalendar, today: date, due: date | None = None) -> date:
    """HELP's `EXTEND dd/mm/yyyy` example: the working day EXTEND_EXAMPLE_DAYS working days
    (on the council's `calendar`) after `today`, or after the case's response date `due`
    when that is later, so that EXTEND takes it: a day to come, a working day, and later
    than the date it replaces."""
    start = max(today, due) if due is not None else today
    return calendar.add_working_days(start, EXTEND_EXAMPLE_DAYS)
