"""A day as an officer types it in a command (RESUME 04/01/2027): the example date the
officers' mail gives, and the refusal of a date mailbot could not read. The example is the
day the mail is written (London), never a fixed one that reads as long gone a year on;
commands.verbs reads it back as that same day. HELP's EXTEND example is a working day to
come, counted from that day on the council's calendar (extend_example)."""

from __future__ import annotations

from datetime import date, timedelta

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


def extend_example(
    calendar: WorkingCalendar, today: date, due: date | None = None, *,
    law: date | None = None,
) -> date:
    """HELP's `EXTEND dd/mm/yyyy` example: the working day EXTEND_EXAMPLE_DAYS working days
    (on the council's `calendar`) after `today`, or after the case's response date `due`
    when that is later, so that EXTEND takes it: a day to come, a working day, and later
    than the date it replaces. A subject access request's `law` date (data protection
    law's, while still to come) caps it: EXTEND refuses a date after it, so the example is
    then the law's date (its last working day on `calendar`) when that is still later than
    `due`; else, no day being left before the law's, the ten working days stand, which
    EXTEND takes only for a complex request (past_the_law_s_date)."""
    start = max(today, due) if due is not None else today
    example = calendar.add_working_days(start, EXTEND_EXAMPLE_DAYS)
    if law is None or today > law or example <= law:
        return example
    last = law
    while not calendar.is_working_day(last):
        last -= timedelta(days=1)
    return last if last >= today and (due is None or last > due) else example


def past_the_law_s_date(example: date, today: date, law: date | None) -> bool:
    """Whether EXTEND to `example` on `today` would be after the `law`'s date while it is
    still to come: for a subject access request not yet given its two further months, a
    reason saying the request is complex takes them (UK GDPR Article 12(3))."""
    return law is not None and today <= law < example
