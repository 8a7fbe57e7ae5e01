"""mailbot's due dates against a second, plain reckoner over the dates councils will meet
next: every hour from 1 December 2026 to 31 December 2028, in each UK nation, with each
shipped pack's numbers, with and without a Christmas shutdown that spans the new year.

The reckoner here is written from DESIGN.md "Response clock" alone: bank holidays come
straight from the `holidays` package (subdivisions ENG, WLS, SCT, NIR), closures from the
list below, and every count walks the calendar one day at a time. tests/deadline_oracle.py
checks the bank holidays themselves (from the rules that make them); this file checks
that mailbot counts with them correctly on every day of two years, where that one
samples the days around known trouble.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import pytest

from mailbot.clock import ClockEvent, case_deadlines, due_dates
from mailbot.model import Kind, Priority
from mailbot.policy import Policy, load_policy

LONDON = ZoneInfo("Europe/London")
ONE = timedelta(days=1)
FIRST, LAST = date(2026, 12, 1), date(2028, 12, 31)
NATIONS = {"england-and-wales": ("ENG", "WLS"), "scotland": ("SCT",), "northern-ireland": ("NIR",)}
PACKS = ("wiltshire", "mwda", "colchester", "hackney", "cardiff")
# Christmas shutdowns that span the new year (and so run into New Year's Day and, in
# Scotland, 2 January and its substitute), plus a single closed day on a Monday.
CLOSURES = [
    {"start": date(2026, 12, 24), "end": date(2027, 1, 5), "name": "Christmas shutdown 2026"},
    {"start": date(2027, 12, 23), "end": date(2028, 1, 4), "name": "Christmas shutdown 2027"},
    {"start": date(2028, 12, 27), "end": date(2029, 1, 2), "name": "Christmas shutdown 2028"},
    {"start": date(2027, 6, 7), "name": "Office move"},
]


def closed_days() -> set[date]:
    days: set[date] = set()
    for c in CLOSURES:
        d, end = c["start"], c.get("end", c["start"])
        while d <= end:
            days.add(d)
            d += ONE
    return days


@cache
def bank_holidays(subdivision: str) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=range(2026, 2031)))


@cache
def days_off(calendar: tuple[str, str, bool]) -> frozenset[date]:
    """calendar = (nation, "council" | "foia" | "foisa", with closures)."""
    nation, which, closed = calendar
    if which == "council":
        off = set().union(*(bank_holidays(s) for s in NATIONS[nation]))
        return frozenset(off | (closed_days() if closed else set()))
    if which == "foia":  # FOIA s.10(6): a bank holiday anywhere in the UK; closures count
        return frozenset().union(*(bank_holidays(s) for s in ("ENG", "WLS", "SCT", "NIR")))
    # FOISA s.73: Scotland's bank holidays and Christmas Day
    return bank_holidays("SCT") | {date(y, 12, 25) for y in range(2026, 2031)}


def working(calendar: tuple[str, str, bool], d: date) -> bool:
    return d.weekday() < 5 and d not in days_off(calendar)


@cache
def nth_working_day(
    calendar: tuple[str, str, bool], receipt: date, n: int, paused: frozenset[date] = frozenset()
) -> date:
    """Day one is the first working day strictly after the receipt day; N is the Nth.
    N = 0: the receipt day if it is a working day, else the next one. Working days in
    `paused` are not counted."""
    d = receipt
    if n == 0:
        while not working(calendar, d) or d in paused:
            d += ONE
        return d
    counted = 0
    while counted < n:
        d += ONE
        if working(calendar, d) and d not in paused:
            counted += 1
    return d


def receipt_day(received: datetime, cutoff: time | None) -> date:
    local = received.astimezone(LONDON)
    if cutoff is not None and local.time() >= cutoff:
        return local.date() + ONE
    return local.date()


@cache
def policy(name: str, nation: str, closed: bool) -> Policy:
    overrides: dict[str, object] = {
        "region": nation,
        "foi_regime": "foisa" if nation == "scotland" else "foia",
    }
    if closed:
        overrides["calendar"] = {"closures": CLOSURES}
    return load_policy(name, overrides=overrides)


def kinds_with_their_own_numbers(p: Policy) -> list[tuple[Kind, Priority]]:
    """One (kind, priority) per distinct pair of numbers in the pack, and FOI always."""
    seen: set[tuple[int | None, int]] = set()
    chosen = [(Kind.FOI, Priority.NORMAL)]
    for kind in (Kind.ENQUIRY, Kind.COMPLAINT, Kind.CONFIDENTIALITY):
        for priority in Priority:
            numbers = (p.ack_days(kind), p.response_days(kind, priority))
            if numbers not in seen:
                seen.add(numbers)
                chosen.append((kind, priority))
    return chosen


def expected(
    p: Policy, nation: str, closed: bool, kind: Kind, priority: Priority, received: datetime
) -> tuple[date | None, date]:
    council = (nation, "council", closed)
    cutoff = p.clock.cutoff
    ack_n = p.ack_days(kind)
    ack = None if ack_n is None else nth_working_day(council, receipt_day(received, cutoff), ack_n)
    if kind == Kind.FOI:
        statutory = (nation, "foisa" if nation == "scotland" else "foia", closed)
        return ack, nth_working_day(statutory, received.astimezone(LONDON).date(), 20)
    return ack, nth_working_day(
        council, receipt_day(received, cutoff), p.response_days(kind, priority)
    )


def receipt_times() -> Iterator[datetime]:
    """Every hour on the hour in UTC (so 23:00 and 00:00 UTC fall either side of London
    midnight in summer), and the London-time edges of each day: 00:00:00, 16:59:59,
    17:00:00 and 23:59:59 local, given in UTC as a mail's Date header often is."""
    d = FIRST
    while d <= LAST:
        start = datetime(d.year, d.month, d.day, tzinfo=UTC)
        for hour in range(24):
            yield start + timedelta(hours=hour)
        for edge in (time(0, 0), time(16, 59, 59), time(17, 0), time(23, 59, 59)):
            yield datetime.combine(d, edge, tzinfo=LONDON).astimezone(UTC)
        d += ONE


RECEIPT_TIMES = tuple(receipt_times())


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closures"])
@pytest.mark.parametrize("nation", list(NATIONS))
def test_every_hour_of_two_years_in_each_nation(nation: str, closed: bool) -> None:
    compared = 0
    wrong: list[str] = []
    for name in PACKS:
        p = policy(name, nation, closed)
        for kind, priority in kinds_with_their_own_numbers(p):
            for received in RECEIPT_TIMES:
                got = due_dates(p, kind, priority, received)
                want = expected(p, nation, closed, kind, priority, received)
                compared += 1
                if got != want and len(wrong) < 10:
                    wrong.append(f"{name} {kind} {priority} {received}: {got} != {want}")
    assert not wrong, "\n".join(wrong)
    assert compared > 100_000


# -- the full clock (case_deadlines, which letters, `mailbot case` and the digest use) on
# -- a day-by-day sample: each day at 10:00 and 23:30 UTC, with pauses and extensions.


def days() -> Iterator[date]:
    d = FIRST
    while d <= LAST:
        yield d
        d += ONE


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=LONDON)


@pytest.mark.parametrize("nation", list(NATIONS))
def test_case_deadlines_match_due_dates_every_day(nation: str) -> None:
    wrong: list[str] = []
    for name in PACKS:
        for closed in (False, True):
            p = policy(name, nation, closed)
            for kind, priority in kinds_with_their_own_numbers(p):
                for d in days():
                    for received in (at(d, 10), at(d, 17)):
                        full = case_deadlines(p, kind, priority, received)
                        quick = due_dates(p, kind, priority, received)
                        if (full.ack_due, full.response_due) != quick and len(wrong) < 10:
                            wrong.append(f"{name} {kind} {received}: {full} != {quick}")
    assert not wrong, "\n".join(wrong)


def pause_days(calendar: tuple[str, str, bool], first: date, last: date) -> frozenset[date]:
    span = (first + ONE * i for i in range((last - first).days + 1))
    return frozenset(d for d in span if working(calendar, d))


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closures"])
@pytest.mark.parametrize("nation", list(NATIONS))
def test_pauses_across_holidays(nation: str, closed: bool) -> None:
    """A pause from working day 2 to working day 2 + k (k = 0..6, both included,
    London-local mid-morning), crossing whatever holidays fall there: the response is
    due N working days after receipt not counting the paused working days."""
    p = policy("wiltshire", nation, closed)  # no cutoff, 10 working days
    council = (nation, "council", closed)
    wrong: list[str] = []
    compared = 0
    for d in days():
        received = at(d, 10)
        start = nth_working_day(council, d, 2)
        for k in range(7):
            end = start + ONE * k
            events = [
                ClockEvent("response", "pause", at(start, 11), "officer", "waiting"),
                ClockEvent("response", "resume", at(end, 12), "officer", "back"),
            ]
            got = case_deadlines(p, Kind.ENQUIRY, Priority.NORMAL, received, events).response_due
            want = nth_working_day(council, d, 10, pause_days(council, start, end))
            compared += 1
            if got != want and len(wrong) < 10:
                wrong.append(f"{nation} received {received} pause {start}..{end}: {got} != {want}")
    assert not wrong, "\n".join(wrong)
    assert compared > 5000


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closures"])
@pytest.mark.parametrize("nation", list(NATIONS))
def test_extensions_across_holidays(nation: str, closed: bool) -> None:
    """EXTEND n: n more working days after the current due date. EXTEND to a date: that
    date, or the next working day if it is not one."""
    p = policy("colchester", nation, closed)  # cutoff 17:00, 10 working days
    council = (nation, "council", closed)
    wrong: list[str] = []
    for d in days():
        received = at(d, 9)
        due = nth_working_day(council, d, 10)
        when = at(nth_working_day(council, d, 3), 10)
        for more in (1, 5, 15):
            ev = [ClockEvent("response", "extend", when, "officer", "agreed", days=more)]
            got = case_deadlines(p, Kind.ENQUIRY, Priority.NORMAL, received, ev).response_due
            want = nth_working_day(council, due, more)
            if got != want and len(wrong) < 10:
                wrong.append(f"{nation} {received} EXTEND {more}: {got} != {want}")
        agreed = due + ONE * 7
        ev = [ClockEvent("response", "extend", when, "officer", "agreed", new_due=agreed)]
        got = case_deadlines(p, Kind.ENQUIRY, Priority.NORMAL, received, ev).response_due
        want = nth_working_day(council, agreed, 0)
        if got != want and len(wrong) < 10:
            wrong.append(f"{nation} {received} EXTEND to {agreed}: {got} != {want}")
    assert not wrong, "\n".join(wrong)


# -- proclaimed and moved bank holidays (`extra_holidays`, `cancelled_holidays`)

EXTRA = [
    {"date": date(2027, 5, 10), "name": "State funeral"},  # the council's own region
    {"date": date(2027, 9, 3), "name": "Late Summer bank holiday (moved)",
     "regions": ["england-and-wales", "northern-ireland"]},
    {"date": date(2028, 6, 5), "name": "Scottish one-off", "regions": ["scotland"]},
]
CANCELLED = [
    {"date": date(2027, 8, 30), "name": "moved to 3 September",
     "regions": ["england-and-wales", "northern-ireland"]},
    {"date": date(2028, 1, 4), "name": "moved", "regions": ["scotland"]},
]


def _dates(rows: list[dict[str, object]], nation: str, council_nation: str) -> set[date]:
    return {
        r["date"] for r in rows  # type: ignore[misc]
        if nation in r.get("regions", [council_nation])  # type: ignore[operator]
    }


def proclaimed_days_off(council_nation: str, which: str) -> set[date]:
    def nation_off(n: str) -> set[date]:
        bank = set().union(*(bank_holidays(s) for s in NATIONS[n]))
        return (bank | _dates(EXTRA, n, council_nation)) - _dates(CANCELLED, n, council_nation)

    if which == "council":
        return nation_off(council_nation)
    if which == "foia":
        return set().union(*(nation_off(n) for n in NATIONS))
    return nation_off("scotland") | {date(y, 12, 25) for y in range(2026, 2031)}


@pytest.mark.parametrize("nation", list(NATIONS))
def test_proclaimed_and_moved_bank_holidays_every_day(nation: str) -> None:
    """A one-off holiday in the council's region moves both clocks, one elsewhere only the
    FOIA date; a moved holiday's old date counts again where it was cancelled, and stays
    off the FOIA calendar while it is a bank holiday elsewhere (docs/deadlines.md)."""
    regime = "foisa" if nation == "scotland" else "foia"
    p = load_policy("wiltshire", overrides={
        "region": nation, "foi_regime": regime,
        "calendar": {"extra_holidays": EXTRA, "cancelled_holidays": CANCELLED},
    })
    council_off = proclaimed_days_off(nation, "council")
    statutory_off = proclaimed_days_off(nation, regime)
    wrong: list[str] = []
    for d in days():
        received = at(d, 10)
        want = (_walk(council_off, d, 10), _walk(statutory_off, d, 20))
        got = (due_dates(p, Kind.ENQUIRY, Priority.NORMAL, received)[1],
               due_dates(p, Kind.FOI, Priority.NORMAL, received)[1])
        if got != want and len(wrong) < 10:
            wrong.append(f"{nation} {d}: {got} != {want}")
    assert not wrong, "\n".join(wrong)


def _walk(off: set[date], receipt: date, n: int) -> date:
    d, counted = receipt, 0
    while counted < n:
        d += ONE
        if d.weekday() < 5 and d not in off:
            counted += 1
    return d


@pytest.mark.parametrize("nation", list(NATIONS))
@pytest.mark.parametrize("name", ["wiltshire", "colchester"])  # without and with a cutoff
def test_an_acknowledgement_due_the_same_day_every_hour(name: str, nation: str) -> None:
    """`days = 0`: the receipt day if it is a working day (after the cutoff, the next
    day), else the next working day; over closures spanning the new year too."""
    p = load_policy(name, overrides={
        "region": nation, "foi_regime": "foisa" if nation == "scotland" else "foia",
        "ack": {"enquiry": {"days": 0, "source": "local default"}},
        "calendar": {"closures": CLOSURES},
    })
    wrong: list[str] = []
    for received in RECEIPT_TIMES:
        got = due_dates(p, Kind.ENQUIRY, Priority.NORMAL, received)[0]
        want = nth_working_day((nation, "council", True), receipt_day(received, p.clock.cutoff), 0)
        if got != want and len(wrong) < 10:
            wrong.append(f"{name} {nation} {received}: {got} != {want}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closures"])
@pytest.mark.parametrize("nation", list(NATIONS))
def test_a_pause_after_an_extension_pushes_the_agreed_date_on(nation: str, closed: bool) -> None:
    """EXTEND to an agreed date on working day 3, then PAUSE on working day 5 and RESUME
    k working days later: the agreed date moves on by the paused working days."""
    p = policy("wiltshire", nation, closed)
    council = (nation, "council", closed)
    wrong: list[str] = []
    for d in days():
        received = at(d, 10)
        given = nth_working_day(council, d, 3)
        agreed = nth_working_day(council, nth_working_day(council, d, 10) + ONE * 7, 0)
        left = sum(working(council, given + ONE * i) for i in range(1, (agreed - given).days + 1))
        start = nth_working_day(council, d, 5)
        for k in (0, 3):
            end = nth_working_day(council, start, k)
            events = [
                ClockEvent("response", "extend", at(given, 10), "officer", "agreed",
                           new_due=agreed),
                ClockEvent("response", "pause", at(start, 11), "officer", "waiting"),
                ClockEvent("response", "resume", at(end, 12), "officer", "back"),
            ]
            got = case_deadlines(p, Kind.ENQUIRY, Priority.NORMAL, received, events).response_due
            want = nth_working_day(council, given, left, pause_days(council, start, end))
            if got != want and len(wrong) < 10:
                wrong.append(f"{nation} {d} agreed {agreed} pause {start}..{end}: {got} != {want}")
    assert not wrong, "\n".join(wrong)
