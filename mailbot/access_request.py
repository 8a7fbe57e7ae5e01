"""A subject access request (UK GDPR Article 15) made through the members' mailbox: a
person asking for the personal data the council holds about them, often a councillor
asking for a constituent with their authority.

It is not an FOI request (FOIA s.40(1): a requester's own personal data is exempt and
dealt with under data protection law), so it is an enquiry on the protocol's clock for the
officer, marked `subject_access`. The law's own limit, which the member and the officer
are told, is one calendar month from receipt (Article 12(3)): from the day it arrives to
the same date next month, the month's last day when there is no such date (31 January ->
28 or 29 February), and the next working day when that is a weekend or a bank holiday
(the ICO's guidance). It can be extended by two further months for a complex request, the
requester told within the first: an officer's EXTEND whose reason says so, within the
month, records it (mailbot/commands/extend.py), and the date is then three calendar months
from receipt.

This is not mailbot.subject_access, the export of what mailbot itself holds about a
person for the council's own answer to such a request.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from mailbot.workdays import LONDON, WorkingCalendar

if TYPE_CHECKING:
    from mailbot.policy.pack import Policy


# What an officer's EXTEND reason says when it takes the law's two further months for a
# complex request (Article 12(3)): the complexity, the Article, or the months themselves.
EXTENSION_WORDS = re.compile(
    r"\b(?:complex(?:ity)?|cymhleth|art(?:icle|\.)?\s*12|"
    r"(?:two|2)\s+(?:further\s+|more\s+)?months?|dau\s+fis)\b",
    re.IGNORECASE,
)
# The timeline entry that records the two further months (the law's date is read from it).
EXTENDED = "subject access extended"


def months_on(day: date, months: int) -> date:
    """`day`'s date `months` months later, or that month's last day when it has no such
    date (31 January, three months on: 30 April)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def same_date_next_month(day: date) -> date:
    """`day`'s date in the next month, or that month's last day when it has no such date."""
    return months_on(day, 1)


def asks_for_more_months(reason: str) -> bool:
    """Whether an EXTEND's reason takes the law's two further months (EXTENSION_WORDS)."""
    return EXTENSION_WORDS.search(reason) is not None


def one_month_due(received: datetime, days: WorkingCalendar) -> date:
    """The date one calendar month from `received` (its London date), moved to the next
    working day of `days` when it falls on a weekend or bank holiday."""
    return days.next_working_day(same_date_next_month(received.astimezone(LONDON).date()))


def bank_holiday_calendar(policy: Policy) -> WorkingCalendar:
    """Weekends and the council's region's bank holidays (with the pack's one-off and
    cancelled holidays), without office closures: the law's month is not the protocol's
    working days, and a closure does not move it."""
    return WorkingCalendar.for_region(
        policy.region, policy.extra_holidays(), cancelled=policy.cancelled_holidays()
    )


def law_due(policy: Policy, received: datetime, *, extended: bool = False) -> date:
    """The date the law gives the council to answer a subject access request received
    at `received`: one calendar month, or with `extended` (a complex request, its
    requester told within the month) three, moved to a working day as the month is."""
    days = bank_holiday_calendar(policy)
    if not extended:
        return one_month_due(received, days)
    return days.next_working_day(months_on(received.astimezone(LONDON).date(), 3))
