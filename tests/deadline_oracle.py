"""An independent reckoner of due dates, written from DESIGN.md "Response clock", the
seeds and docs/reminders.md, for checking mailbot's dates against.

Nothing here imports mailbot or the `holidays` package: the bank holidays are worked out
from the rules that make them (the Banking and Financial Dealings Act 1971 Schedule 1,
the St Andrew's Day Bank Holiday (Scotland) Act 2007, the yearly royal proclamations
and the substitute-day rule), and every count walks the calendar one day at a time, so
a mistake in mailbot's tables, bisections or data cannot be repeated here. It is slow
on purpose; it covers 2025-2028, the years the tests ask about.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
ONE = timedelta(days=1)
FIRST_YEAR, LAST_YEAR = 2025, 2028
NATIONS = ("england-and-wales", "scotland", "northern-ireland")


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm of Nature, 1876)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    x = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * x) // 451
    month, day = divmod(h + x - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _monday_on_or_after(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7)


def _first_monday(year: int, month: int) -> date:
    return _monday_on_or_after(date(year, month, 1))


def _last_monday(year: int, month: int) -> date:
    last = (date(year + (month == 12), month % 12 + 1, 1)) - ONE
    return last - timedelta(days=last.weekday())


def _with_substitutes(fixed: Sequence[date], movable: Iterable[date]) -> set[date]:
    """Fixed-date holidays on a weekend move to the next weekday that is not already a
    holiday, taken in date order (so Christmas on a Sunday moves past Boxing Day)."""
    taken = {d for d in fixed if d.weekday() < 5} | set(movable)
    for d in sorted(fixed):
        if d.weekday() >= 5:
            s = d
            while s.weekday() >= 5 or s in taken:
                s += ONE
            taken.add(s)
    return taken


# One-off bank holidays proclaimed for a year (gov.uk): Scotland's Monday 15 June 2026
# after the national team's first World Cup match.
PROCLAIMED: dict[str, set[date]] = {
    "scotland": {date(2026, 6, 15)},
    "england-and-wales": set(),
    "northern-ireland": set(),
}


def bank_holidays(nation: str, year: int) -> set[date]:
    """The bank holidays of one nation in one year, from the rules."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the oracle knows {FIRST_YEAR}-{LAST_YEAR}, not {year}")
    easter = easter_sunday(year)
    good_friday, easter_monday = easter - 2 * ONE, easter + ONE
    fixed = [date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)]
    movable = [good_friday, _first_monday(year, 5), _last_monday(year, 5)]
    if nation == "scotland":
        fixed += [date(year, 1, 2), date(year, 11, 30)]
        movable += [_first_monday(year, 8)]
    else:
        movable += [easter_monday, _last_monday(year, 8)]
        if nation == "northern-ireland":
            fixed += [date(year, 3, 17), date(year, 7, 12)]
    proclaimed = {d for d in PROCLAIMED[nation] if d.year == year}
    return _with_substitutes(fixed, movable) | proclaimed


@dataclass(frozen=True)
class Calendar:
    """Which days count: weekdays, less `off` (bank holidays and closure days)."""

    name: str
    off: frozenset[date]

    def working(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.off


def council_calendar(nation: str, closures: Iterable[date] = ()) -> Calendar:
    """Protocol clocks: the council's nation's bank holidays and its closure days."""
    return _council_calendar(nation, frozenset(closures))


@lru_cache
def _council_calendar(nation: str, closures: frozenset[date]) -> Calendar:
    off = {d for y in range(FIRST_YEAR, LAST_YEAR + 1) for d in bank_holidays(nation, y)}
    return Calendar(f"council {nation}", frozenset(off | closures))


@lru_cache
def foi_calendar(nation: str) -> Calendar:
    """FOIA s.10(6): a bank holiday in any part of the UK. FOISA s.73 (a Scottish council):
    Scotland's bank holidays and Christmas Day. Closure days never count as off."""
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    if nation == "scotland":
        off = {d for y in years for d in bank_holidays("scotland", y)}
        off |= {date(y, 12, 25) for y in years}
    else:
        off = {d for n in NATIONS for y in years for d in bank_holidays(n, y)}
    return Calendar(f"FOI {nation}", frozenset(off))


def receipt_day(received: datetime, cutoff: time | None) -> date:
    local = received.astimezone(LONDON)
    if cutoff is not None and local.time() >= cutoff:
        return local.date() + ONE
    return local.date()


def nth_working_day(
    cal: Calendar, start: date, n: int, paused: Iterable[tuple[date, date]] = ()
) -> date:
    """The nth counted day strictly after `start`; n = 0: `start` if it counts, else the
    next. A day counts if it is a working day outside every (first, last) pause."""
    spans = list(paused)

    def counts(d: date) -> bool:
        return cal.working(d) and not any(a <= d <= b for a, b in spans)

    d = start
    if n == 0:
        while not counts(d):
            d += ONE
        return d
    while n:
        d += ONE
        if counts(d):
            n -= 1
    return d


def working_days_after(cal: Calendar, after: date, until: date) -> int:
    """Working days d with after < d <= until: how overdue, or how many are left."""
    count, d = 0, after
    while d < until:
        d += ONE
        count += cal.working(d)
    return count


# -- the five packs, as DESIGN.md's table and the seeds give them ---------------------


@dataclass(frozen=True)
class Rules:
    nation: str
    cutoff: time | None
    ack: dict[str, int]  # by kind; a kind left out has no acknowledgement clock
    response: dict[str, int]  # by kind (not foi), normal priority
    important: dict[str, int] = field(default_factory=dict)  # where the protocol differs


KINDS = ("enquiry", "foi", "complaint", "confidentiality")
_ALL = dict.fromkeys(KINDS)
PACKS = {
    # 000 6.5.8: acknowledged within two working days; substantive response within ten.
    "wiltshire": Rules("england-and-wales", None, {k: 2 for k in _ALL},
                       {"enquiry": 10, "complaint": 10, "confidentiality": 10}),
    # 001 7.6 (7.7: e-mails too): respond within 5 working days; no acknowledgement time.
    "mwda": Rules("england-and-wales", time(17), {},
                  {"enquiry": 5, "complaint": 5, "confidentiality": 5}),
    # 002 16(2): Normal 10, Important 5 (enquiries); the rest local defaults.
    "colchester": Rules("england-and-wales", time(17), {k: 1 for k in _ALL},
                        {"enquiry": 10, "complaint": 10, "confidentiality": 10},
                        {"enquiry": 5}),
    # 003 11.3: complaints acknowledged within three days; else local defaults.
    "hackney": Rules("england-and-wales", None, {**{k: 2 for k in _ALL}, "complaint": 3},
                     {"enquiry": 10, "complaint": 10, "confidentiality": 10}),
    # 004: the Council's target timescales, not stated: local defaults.
    "cardiff": Rules("england-and-wales", None, {k: 2 for k in _ALL},
                     {"enquiry": 10, "complaint": 10, "confidentiality": 10}),
}
FOI_DAYS = 20


@dataclass(frozen=True)
class Pause:
    first: date  # London dates of the pause and the resume, both disregarded
    last: date


def due(
    rules: Rules,
    kind: str,
    priority: str,
    received: datetime,
    clock: str = "response",
    closures: Iterable[date] = (),
    pauses: Sequence[Pause] = (),
) -> date | None:
    """A clock's due date from first principles (None: the pack sets no such clock)."""
    council = council_calendar(rules.nation, closures)
    spans = [(p.first, p.last) for p in pauses]
    if clock == "ack":
        if kind not in rules.ack:
            return None
        return nth_working_day(council, receipt_day(received, rules.cutoff), rules.ack[kind],
                               spans)
    if kind == "foi":  # statutory: its own calendar, the calendar date of receipt
        return nth_working_day(foi_calendar(rules.nation), receipt_day(received, None),
                               FOI_DAYS, spans)
    n = rules.important.get(kind, rules.response[kind]) if priority == "important" else (
        rules.response[kind]
    )
    return nth_working_day(council, receipt_day(received, rules.cutoff), n, spans)


# -- reminders (docs/reminders.md "The schedule") -------------------------------------


@dataclass(frozen=True)
class Schedule:
    before: date | None
    due_day: date | None
    overdue: tuple[date, ...]  # the first few overdue reminders, in order
    escalation: date


def reminder_schedule(
    council: Calendar, response_due: date, days_before: int = 2, on_due_day: bool = True,
    overdue_every: int = 2, escalate_after: int = 2, count: int = 5,
    after_escalation_every: int = 5,
) -> Schedule:
    """Counted in the council's working days. The due-day reminder of a date the office
    is closed goes on its last working day before. After the escalation (overdue reminder
    escalate_after + 1) the officer's go every max(overdue_every, after_escalation_every)."""
    before = None
    if days_before:
        d, left = response_due, days_before
        while left:
            d -= ONE
            left -= council.working(d)
        before = d
    due_day = None
    if on_due_day:
        due_day = response_due
        while not council.working(due_day):
            due_day -= ONE
    escalation = nth_working_day(council, response_due, (escalate_after + 1) * overdue_every)
    overdue = tuple(
        nth_working_day(council, response_due, k * overdue_every)
        if k <= escalate_after + 1 else nth_working_day(
            council, escalation,
            (k - escalate_after - 1) * max(overdue_every, after_escalation_every))
        for k in range(1, count + 1)
    )
    return Schedule(before, due_day, overdue, escalation)
