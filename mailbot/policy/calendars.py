"""A pack's [calendar] (extra and cancelled bank holidays, closure days), and the working
calendars built from it: cached by their full definition, so an unchanged policy reuses
its tables and any change to holidays or closures builds a new one."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from pydantic import Field, model_validator

from mailbot.policy.rules import Strict
from mailbot.policy.values import Day
from mailbot.workdays import (
    CancelledHoliday,
    Closure,
    ExtraHoliday,
    Region,
    WorkingCalendar,
    WorkingHours,
)


class ExtraHolidayRule(Strict):
    date: Day
    name: str = Field(min_length=1)
    regions: list[Region] | None = None  # default: the council's own region


class CancelledHolidayRule(Strict):
    """The old date of a bank holiday moved by proclamation (add the new date to
    extra_holidays), until the holidays package knows of the move."""

    date: Day
    name: str = Field(min_length=1)  # why, e.g. "moved to 8 May for VE Day"
    regions: list[Region] | None = None  # default: the council's own region


class ClosureRule(Strict):
    start: Day
    end: Day | None = None  # one day if omitted
    name: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ClosureRule:
        if self.end is not None and self.end < self.start:
            raise ValueError(_backwards(self.start, self.end))
        # A mistyped end year would shut the council's clocks for a year or more unnoticed.
        if self.end is not None and self.end - self.start >= timedelta(days=366):
            raise ValueError(
                f"a closure longer than a year ({self.start.isoformat()} to "
                f"{self.end.isoformat()}) is almost certainly a mistyped date"
            )
        return self


def _backwards(start: date, end: date) -> str:
    """What is wrong with a closure that ends before it starts, and, for one over New Year
    whose end kept the start's year (24 December to 1 January), the end meant."""
    said = f"end is before start (end {end.isoformat()}, start {start.isoformat()})"
    try:
        meant = end.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return said
    if end.year == start.year and end.month < start.month and meant - start < _A_MONTH:
        return f"{said}; a closure over New Year ends in the next year: end = {meant.isoformat()}"
    return said


_A_MONTH = timedelta(days=31)


class CalendarRules(Strict):
    extra_holidays: list[ExtraHolidayRule] = []
    cancelled_holidays: list[CancelledHolidayRule] = []
    closures: list[ClosureRule] = []

# Calendars are cached by their full definition, so an unchanged policy reuses its tables
# and any change to holidays or closures builds a new one.
@lru_cache(maxsize=64)
def cached_council_calendar(
    region: str,
    extras: tuple[ExtraHoliday, ...],
    closures: tuple[Closure, ...],
    hours: WorkingHours,
    cancelled: tuple[CancelledHoliday, ...] = (),
) -> WorkingCalendar:
    return WorkingCalendar.for_region(region, extras, closures, hours, cancelled)


@lru_cache(maxsize=16)
def cached_foi_calendar(
    regime: str, extras: tuple[ExtraHoliday, ...], cancelled: tuple[CancelledHoliday, ...] = ()
) -> WorkingCalendar:
    return WorkingCalendar.statutory_foi(regime, extras, cancelled)
