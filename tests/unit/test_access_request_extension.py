"""The law's date of a subject access request given its two further months (UK GDPR
Article 12(3)): three calendar months from receipt, the month's last day where it has no
such date, the next working day after a weekend or bank holiday; and which EXTEND reasons
take those months (mailbot/access_request.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mailbot.access_request import asks_for_more_months, months_on
from mailbot.workdays import WorkingCalendar

ENGLAND = WorkingCalendar.for_region("england-and-wales")


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 11, 27), 1, date(2026, 12, 27)),
    (date(2026, 11, 27), 3, date(2027, 2, 27)),
    (date(2027, 1, 31), 1, date(2027, 2, 28)),
    (date(2027, 1, 31), 3, date(2027, 4, 30)),  # not 28 April: counted from the 31st
    (date(2026, 10, 31), 3, date(2027, 1, 31)),  # across the year's end
    (date(2027, 11, 30), 3, date(2028, 2, 29)),  # a leap year
])
def test_months_on(day: date, months: int, expected: date) -> None:
    assert months_on(day, months) == expected


def test_three_months_moved_to_a_working_day() -> None:
    received = datetime(2026, 11, 27, 10, tzinfo=UTC)
    # 27 February 2027 is a Saturday.
    assert ENGLAND.next_working_day(months_on(received.date(), 3)) == date(2027, 3, 1)


@pytest.mark.parametrize("reason", [
    "a complex subject access request: records in three archives",
    "Complexity of the request",
    "two further months under Article 12(3)",
    "extending by 2 more months",
    "Art. 12 extension",
    "cais cymhleth",
    "dau fis arall",
])
def test_reasons_that_take_the_months(reason: str) -> None:
    assert asks_for_more_months(reason)


@pytest.mark.parametrize("reason", [
    "waiting for the housing team",
    "the officer is away for two weeks",
    "12 months of records to search",
    "complexion",
])
def test_reasons_that_do_not(reason: str) -> None:
    assert not asks_for_more_months(reason)
