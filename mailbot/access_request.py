"""A subject access request (UK GDPR Article 15) made through the members' mailbox: a
person asking for the personal data the council holds about them, often a councillor
asking for a constituent with their authority.

It is not an FOI request (FOIA s.40(1): a requester's own personal data is exempt and
dealt with under data protection law), so it is an enquiry on the protocol's clock for the
officer, marked `subject_access`. The law's own limit, which the member and the officer
are told, is one calendar month from receipt (Article 12(3)): from the day it arrives to
the same date next month, the month's last day when there is no such date (31 January ->
28 or 29 February), and the next working day when that is a weekend or a bank holiday
(the ICO's guidance). It can be extended by two further months for a complex request.

This is not mailbot.subject_access, the export of what mailbot itself holds about a
person for the council's own answer to such a request.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import TYPE_CHECKING

from mailbot.workdays import LONDON, WorkingCalendar

if TYPE_CHECKING:
    from mailbot.policy.pack import Policy


def same_date_next_month(day: date) -> date:
    """`day`'s date in the next month, or that month's last day when it has no such date."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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


def law_due(policy: Policy, received: datetime) -> date:
    """The date the law gives the council to answer a subject access request received
    at `received`."""
    return one_month_due(received, bank_holiday_calendar(policy))
