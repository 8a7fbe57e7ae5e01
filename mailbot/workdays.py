"""Working-day calendars: which days count when a deadline is N working days away.

A calendar is weekends + bank holidays (from the `holidays` package, never a typed list)
+ extra one-off holidays and closure days from configuration. Arithmetic runs on a sorted
table of working-day ordinals built once per year, so adding N working days is two
bisections, not a walk through the days.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import holidays as holidays_pkg

Region = Literal["england-and-wales", "scotland", "northern-ireland"]
REGIONS: tuple[str, ...] = get_args(Region)

# The `holidays` package names the UK's parts by ISO 3166-2 subdivision.
REGION_SUBDIVISIONS: dict[str, tuple[str, ...]] = {
    "england-and-wales": ("ENG", "WLS"),
    "scotland": ("SCT",),
    "northern-ireland": ("NIR",),
}
ALL_UK_SUBDIVISIONS = ("ENG", "WLS", "SCT", "NIR")

LONDON = ZoneInfo("Europe/London")
SATURDAY, SUNDAY = 5, 6

# Years outside this span are refused rather than silently computed from no data. The
# `holidays` package has rules for the UK only up to its end_year (2100 in 0.109): after
# that it returns no bank holidays at all, so Christmas would count as a working day.
MIN_YEAR = 1980
MAX_YEAR = min(2200, holidays_pkg.country_holidays("GB").end_year)


class CalendarError(ValueError):
    """A date the calendar cannot answer for (outside the supported years)."""


@dataclass(frozen=True)
class ExtraHoliday:
    """A one-off bank holiday proclaimed at short notice (a coronation, a state funeral)."""

    day: date
    name: str
    regions: tuple[str, ...]  # the parts of the UK where it is a bank holiday


@dataclass(frozen=True)
class CancelledHoliday:
    """A bank holiday that will not be one after all, in `regions`: the old date of a
    holiday moved by proclamation (May Day to VE Day in 2020, the Spring bank holiday to
    2 June in 2022) before the `holidays` package knows. The new date is an ExtraHoliday."""

    day: date
    name: str  # why, for people reading the config
    regions: tuple[str, ...]


@dataclass(frozen=True)
class Closure:
    """Days the council's offices are shut (e.g. the Christmas shutdown), inclusive."""

    start: date
    end: date
    name: str

    def days(self) -> Iterable[date]:
        d = self.start
        while d <= self.end:
            yield d
            d += timedelta(days=1)


@dataclass(frozen=True)
class DayOff:
    """A weekday that is not a working day, with the reason to show people."""

    day: date
    name: str
    kind: Literal["bank holiday", "closure"]


@dataclass(frozen=True)
class WorkingHours:
    start: time
    end: time
    tz: str = "Europe/London"


@lru_cache(maxsize=512)
def _bank_holidays(subdivision: str, year: int) -> tuple[tuple[date, str], ...]:
    found = holidays_pkg.country_holidays("GB", subdiv=subdivision, years=year)
    return tuple(sorted((d, str(name)) for d, name in found.items() if d.year == year))


SUBDIVISION_NAMES = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}


def bank_holidays(subdivisions: Iterable[str], year: int) -> dict[date, str]:
    """Bank holidays of `year` in any of `subdivisions` (ENG, WLS, SCT, NIR), by date.

    A day that is a holiday in only some of the subdivisions says where, e.g.
    "Saint Patrick's Day (Northern Ireland)", so explanations show why it counts.
    """
    subs = tuple(subdivisions)
    where: dict[date, dict[str, list[str]]] = {}
    for sub in subs:
        for day, name in _bank_holidays(sub, year):
            where.setdefault(day, {}).setdefault(name, []).append(sub)
    merged: dict[date, str] = {}
    for day, names in where.items():
        labels = []
        for name, found_in in names.items():
            if set(found_in) >= set(subs):
                labels.append(name)
            else:
                places = ", ".join(dict.fromkeys(SUBDIVISION_NAMES[s] for s in found_in))
                labels.append(f"{name} ({places})")
        merged[day] = "; ".join(labels)
    return merged


HolidaySource = Callable[[int], Mapping[date, str]]


class WorkingCalendar:
    """Monday–Friday minus bank holidays (from `holiday_source`) minus closure days."""

    def __init__(
        self,
        name: str,
        holiday_source: HolidaySource,
        closures: Mapping[date, str] | None = None,
        hours: WorkingHours | None = None,
    ) -> None:
        self.name = name
        self.hours = hours
        self._holiday_source = holiday_source
        self._closures = dict(closures or {})
        self._first_year = 0  # table covers [_first_year, _last_year]; empty until first use
        self._last_year = -1
        self._lo_ordinal = 1  # the same span as ordinals (empty: lo > hi)
        self._hi_ordinal = 0
        self._ordinals: list[int] = []  # working days, ascending
        # Weekdays off, ascending, as (ordinals, DayOff) swapped in together.
        self._off_table: tuple[list[int], list[DayOff]] = ([], [])
        self._year_tables: dict[int, tuple[list[int], list[DayOff]]] = {}
        self._growing = threading.Lock()

    # -- construction -----------------------------------------------------------------

    @classmethod
    def for_region(
        cls,
        region: str,
        extra_holidays: Iterable[ExtraHoliday] = (),
        closures: Iterable[Closure] = (),
        hours: WorkingHours | None = None,
        cancelled: Iterable[CancelledHoliday] = (),
    ) -> WorkingCalendar:
        """The council's own calendar, used by the protocol clocks."""
        if region not in REGION_SUBDIVISIONS:
            raise ValueError(f"unknown region {region!r} (one of {', '.join(REGIONS)})")
        subdivisions = REGION_SUBDIVISIONS[region]
        extras = {h.day: h.name for h in extra_holidays if region in h.regions}
        closed = {d: c.name for c in closures for d in c.days()}
        return cls(
            f"council calendar ({region} bank holidays"
            + (", closure days" if closed else "")
            + ")",
            _source(subdivisions, extras, cancelled=_cancelled_subdivisions(cancelled)),
            closed,
            hours,
        )

    @classmethod
    def statutory_foi(
        cls,
        regime: str,
        extra_holidays: Iterable[ExtraHoliday] = (),
        cancelled: Iterable[CancelledHoliday] = (),
    ) -> WorkingCalendar:
        """The statutory FOI calendar. Office closures never stop it (no `closures`).

        FOIA s.10(6): not a Saturday, Sunday, Christmas Day, Good Friday or a bank holiday
        in ANY part of the UK. FOISA s.73 (Scotland): not a Saturday, Sunday, Christmas Day
        or a Scottish bank holiday.
        """
        extra_list = list(extra_holidays)
        gone = _cancelled_subdivisions(cancelled)
        if regime == "foia":
            extras = {h.day: h.name for h in extra_list}
            return cls(
                "statutory FOI calendar (FOIA s.10(6): weekends and bank holidays in any "
                "part of the UK; office closures still count)",
                _source(ALL_UK_SUBDIVISIONS, extras, cancelled=gone),
            )
        if regime == "foisa":
            extras = {h.day: h.name for h in extra_list if "scotland" in h.regions}
            return cls(
                "statutory FOI calendar (FOISA s.73: weekends, Christmas Day and Scottish "
                "bank holidays; office closures still count)",
                _source(("SCT",), extras, always_christmas=True, cancelled=gone),
            )
        raise ValueError(f"unknown FOI regime {regime!r} (foia or foisa)")

    # -- tables -----------------------------------------------------------------------

    def _cover(self, year: int) -> None:
        """Make sure the tables cover `year` (and the year either side, for spill-over)."""
        if self._first_year <= year <= self._last_year:
            return
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CalendarError(
                f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}, the years whose bank holidays "
                "are known"
            )
        # Readers never lock: each table is swapped in whole, and only ever grows.
        with self._growing:
            if not self._first_year <= year <= self._last_year:
                self._grow(year)

    def _grow(self, year: int) -> None:
        lo = max(MIN_YEAR, year - 1)
        hi = min(MAX_YEAR, year + 1)
        if self._last_year >= self._first_year:  # extend the existing contiguous span
            lo = min(lo, self._first_year)
            hi = max(hi, self._last_year)
        ordinals: list[int] = []
        off_ordinals: list[int] = []
        off: list[DayOff] = []
        for y in range(lo, hi + 1):
            if y not in self._year_tables:
                self._year_tables[y] = self._year_table(y)
            y_ord, y_off = self._year_tables[y]
            ordinals.extend(y_ord)
            for item in y_off:
                off_ordinals.append(item.day.toordinal())
                off.append(item)
        self._ordinals, self._off_table = ordinals, (off_ordinals, off)
        self._first_year, self._last_year = lo, hi
        self._lo_ordinal = date(lo, 1, 1).toordinal()
        self._hi_ordinal = date(hi, 12, 31).toordinal()

    def _year_table(self, year: int) -> tuple[list[int], list[DayOff]]:
        bank = self._holiday_source(year)
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        working: list[int] = []
        off: list[DayOff] = []
        for o in range(first, last + 1):
            d = date.fromordinal(o)
            if d.weekday() >= SATURDAY:
                continue
            if d in bank:
                off.append(DayOff(d, bank[d], "bank holiday"))
            elif d in self._closures:
                off.append(DayOff(d, self._closures[d], "closure"))
            else:
                working.append(o)
        return working, off

    # -- questions --------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        self._cover(d.year)
        o, ords = d.toordinal(), self._ordinals
        i = bisect.bisect_left(ords, o)
        return i < len(ords) and ords[i] == o

    def add_working_days(self, start: date, n: int) -> date:
        """The nth working day strictly after `start` (n >= 1); for n == 0, `start` itself
        if it is a working day, else the next one; for n < 0, the |n|th working day
        strictly before `start`."""
        o = start.toordinal()
        if self._lo_ordinal <= o <= self._hi_ordinal:  # the hot path: two bisections
            ords = self._ordinals
            i = bisect.bisect_right(ords, o) + n - 1 if n > 0 else bisect.bisect_left(ords, o) + n
            if 0 <= i < len(ords):
                return date.fromordinal(ords[i])
        return self._add_growing(start, n)

    def _add_growing(self, start: date, n: int) -> date:
        o = start.toordinal()
        self._cover(start.year)
        while True:
            ords = self._ordinals
            i = bisect.bisect_right(ords, o) + n - 1 if n > 0 else bisect.bisect_left(ords, o) + n
            if 0 <= i < len(ords):
                return date.fromordinal(ords[i])
            # Ran off one end of the table: grow it towards the answer and try again.
            self._cover(self._last_year + 1 if i >= len(ords) else self._first_year - 1)

    def next_working_day(self, d: date) -> date:
        """`d` if it is a working day, else the first working day after it."""
        return self.add_working_days(d, 0)

    def working_days_between(self, after: date, until: date) -> int:
        """Working days d with after < d <= until (0 if until <= after)."""
        if until <= after:
            return 0
        self._cover(after.year)
        self._cover(until.year)
        ords = self._ordinals  # one snapshot: both counts from the same table
        return bisect.bisect_right(ords, until.toordinal()) - bisect.bisect_right(
            ords, after.toordinal()
        )

    def days_off_between(self, first: date, last: date) -> list[DayOff]:
        """Weekdays in [first, last] that are not working days, with their names."""
        if last < first:
            return []
        self._cover(first.year)
        self._cover(last.year)
        off_ordinals, off = self._off_table
        i = bisect.bisect_left(off_ordinals, first.toordinal())
        j = bisect.bisect_right(off_ordinals, last.toordinal())
        return off[i:j]

    def holidays_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """(date, name) of each bank holiday and closure day on a weekday in [first, last]."""
        return [(o.day, o.name) for o in self.days_off_between(first, last)]

    def working_ordinals(self, first_year: int, last_year: int) -> list[int]:
        """The working-day table itself (for vectorised batch work)."""
        self._cover(first_year)
        self._cover(last_year)
        lo = bisect.bisect_left(self._ordinals, date(first_year, 1, 1).toordinal())
        hi = bisect.bisect_right(self._ordinals, date(last_year, 12, 31).toordinal())
        return self._ordinals[lo:hi]

    # -- working hours ----------------------------------------------------------------

    def within_working_hours(self, moment: datetime) -> bool:
        """True if `moment` falls in working hours on a working day (local time)."""
        hours = self._require_hours()
        local = _aware(moment).astimezone(ZoneInfo(hours.tz))
        return self.is_working_day(local.date()) and hours.start <= local.time() < hours.end

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` if it is within working hours, else when working hours next begin."""
        hours = self._require_hours()
        tz = ZoneInfo(hours.tz)
        local = _aware(moment).astimezone(tz)
        if self.within_working_hours(local):
            return moment
        day = local.date()
        if not (self.is_working_day(day) and local.time() < hours.start):
            day = self.add_working_days(day, 1)
        return datetime.combine(day, hours.start, tzinfo=tz)

    def _require_hours(self) -> WorkingHours:
        if self.hours is None:
            raise ValueError(f"{self.name} has no working hours configured")
        return self.hours

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.name!r})"


def _cancelled_subdivisions(cancelled: Iterable[CancelledHoliday]) -> dict[date, set[str]]:
    """Each cancelled date, with the subdivisions (ENG, WLS, SCT, NIR) it is cancelled in."""
    found: dict[date, set[str]] = {}
    for c in cancelled:
        for region in c.regions:
            found.setdefault(c.day, set()).update(REGION_SUBDIVISIONS[region])
    return found


def is_bank_holiday(day: date, region: str) -> bool:
    """Whether the `holidays` package has `day` as a bank holiday in `region`."""
    return day in bank_holidays(REGION_SUBDIVISIONS[region], day.year)


def _source(
    subdivisions: tuple[str, ...],
    extras: Mapping[date, str],
    always_christmas: bool = False,
    cancelled: Mapping[date, set[str]] | None = None,
) -> HolidaySource:
    """Bank holidays for a year: the package's list less cancelled dates, plus configured
    one-offs. A cancelled date stays a holiday while it is still one in another of
    `subdivisions` (FOIA s.10(6) counts a bank holiday in any part of the UK).

    FOISA s.73 names Christmas Day itself, so it is excluded even if a holiday list ever
    stopped listing it as a Scottish bank holiday.
    """
    gone = dict(cancelled or {})

    def for_year(year: int) -> dict[date, str]:
        found = bank_holidays(subdivisions, year)
        for day, where in gone.items():
            if day.year == year and day in found:
                kept = [s for s in subdivisions if s not in where]
                if not any(day in dict(_bank_holidays(s, year)) for s in kept):
                    del found[day]
        if always_christmas:
            found.setdefault(date(year, 12, 25), "Christmas Day")
        for day, name in extras.items():
            if day.year == year:
                found.setdefault(day, name)
        return found

    return for_year


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time {moment.isoformat()} has no UTC offset")
    return moment
