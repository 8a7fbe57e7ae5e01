"""Every date mailbot gives, checked against a reckoner that has never seen its code.

tests/deadline_oracle.py works the dates out again from DESIGN.md "Response clock", the
seeds (through DESIGN.md's pack table) and docs/reminders.md, with bank holidays of its
own from the rules that make them, walking the calendar a day at a time. Here the two are
compared over all five shipped packs, the three UK nations, every kind and priority, and
receipt times at every hour (23:59:59 and 00:00 included) around the dates where counting
goes wrong: the clock changes (25 Oct 2026, 28 Mar 2027), Christmas and New Year 2026-27,
St Andrew's Day, St Patrick's Day, 12 July, a council's closure days; and across pauses,
extensions, restarts, the reminder schedule and "N working days overdue".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache

import deadline_oracle as oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.clock import ClockEvent, case_deadlines, due_dates
from mailbot.model import Kind, Priority
from mailbot.policy import Policy, load_policy
from mailbot.reminders import escalation_day, schedule

LONDON = oracle.LONDON
PACK_NAMES = tuple(oracle.PACKS)
# A council's closure days: the Christmas shutdown, a training day the Friday after
# St Andrew's Day week began, and the eve of St Patrick's Day.
CLOSED = (
    date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31), date(2026, 11, 27),
    date(2027, 3, 16),
)
CLOSURES = [
    {"start": date(2026, 12, 29), "end": date(2026, 12, 31), "name": "Christmas shutdown"},
    {"start": date(2026, 11, 27), "name": "Staff training day"},
    {"start": date(2027, 3, 16), "name": "Office move"},
]


@cache
def policy(name: str, nation: str = "england-and-wales", closed: bool = False) -> Policy:
    """A shipped pack as a council in `nation` would run it (a Scottish council answers
    FOI under FOISA), with or without closure days."""
    overrides: dict[str, object] = {
        "region": nation,
        "foi_regime": "foisa" if nation == "scotland" else "foia",
    }
    if closed:
        overrides["calendar"] = {"closures": CLOSURES}
    return load_policy(name, overrides=overrides)


def rules(name: str, nation: str = "england-and-wales") -> oracle.Rules:
    return replace(oracle.PACKS[name], nation=nation)


def expected(
    name: str, nation: str, closed: bool, kind: str, priority: str, received: datetime,
    pauses: tuple[oracle.Pause, ...] = (),
) -> tuple[date | None, date | None]:
    closures = CLOSED if closed else ()
    r = rules(name, nation)
    return (
        oracle.due(r, kind, priority, received, "ack", closures, pauses),
        oracle.due(r, kind, priority, received, "response", closures, pauses),
    )


def london(d: date, h: int, m: int = 0, s: int = 0) -> datetime:
    return datetime.combine(d, time(h, m, s), tzinfo=LONDON)


# -- the oracle itself, against the published lists -----------------------------------

# gov.uk's bank holiday lists (weekdays), typed from the published pages, 2026 and 2027.
PUBLISHED = {
    "england-and-wales": "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 "
    "2026-12-25 2026-12-28 2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 "
    "2027-08-30 2027-12-27 2027-12-28",
    "scotland": "2026-01-01 2026-01-02 2026-04-03 2026-05-04 2026-05-25 2026-06-15 "
    "2026-08-03 2026-11-30 2026-12-25 2026-12-28 2027-01-01 2027-01-04 2027-03-26 "
    "2027-05-03 2027-05-31 2027-08-02 2027-11-30 2027-12-27 2027-12-28",
    "northern-ireland": "2026-01-01 2026-03-17 2026-04-03 2026-04-06 2026-05-04 2026-05-25 "
    "2026-07-13 2026-08-31 2026-12-25 2026-12-28 2027-01-01 2027-03-17 2027-03-26 "
    "2027-03-29 2027-05-03 2027-05-31 2027-07-12 2027-08-30 2027-12-27 2027-12-28",
}


@pytest.mark.parametrize("nation", oracle.NATIONS)
def test_the_oracles_bank_holidays_are_the_published_ones(nation: str) -> None:
    worked_out = oracle.bank_holidays(nation, 2026) | oracle.bank_holidays(nation, 2027)
    assert sorted(d.isoformat() for d in worked_out) == PUBLISHED[nation].split()


@pytest.mark.parametrize("name", PACK_NAMES)
def test_the_shipped_packs_carry_the_design_tables_numbers(name: str) -> None:
    p, r = policy(name), rules(name)
    assert p.clock.cutoff == r.cutoff
    for kind in oracle.KINDS:
        assert p.ack_days(Kind(kind)) == r.ack.get(kind), kind
        if kind != "foi":
            assert p.response_days(Kind(kind), Priority.NORMAL) == r.response[kind], kind
            important = r.important.get(kind, r.response[kind])
            assert p.response_days(Kind(kind), Priority.IMPORTANT) == important, kind


# -- receipt at any moment -------------------------------------------------------------

EDGES = (time(0, 0), time(0, 0, 1), time(8, 59, 59), time(16, 59, 59), time(17, 0),
         time(23, 0), time(23, 59, 59))


def _every_hour(first: date, days: int) -> list[datetime]:
    """Each hour on the hour and at 59:59 in UTC, plus London's own edges of each day."""
    start = datetime.combine(first, time(0), tzinfo=UTC)
    found = [start + timedelta(hours=h, seconds=s) for h in range(24 * days) for s in (0, 3599)]
    found += [london(first + timedelta(days=d), e.hour, e.minute, e.second)
              for d in range(days) for e in EDGES]
    return found


WINDOWS = {
    # Clocks go back at 02:00 BST on Sun 25 Oct 2026: 23:30 UTC on Sat is Sunday in London.
    "autumn clock change": (date(2026, 10, 23), 4),
    # Clocks go forward at 01:00 GMT on Sun 28 Mar 2027, between Good Friday (26 Mar) and
    # Easter Monday (29 Mar).
    "spring clock change": (date(2027, 3, 25), 6),
    "Christmas and New Year": (date(2026, 12, 23), 13),
    "St Andrew's Day": (date(2026, 11, 26), 5),
    "St Patrick's Day": (date(2027, 3, 15), 3),
    "12 July": (date(2027, 7, 9), 4),
    "12 July on a Sunday, Monday 13 in its place": (date(2026, 7, 10), 4),
    "Scotland's one-off 15 June 2026": (date(2026, 6, 12), 4),
    "2 January 2027 on a Saturday": (date(2026, 12, 31), 5),
    "summer midnight": (date(2026, 7, 1), 3),
}
NATION_CASES = [(name, "england-and-wales", False) for name in PACK_NAMES] + [
    ("colchester", "scotland", True),  # a cutoff, closures, FOISA
    ("wiltshire", "scotland", False),
    ("mwda", "northern-ireland", True),
    ("hackney", "northern-ireland", False),
    ("cardiff", "england-and-wales", True),
]
COMBINATIONS = [(k, "normal") for k in oracle.KINDS] + [("enquiry", "important")]


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize(("name", "nation", "closed"), NATION_CASES)
def test_every_hour_around_the_hard_dates_agrees_with_the_oracle(
    window: str, name: str, nation: str, closed: bool
) -> None:
    p = policy(name, nation, closed)
    first, days = WINDOWS[window]
    wrong: list[object] = []
    for received in _every_hour(first, days):
        for kind, priority in COMBINATIONS:
            got = due_dates(p, Kind(kind), Priority(priority), received)
            want = expected(name, nation, closed, kind, priority, received)
            if got != want:
                wrong.append((received.isoformat(), kind, priority, got, want))
    assert not wrong, wrong[:5]


moments = st.builds(
    lambda day, seconds, offset_minutes: (
        datetime.combine(day, time(0), tzinfo=LONDON) + timedelta(seconds=seconds)
    ).astimezone(timezone(timedelta(minutes=offset_minutes))),
    st.dates(date(2025, 6, 1), date(2028, 5, 31)),
    st.one_of(
        st.sampled_from([e.hour * 3600 + e.minute * 60 + e.second for e in EDGES]),
        st.integers(0, 24 * 3600 - 1),
    ),
    # A Date header's own offset: UTC, London's, or anywhere's.
    st.sampled_from([0, 0, 60, -300, 330, 600, -720]),
)
councils = st.sampled_from(
    [(n, nation, closed) for n in PACK_NAMES for nation in oracle.NATIONS
     for closed in (False, True)]
)


@settings(max_examples=400, deadline=None)
@given(councils, st.sampled_from(oracle.KINDS), st.sampled_from(["normal", "important"]),
       moments)
def test_any_receipt_time_agrees_with_the_oracle(
    council: tuple[str, str, bool], kind: str, priority: str, received: datetime
) -> None:
    name, nation, closed = council
    got = case_deadlines(policy(name, nation, closed), Kind(kind), Priority(priority), received)
    assert (got.ack_due, got.response_due) == expected(
        name, nation, closed, kind, priority, received
    )


# -- clock events ------------------------------------------------------------------------

def _event(action: str, at: datetime, clock: str = "response", **more: object) -> ClockEvent:
    return ClockEvent(clock, action, at, "officer@council.gov.uk", "test", **more)  # type: ignore[arg-type]


def _day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def test_a_pause_from_friday_to_monday_disregards_both_days_and_the_weekend() -> None:
    # Wiltshire enquiry received Mon 23 Nov 2026: due Mon 7 Dec. Paused Fri 27 Nov at
    # 15:00, resumed Mon 30 Nov at 10:00: Fri and Mon are not counted, so Wed 9 Dec.
    received = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    pause, resume = datetime(2026, 11, 27, 15, tzinfo=UTC), datetime(2026, 11, 30, 10, tzinfo=UTC)
    got = case_deadlines(policy("wiltshire"), Kind.ENQUIRY, Priority.NORMAL, received,
                         [_event("pause", pause), _event("resume", resume)])
    assert str(got.response_due) == "2026-12-09"
    assert got.response_due == expected(
        "wiltshire", "england-and-wales", False, "enquiry", "normal", received,
        (oracle.Pause(_day(pause), _day(resume)),),
    )[1]


@settings(max_examples=300, deadline=None)
@given(
    councils, st.sampled_from(oracle.KINDS), moments,
    st.lists(st.tuples(st.sampled_from(["ack", "response"]), st.integers(0, 14 * 24 * 60),
                       st.integers(0, 9 * 24 * 60)), min_size=1, max_size=3),
)
def test_pauses_agree_with_the_oracle(
    council: tuple[str, str, bool], kind: str, received: datetime,
    gaps: list[tuple[str, int, int]],
) -> None:
    name, nation, closed = council
    events, spans = [], {"ack": [], "response": []}  # type: ignore[var-annotated]
    at = received
    for clock, before, length in gaps:
        paused = at + timedelta(minutes=before)
        resumed = paused + timedelta(minutes=length)
        events += [_event("pause", paused, clock), _event("resume", resumed, clock)]
        spans[clock].append(oracle.Pause(_day(paused), _day(resumed)))
        at = resumed + timedelta(minutes=1)
    got = case_deadlines(policy(name, nation, closed), Kind(kind), Priority.NORMAL, received,
                         events)
    closures = CLOSED if closed else ()
    r = rules(name, nation)
    assert got.ack_due == oracle.due(r, kind, "normal", received, "ack", closures,
                                     spans["ack"])
    assert got.response_due == oracle.due(r, kind, "normal", received, "response", closures,
                                          spans["response"])


@settings(max_examples=300, deadline=None)
@given(
    councils, st.sampled_from(["enquiry", "complaint", "confidentiality"]), moments,
    st.integers(0, 20 * 24 * 60), st.one_of(st.integers(1, 15), st.integers(-3, 30).map(str)),
    st.one_of(st.none(), st.tuples(st.integers(1, 15 * 24 * 60), st.integers(0, 8 * 24 * 60))),
)
def test_an_extension_then_a_pause_agree_with_the_oracle(
    council: tuple[str, str, bool], kind: str, received: datetime, after: int,
    extension: int | str, pause: tuple[int, int] | None,
) -> None:
    """EXTEND n: n working days after the current date; EXTEND to a date: that date, or the
    next working day. A pause after it pushes the agreed date on by the days it held."""
    name, nation, closed = council
    cal = oracle.council_calendar(nation, CLOSED if closed else ())
    current = expected(name, nation, closed, kind, "normal", received)[1]
    assert current is not None
    given_at = received + timedelta(minutes=after)
    given_on = _day(given_at)
    if isinstance(extension, int):
        events = [_event("extend", given_at, days=extension)]
        target = oracle.nth_working_day(cal, current, extension)
    else:
        asked = given_on + timedelta(days=int(extension))
        events = [_event("extend", given_at, new_due=asked)]
        target = oracle.nth_working_day(cal, asked, 0)
    want = target
    if pause is not None:
        paused = given_at + timedelta(minutes=pause[0])
        resumed = paused + timedelta(minutes=pause[1])
        events += [_event("pause", paused), _event("resume", resumed)]
        held = [(_day(paused), _day(resumed))]
        if target > given_on:  # the working days still to run when it was agreed
            left = oracle.working_days_after(cal, given_on, target)
            want = oracle.nth_working_day(cal, given_on, left, held)
        else:
            want = oracle.nth_working_day(cal, target, 0, held)
    got = case_deadlines(policy(name, nation, closed), Kind(kind), Priority.NORMAL, received,
                         events)
    assert got.response_due == want


@settings(max_examples=200, deadline=None)
@given(councils, st.sampled_from(oracle.KINDS), moments, st.integers(0, 30 * 24 * 60))
def test_a_restart_counts_afresh_from_its_own_day(
    council: tuple[str, str, bool], kind: str, received: datetime, after: int
) -> None:
    """FOIA s.1(3): the answer to a clarification starts a fresh 20 working days from the
    date it is received (the calendar date, no cutoff); a protocol clock restarted when
    the member writes again counts as a new message would, cutoff included."""
    name, nation, closed = council
    restarted = received + timedelta(minutes=after)
    events = [_event("pause", received), _event("restart", restarted)]
    got = case_deadlines(policy(name, nation, closed), Kind(kind), Priority.NORMAL, received,
                         events)
    r = rules(name, nation)
    assert got.response_due == oracle.due(r, kind, "normal", restarted, "response",
                                          CLOSED if closed else ())


# -- reminders and overdue counts ---------------------------------------------------------

@pytest.mark.parametrize(("name", "nation", "closed"), NATION_CASES)
def test_reminder_and_escalation_dates_agree_with_the_oracle(
    name: str, nation: str, closed: bool
) -> None:
    p = policy(name, nation, closed)
    council = p.council_calendar()
    own = oracle.council_calendar(nation, CLOSED if closed else ())
    statutory = oracle.foi_calendar(nation)
    r = p.reminders
    wrong: list[object] = []
    day = date(2026, 10, 1)
    while day < date(2027, 8, 1):
        for kind, cal in (("enquiry", own), ("foi", statutory)):
            if not cal.working(day):
                continue  # never a due date on this clock
            want = oracle.reminder_schedule(own, day, r.days_before, r.on_due_day,
                                            r.overdue_every, r.escalate_after,
                                            after_escalation_every=r.overdue_every_after_escalation)
            steps = schedule(r, council, day, day + timedelta(days=60))
            got = oracle.Schedule(
                next(s.on for s in steps if s.kind == "before"),
                next(s.on for s in steps if s.kind == "due"),
                tuple(s.on for s in steps if s.kind in ("overdue", "escalation"))[:5],
                next(s.on for s in steps if s.kind == "escalation"),
            )
            if got != want or escalation_day(r, council, day) != want.escalation:
                wrong.append((kind, day, got, want))
            counted = p.response_calendar(Kind(kind))
            for today in (day + timedelta(days=k) for k in range(-9, 25, 2)):
                if counted.working_days_between(day, today) != oracle.working_days_after(
                    cal, day, today
                ) or counted.working_days_between(today, day) != oracle.working_days_after(
                    cal, today, day
                ):
                    wrong.append((kind, day, "count on", today))
        day += timedelta(days=1)
    assert not wrong, wrong[:5]
