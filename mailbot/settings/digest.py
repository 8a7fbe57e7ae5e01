"""[digest]: when the weekly digest goes and to whom; and parse_time_of_day, which reads
a wall-clock time in Europe/London and refuses what it would have to guess at."""

from __future__ import annotations

import re
from datetime import time as dt_time
from typing import Literal

from pydantic import Field, field_validator, model_validator

from mailbot.settings.sections import Section

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class DigestSettings(Section):
    """The weekly digest (docs/digest.md): when it goes (Europe/London) and to whom."""

    enabled: bool = True
    day: Weekday = "monday"
    time: dt_time = dt_time(8, 0)
    recipients: list[str] = []  # who gets the whole-council digest
    managers: bool = True  # one digest per manager in officers.csv, for their team
    list_limit: int = Field(default=50, ge=1)  # cases listed per table; the rest counted

    @field_validator("time", mode="before")
    @classmethod
    def _time_of_day(cls, value: object) -> dt_time:
        return parse_time_of_day(value)

    @model_validator(mode="after")
    def _addresses(self) -> DigestSettings:
        for address in self.recipients:
            if "@" not in address or " " in address.strip():
                raise ValueError(f"recipients: {address!r} is not an email address")
        self.recipients = [a.strip().lower() for a in self.recipients]
        return self


_CLOCK_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def parse_time_of_day(value: object) -> dt_time:
    """A wall-clock time in Europe/London: "9:00", "09:00", or a TOML time such as 09:00:00.

    A number (pydantic would read 9 as nine seconds past midnight) or a time with an
    offset (London's offset changes twice a year) is refused rather than guessed at.
    """
    if isinstance(value, dt_time):
        if value.tzinfo is not None:
            raise ValueError(f"{value.isoformat()!r} has a UTC offset; {_TIME_HINT}")
        return value
    found = _CLOCK_TIME.match(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"{value!r} is not a time of day; {_TIME_HINT}")
    hour, minute, second = (int(part or 0) for part in found.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{value!r} is not a time of day; {_TIME_HINT}")
    return dt_time(hour, minute, second)


_TIME_HINT = 'write it as "HH:MM" on the 24-hour clock, UK time, e.g. "08:00"'
