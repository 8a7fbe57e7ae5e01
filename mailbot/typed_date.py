"""A day as an officer types it in a command (RESUME 04/01/2027): the example date the
officers' mail gives, and the refusal of a date mailbot could not read. The example is the
day the mail is written (London), never a fixed one that reads as long gone a year on;
commands.verbs reads it back as that same day."""

from __future__ import annotations

from datetime import date


def typed_date(day: date) -> str:
    """'04/01/2027': day/month/year with leading zeros, as commands.verbs reads it."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def written_date(day: date) -> str:
    """'4 January 2027': the same day in words (English month names: the reader's)."""
    return f"{day.day} {day:%B} {day.year}"
