"""Counting a clock's working days around its pauses, and saying in words which days were
skipped and why: the arithmetic and the wording clock.py's explanation is made of."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from mailbot.workdays import WorkingCalendar


def count_from(
    cal: WorkingCalendar, anchor: date, n: int, pauses: Sequence[tuple[date, date]]
) -> date:
    """The nth working day after `anchor` that is not inside a pause (N = 0 rule kept)."""
    merged = merged_pauses(pauses)
    one = timedelta(days=1)
    if n == 0:
        due = cal.next_working_day(anchor)
        for a, b in merged:
            if a <= due <= b:
                due = cal.next_working_day(b + one)
        return due
    cursor, remaining = anchor, n
    for a, b in merged:
        if b <= cursor:
            continue
        available = cal.working_days_between(cursor, a - one)
        if available >= remaining:
            return cal.add_working_days(cursor, remaining)
        remaining -= available
        cursor = b
    return cal.add_working_days(cursor, remaining)


def merged_pauses(pauses: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for a, b in sorted(pauses):
        if out and a <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def paused_working_days(cal: WorkingCalendar, anchor: date, a: date, b: date) -> int:
    """Working days in [a, b] that the clock would have counted (after `anchor`)."""
    return cal.working_days_between(max(anchor, a - timedelta(days=1)), b)


def skipped_lines(
    cal: WorkingCalendar, anchor: date, due: date, first: str = "Day one"
) -> list[str]:
    if due <= anchor:
        return []
    day_one = cal.add_working_days(anchor, 1)
    lines = [
        f"  {first} is the first working day after {day_text(anchor)}: {day_text(day_one)}."
    ]
    skipped = cal.days_off_between(anchor + timedelta(days=1), due)
    for off in skipped:
        lines.append(f"  Skipped {day_text(off.day)}: {off.name} ({off.kind}).")
    weekend = weekend_days(anchor + timedelta(days=1), due)
    if weekend:
        lines.append(f"  Skipped {weekend} weekend day{'s' if weekend != 1 else ''}.")
    return lines


def why_not_working(cal: WorkingCalendar, day: date) -> str:
    """Why a receipt day is not a working day, as the skipped days are named: ": Good
    Friday (bank holiday)"; a weekend needs no name."""
    off = cal.days_off_between(day, day)
    return f": {off[0].name} ({off[0].kind})" if off else ""


def weekend_days(first: date, last: date) -> int:
    """Saturdays and Sundays in [first, last], by arithmetic."""
    total = last.toordinal() - first.toordinal() + 1
    if total <= 0:
        return 0
    full_weeks, rest = divmod(total, 7)
    start = first.weekday()
    extra = sum(1 for i in range(rest) if (start + i) % 7 >= 5)
    return full_weeks * 2 + extra


def plural(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def day_text(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def when_text(local: datetime) -> str:
    return f"{day_text(local.date())} {local:%H:%M:%S %Z}"
