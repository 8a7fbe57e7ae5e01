"""The working-day calendars: regions, the statutory FOI calendars, closures, hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.workdays import (
    CalendarError,
    Closure,
    ExtraHoliday,
    WorkingCalendar,
    WorkingHours,
    bank_holidays,
)

LONDON = ZoneInfo("Europe/London")
EW = WorkingCalendar.for_region("england-and-wales")
SCOT = WorkingCalendar.for_region("scotland")
NI = WorkingCalendar.for_region("northern-ireland")
FOIA = WorkingCalendar.statutory_foi("foia")
FOISA = WorkingCalendar.statutory_foi("foisa")


def test_england_and_wales_2026_comes_from_the_holidays_package() -> None:
    expected = {
        d: name
        for d, name in holidays.country_holidays("GB", subdiv="ENG", years=2026).items()
        if d.weekday() < 5
    }
    assert dict(EW.holidays_between(date(2026, 1, 1), date(2026, 12, 31))) == expected
    assert date(2026, 12, 28) in expected  # Boxing Day falls on a Saturday: Monday instead


def test_weekdays_and_weekends() -> None:
    assert EW.add_working_days(date(2026, 11, 5), 1) == date(2026, 11, 6)  # Thu -> Fri
    assert EW.add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 9)  # Fri -> Mon
    assert EW.add_working_days(date(2026, 11, 7), 1) == date(2026, 11, 9)  # Sat -> Mon
    assert EW.add_working_days(date(2026, 11, 2), 10) == date(2026, 11, 16)
    assert not EW.is_working_day(date(2026, 11, 7))
    assert not EW.is_working_day(date(2026, 11, 8))


def test_n_zero_is_the_day_itself_or_the_next_working_day() -> None:
    assert EW.add_working_days(date(2026, 11, 5), 0) == date(2026, 11, 5)
    assert EW.add_working_days(date(2026, 11, 7), 0) == date(2026, 11, 9)
    assert EW.add_working_days(date(2026, 8, 31), 0) == date(2026, 9, 1)  # bank holiday


def test_negative_counts_go_back() -> None:
    assert EW.add_working_days(date(2026, 11, 9), -1) == date(2026, 11, 6)
    assert EW.add_working_days(date(2026, 12, 29), -2) == date(2026, 12, 23)
    assert EW.add_working_days(date(2026, 11, 8), -1) == date(2026, 11, 6)


def test_spans_years_and_grows_its_tables() -> None:
    assert EW.add_working_days(date(2026, 12, 20), 30) == date(2027, 2, 3)
    assert EW.add_working_days(date(2031, 6, 2), 500) > date(2033, 1, 1)
    assert EW.add_working_days(date(2026, 1, 5), -300) < date(2025, 1, 1)
    with pytest.raises(CalendarError):
        EW.is_working_day(date(1700, 1, 1))


def test_scotland_has_its_own_bank_holidays() -> None:
    for day in (date(2026, 1, 2), date(2026, 8, 3), date(2026, 11, 30), date(2026, 6, 15)):
        assert not SCOT.is_working_day(day), day
        assert EW.is_working_day(day), day
    assert SCOT.is_working_day(date(2026, 4, 6))  # Easter Monday is not one in Scotland
    assert SCOT.is_working_day(date(2026, 8, 31))


def test_the_2026_scottish_one_off_is_named_by_the_package() -> None:
    named = dict(SCOT.holidays_between(date(2026, 6, 15), date(2026, 6, 15)))
    assert named[date(2026, 6, 15)].strip()
    # The installed package names it; the explanation shows that name, whatever it is.
    assert named[date(2026, 6, 15)] in bank_holidays(["SCT"], 2026)[date(2026, 6, 15)]


def test_northern_ireland_has_its_own_bank_holidays() -> None:
    assert not NI.is_working_day(date(2026, 3, 17))  # St Patrick's Day
    assert not NI.is_working_day(date(2026, 7, 13))  # 12 July on a Sunday: the Monday
    assert not NI.is_working_day(date(2027, 7, 12))
    assert EW.is_working_day(date(2027, 7, 12))


def test_foia_calendar_excludes_a_bank_holiday_in_any_part_of_the_uk() -> None:
    for day in (
        date(2026, 3, 17),  # St Patrick's Day (NI)
        date(2027, 7, 12),  # Battle of the Boyne (NI)
        date(2026, 1, 2),  # 2 January (Scotland)
        date(2026, 8, 3),  # first Monday of August (Scotland)
        date(2026, 11, 30),  # St Andrew's Day (Scotland)
        date(2026, 6, 15),  # one-off (Scotland)
        date(2026, 4, 3),  # Good Friday, named in s.10(6)
        date(2026, 12, 25),  # Christmas Day, named in s.10(6)
        date(2026, 4, 6),  # Easter Monday (not Scotland, but England)
    ):
        assert not FOIA.is_working_day(day), day
    named = dict(FOIA.holidays_between(date(2026, 3, 17), date(2026, 3, 17)))
    assert "Northern Ireland" in named[date(2026, 3, 17)]


def test_foisa_calendar_is_scotland_only() -> None:
    assert not FOISA.is_working_day(date(2026, 1, 2))
    assert not FOISA.is_working_day(date(2026, 12, 25))
    assert FOISA.is_working_day(date(2026, 3, 17))
    assert FOISA.is_working_day(date(2026, 4, 6))


def test_closures_stop_the_council_calendar_only() -> None:
    shutdown = Closure(date(2026, 12, 29), date(2026, 12, 31), "Christmas shutdown")
    council = WorkingCalendar.for_region("england-and-wales", closures=[shutdown])
    assert not council.is_working_day(date(2026, 12, 30))
    assert council.add_working_days(date(2026, 12, 24), 1) == date(2027, 1, 4)
    off = council.days_off_between(date(2026, 12, 24), date(2027, 1, 4))
    assert [(o.day, o.name, o.kind) for o in off] == [
        (date(2026, 12, 25), "Christmas Day", "bank holiday"),
        (date(2026, 12, 28), "Boxing Day (observed)", "bank holiday"),
        (date(2026, 12, 29), "Christmas shutdown", "closure"),
        (date(2026, 12, 30), "Christmas shutdown", "closure"),
        (date(2026, 12, 31), "Christmas shutdown", "closure"),
        (date(2027, 1, 1), "New Year's Day", "bank holiday"),
    ]


def test_extra_one_off_holiday_applies_to_its_regions() -> None:
    funeral = ExtraHoliday(date(2026, 11, 20), "State funeral", ("england-and-wales",))
    scottish = ExtraHoliday(date(2026, 11, 19), "Scottish one-off", ("scotland",))
    council = WorkingCalendar.for_region("england-and-wales", [funeral, scottish])
    foia = WorkingCalendar.statutory_foi("foia", [funeral, scottish])
    foisa = WorkingCalendar.statutory_foi("foisa", [funeral, scottish])
    assert not council.is_working_day(date(2026, 11, 20))
    assert council.is_working_day(date(2026, 11, 19))
    assert not foia.is_working_day(date(2026, 11, 19))
    assert not foia.is_working_day(date(2026, 11, 20))
    assert not foisa.is_working_day(date(2026, 11, 19))
    assert foisa.is_working_day(date(2026, 11, 20))
    assert ("2026-11-20", "State funeral") in [
        (d.isoformat(), n)
        for d, n in council.holidays_between(date(2026, 11, 1), date(2026, 11, 30))
    ]


def test_working_days_between_counts_the_half_open_span() -> None:
    assert EW.working_days_between(date(2026, 11, 2), date(2026, 11, 16)) == 10
    assert EW.working_days_between(date(2026, 11, 16), date(2026, 11, 2)) == 0
    assert FOIA.working_days_between(date(2026, 11, 27), date(2026, 12, 1)) == 1


def test_unknown_region_or_regime() -> None:
    with pytest.raises(ValueError, match="unknown region"):
        WorkingCalendar.for_region("wessex")
    with pytest.raises(ValueError, match="unknown FOI regime"):
        WorkingCalendar.statutory_foi("gdpr")


HOURS = WorkingHours(time(9, 0), time(17, 0))
WITH_HOURS = WorkingCalendar.for_region("england-and-wales", hours=HOURS)


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (datetime(2026, 3, 30, 8, 0, tzinfo=UTC), True),  # 09:00 BST
        (datetime(2026, 3, 27, 8, 0, tzinfo=UTC), False),  # 08:00 GMT
        (datetime(2026, 3, 30, 15, 59, 59, tzinfo=UTC), True),  # 16:59:59 BST
        (datetime(2026, 3, 30, 16, 0, tzinfo=UTC), False),  # 17:00 BST
        (datetime(2026, 11, 7, 12, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 8, 31, 12, 0, tzinfo=UTC), False),  # bank holiday
    ],
)
def test_within_working_hours_in_london_time(moment: datetime, inside: bool) -> None:
    assert WITH_HOURS.within_working_hours(moment) is inside


def test_next_working_moment() -> None:
    friday_evening = datetime(2026, 11, 6, 18, 0, tzinfo=UTC)
    assert WITH_HOURS.next_working_moment(friday_evening) == datetime(
        2026, 11, 9, 9, 0, tzinfo=LONDON
    )
    early = datetime(2026, 11, 9, 7, 0, tzinfo=UTC)
    assert WITH_HOURS.next_working_moment(early) == datetime(2026, 11, 9, 9, 0, tzinfo=LONDON)
    inside = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)
    assert WITH_HOURS.next_working_moment(inside) == inside
    with pytest.raises(ValueError, match="no UTC offset"):
        WITH_HOURS.within_working_hours(datetime(2026, 11, 9, 10, 0))
    with pytest.raises(ValueError, match="no working hours"):
        EW.within_working_hours(inside)


# -- the engine against numpy's business-day arithmetic, with the same holiday list --


def _numpy_calendar(cal: WorkingCalendar, first: int, last: int) -> np.busdaycalendar:
    days_off = [d for d, _ in cal.holidays_between(date(first, 1, 1), date(last, 12, 31))]
    return np.busdaycalendar(holidays=np.array(days_off, dtype="datetime64[D]"))


NP_FOIA = _numpy_calendar(FOIA, 2020, 2034)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2021, 1, 1), max_value=date(2031, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_matches_numpy_busday_offset(start: date, n: int) -> None:
    roll = "forward" if n == 0 else "backward"  # day one is strictly after the start
    expected = np.busday_offset(np.datetime64(start, "D"), n, roll=roll, busdaycal=NP_FOIA)
    assert FOIA.add_working_days(start, n) == expected.astype(date)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    n=st.integers(min_value=0, max_value=400),
)
def test_n_plus_one_is_after_n_and_lands_on_a_working_day(start: date, n: int) -> None:
    for cal in (EW, SCOT, NI, FOIA, FOISA):
        due = cal.add_working_days(start, n)
        assert cal.is_working_day(due)
        later = cal.add_working_days(start, n + 1)
        # N = 0 on a day off is the next working day, which is also day one.
        assert later > due if (n or cal.is_working_day(start)) else later == due
        if n:
            assert cal.add_working_days(due, -n) == cal.add_working_days(start, 0) or (
                not cal.is_working_day(start)
            )
            assert cal.working_days_between(start, due) == n


def test_day_by_day_check_of_a_whole_year() -> None:
    """The tables agree with a plain reading of the rules for every day of 2026-27."""
    union = {}
    for sub in ("ENG", "WLS", "SCT", "NIR"):
        union.update(holidays.country_holidays("GB", subdiv=sub, years=[2026, 2027]))
    d = date(2026, 1, 1)
    while d <= date(2027, 12, 31):
        assert FOIA.is_working_day(d) == (d.weekday() < 5 and d not in union), d
        d += timedelta(days=1)


def test_fresh_calendar_shared_by_threads_gives_the_serial_answers() -> None:
    from concurrent.futures import ThreadPoolExecutor

    starts = [date(2020 + (i % 15), 1 + i % 12, 1 + i % 28) for i in range(300)]
    expected = [EW.add_working_days(d, 15) for d in starts]
    shared = WorkingCalendar.for_region("england-and-wales")
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda d: shared.add_working_days(d, 15), starts))
    assert found == expected


def test_years_the_holidays_package_has_no_rules_for_are_refused_not_counted_bare() -> None:
    # A year with no bank holidays at all would silently count Christmas as a working day.
    last = holidays.country_holidays("GB").end_year
    assert not EW.is_working_day(date(last, 12, 25))
    with pytest.raises(CalendarError, match=str(last + 1)):
        EW.is_working_day(date(last + 1, 1, 2))
    with pytest.raises(CalendarError):
        FOIA.add_working_days(date(last, 12, 20), 20)  # would run into the uncovered year
