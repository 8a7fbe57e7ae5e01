"""The digest's weeks, all in Europe/London: its own week, last week and the 12-week window.

"Last week" is the last full Monday-Sunday week before the digest's week; the trend and
the protocol KPIs cover the 12 full weeks before the digest's week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from mailbot.workdays import LONDON

WEEKS = 12


def at_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Periods:
    today: date
    this_week: date  # Monday of the digest's week
    last_week: date = field(init=False)
    window_start: date = field(init=False)  # Monday 12 weeks before this_week

    def __post_init__(self) -> None:
        object.__setattr__(self, "last_week", self.this_week - timedelta(days=7))
        object.__setattr__(self, "window_start", self.this_week - timedelta(days=7 * WEEKS))

    @classmethod
    def at(cls, now: datetime) -> Periods:
        """The periods of the digest that goes out at `now`."""
        today = local_day(now)
        return cls(today, monday_of(today))

    def week_start(self, index: int) -> date:
        """The Monday that window week `index` (0..11) begins on."""
        return self.window_start + timedelta(days=7 * index)

    def week_index(self, day: date) -> int | None:
        """0..11 for a day in the 12-week window, else None."""
        offset = (day - self.window_start).days
        return offset // 7 if 0 <= offset < 7 * WEEKS else None

    def overdue_weeks(self, due: date, received_on: date, answered_on: date | None) -> range:
        """The window weeks at whose end (the Monday after) the case was open and past due:
        week i ends on window_start + 7(i+1); it counts if that end is after both the due
        date and the receipt day, and not after the answer."""
        first = max(0, (max(due, received_on) - self.window_start).days // 7)
        last = WEEKS - 1
        if answered_on is not None:
            last = min(last, (answered_on - self.window_start).days // 7 - 1)
        return range(first, last + 1)
