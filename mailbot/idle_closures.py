"""Closures and one-off holidays in the pack's calendar that move no date (they fall on
days off already): most likely a mistyped date, said by `check-config`."""

from __future__ import annotations

from datetime import date, timedelta

from mailbot.config_explain import key_path
from mailbot.policy import Policy
from mailbot.workdays import is_bank_holiday


def idle_calendar_days(policy: Policy) -> list[str]:
    """Closures and one-off holidays that fall only on days off already: they move no
    date, so the date was most likely mistyped (Saturday the 26th for Tuesday the 29th)."""
    found = []
    for i, closure in enumerate(policy.closures()):
        days = [closure.start + timedelta(days=n)
                for n in range((closure.end - closure.start).days + 1)]
        if all(_day_off(day, policy.region) for day in days):
            span = _day(closure.start) + ("" if closure.end == closure.start
                                          else f" to {_day(closure.end)}")
            found.append(f"{key_path(('calendar', 'closures', i))}: {span} "
                         f"{'is' if len(days) == 1 else 'are'} a weekend day or bank holiday "
                         "already, so this closure moves no date; check the date")
    for i, holiday in enumerate(policy.calendar.extra_holidays):
        if holiday.date.weekday() >= 5:
            found.append(f"{key_path(('calendar', 'extra_holidays', i))}: {_day(holiday.date)} "
                         "is a weekend "
                         "day, so this holiday moves no date; check the date")
    return found


def _day_off(day: date, region: str) -> bool:
    return day.weekday() >= 5 or is_bank_holiday(day, region)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"
