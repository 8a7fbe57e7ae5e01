"""The kinds of value a pack is written in: a number of working days, a wall-clock time
in London, a calendar day. Each refuses in words what it would otherwise misread (TOML
`true` as one day, 1700 as seconds past midnight, 2206 for 2026)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo

from mailbot.workdays import MAX_YEAR, MIN_YEAR


def not_bool(value: Any, info: ValidationInfo) -> Any:
    """A count of days as TOML writes a number. `true` would otherwise pass as 1 working
    day, and "2" as 2: a council that quoted one number could not tell which others were
    read as it meant, so a number in quotes is refused, showing it unquoted."""
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number of days, not {str(value).lower()}")
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        key = info.field_name or "key"
        raise ValueError(f"must be a number written without quotes, {key} = {int(value)}, "
                         f"not {json.dumps(value)}")
    return value

def only_bool(value: Any, info: ValidationInfo) -> Any:
    """A yes-or-no as TOML writes one. Pydantic would read "true", "no" or 1 as one, so a
    council that quoted one could not tell how the others were read: refused, showing the
    form wanted."""
    if isinstance(value, bool):
        return value
    key = info.field_name or "key"
    word = str(value).strip().lower()
    if isinstance(value, str) and word in _YES | _NO:
        raise ValueError(f"must be true or false written without quotes, {key} = "
                         f"{'true' if word in _YES else 'false'}, not {json.dumps(value)}")
    raise ValueError(f"must be true or false, not {value!r}")


_YES = frozenset({"true", "yes", "on", "1"})
_NO = frozenset({"false", "no", "off", "0"})
Flag = Annotated[bool, BeforeValidator(only_bool)]

# No protocol sets a year or more; a bigger number is a typo that would otherwise fail
# (past the calendar's last year) or mislead on every message, not when the pack is read.
MAX_DAYS = 250
Days = Annotated[int, BeforeValidator(not_bool), Field(ge=0, le=MAX_DAYS)]
PositiveDays = Annotated[int, BeforeValidator(not_bool), Field(ge=1, le=MAX_DAYS)]


_CLOCK_TIME = re.compile(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*")
_WITH_OFFSET = re.compile(r"\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)\s*", re.I)


def _time_text(value: Any) -> Any:
    """A wall-clock time: "9:00" as well as "09:00" (as the council config's [digest] time
    takes it), "17:00:00", or a TOML time. Unquoted, 1700 would be read as seconds past
    midnight UTC, so a number is refused, in words that show the form wanted."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        found = _CLOCK_TIME.fullmatch(value)
        if found is not None:
            hour, minute, second = (int(part or 0) for part in found.groups())
            if hour <= 23 and minute <= 59 and second <= 59:
                return time(hour, minute, second)
        elif _WITH_OFFSET.fullmatch(value):
            raise ValueError(_OFFSET_REFUSED)
    raise ValueError(
        f'must be a time of day such as "09:00" or "17:00" (24-hour clock, London time), '
        f"not {value!r}"
    )

_OFFSET_REFUSED = 'must not have a UTC offset: it is London time, e.g. "17:00"'


def _no_offset(value: time) -> time:
    # An offset would make it unusable beside London times (a TypeError on every use).
    if value.tzinfo is not None:
        raise ValueError(_OFFSET_REFUSED)
    return value

LocalTime = Annotated[time, BeforeValidator(_time_text), AfterValidator(_no_offset)]


def _known_year(value: date) -> date:
    # A date outside the calendar's years is a typo (2206 for 2026): it would stop no clock.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"must be in {MIN_YEAR}-{MAX_YEAR}, not {value.isoformat()}")
    return value

_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")
_ISO_DAYS = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_NUMBERS_DAY = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _day_text(value: Any) -> Any:
    """A calendar day: a TOML date (2026-12-29), or the same in quotes, leading zeros
    optional. "29/12/2026" could be read either way round, and a bare number would be
    taken as seconds since 1970, so anything else is refused in words that show the form,
    and what to write where that is plain (_what_to_write)."""
    if isinstance(value, datetime):  # a TOML date-time: only midnight means the day itself
        if value.tzinfo is None and value.time() == time(0):
            return value.date()
    elif isinstance(value, date):
        return value
    elif isinstance(value, str) and (found := _ISO_DAY.fullmatch(value)):
        try:
            return date(*(int(part) for part in found.groups()))
        except ValueError:
            pass
    hint = _what_to_write(value) if isinstance(value, str) else ""
    raise ValueError(
        f"must be a date written YYYY-MM-DD, such as 2026-12-29, not {value!r}"
        + (f" ({hint})" if hint else "")
    )


def _what_to_write(text: str) -> str:
    """For a day written another way: the YYYY-MM-DD to write where only one reading is a
    date ("24/12/2026": 2026-12-24), both readings where either is ("04/01/2027": 4
    January or 1 April), and start and end for a range written as one value ("2026-12-24
    to 2027-01-01"). "" where nothing is plain."""
    days = _ISO_DAYS.findall(text)
    if len(days) == 2:
        start, end = (_iso_or_same(day) for day in days)
        return f"days in a row are one closure: write start = {start}, end = {end}"
    found = _NUMBERS_DAY.fullmatch(text)
    if found is None:
        return ""
    first, second, year = (int(part) for part in found.groups())
    readings = []
    for day, month in ((first, second), (second, first)):
        try:
            readings.append(date(year, month, day))
        except ValueError:
            continue
    readings = sorted(set(readings), key=lambda d: (d.month != second, d))
    if len(readings) == 1:
        return f"write {readings[0].isoformat()}"
    if len(readings) == 2:
        said = " or ".join(f"{d.day} {_MONTHS[d.month - 1]}" for d in readings)
        written = " or ".join(d.isoformat() for d in readings)
        return f"{said}? write {written}"
    return ""


def _iso_or_same(text: str) -> str:
    """"2027-1-1" as 2027-01-01; a day that does not exist as it was written."""
    try:
        return date(*(int(part) for part in text.split("-"))).isoformat()
    except ValueError:
        return text

Day = Annotated[date, BeforeValidator(_day_text), AfterValidator(_known_year)]
