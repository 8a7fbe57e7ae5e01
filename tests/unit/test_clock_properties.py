"""Properties of the clock that must hold for every pack, kind, priority and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.clock import ClockEvent, case_deadlines, due_dates
from mailbot.model import Kind, Priority
from mailbot.policy import Policy, load_policy
from mailbot.workdays import LONDON

PACKS = [load_policy(name) for name in ("wiltshire", "mwda", "colchester", "hackney", "cardiff")]

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
packs = st.sampled_from(PACKS)
kinds = st.sampled_from(list(Kind))
priorities = st.sampled_from(list(Priority))


def _calendar(policy: Policy, kind: Kind, clock: str):  # type: ignore[no-untyped-def]
    if clock == "response" and kind is Kind.FOI:
        return policy.foi_calendar()
    return policy.council_calendar()


@settings(max_examples=300, deadline=None)
@given(packs, kinds, priorities, moments, st.integers(min_value=0, max_value=10 * 24 * 3600))
def test_a_later_receipt_never_gives_an_earlier_due_date(
    policy: Policy, kind: Kind, priority: Priority, first: datetime, gap_seconds: int
) -> None:
    later = first + timedelta(seconds=gap_seconds)
    a = case_deadlines(policy, kind, priority, first)
    b = case_deadlines(policy, kind, priority, later)
    assert b.response_due >= a.response_due  # type: ignore[operator]
    if a.ack_due is not None:
        assert b.ack_due >= a.ack_due  # type: ignore[operator]


@settings(max_examples=300, deadline=None)
@given(packs, kinds, priorities, moments)
def test_due_dates_are_working_days_and_not_before_receipt(
    policy: Policy, kind: Kind, priority: Priority, received: datetime
) -> None:
    d = case_deadlines(policy, kind, priority, received)
    local_day = received.astimezone(LONDON).date()
    for clock, due in (("ack", d.ack_due), ("response", d.response_due)):
        if due is None:
            continue
        assert _calendar(policy, kind, clock).is_working_day(due)
        assert due >= local_day


@settings(max_examples=200, deadline=None)
@given(packs, kinds, moments, st.integers(min_value=0, max_value=30))
def test_more_days_is_always_later(policy: Policy, kind: Kind, received: datetime, n: int) -> None:
    # A response time is at least 1 working day (an acknowledgement's may be 0).
    longer = load_policy(
        policy.name,
        overrides={
            "response": {k.value: {"normal": n + 2} for k in Kind if k is not Kind.FOI},
            "ack": {k.value: {"days": n + 1, "source": "test"} for k in Kind},
        },
    )
    shorter = load_policy(
        policy.name,
        overrides={
            "response": {k.value: {"normal": n + 1} for k in Kind if k is not Kind.FOI},
            "ack": {k.value: {"days": n, "source": "test"} for k in Kind},
        },
    )
    a = case_deadlines(shorter, kind, Priority.NORMAL, received)
    b = case_deadlines(longer, kind, Priority.NORMAL, received)
    assert b.ack_due >= a.ack_due  # type: ignore[operator]
    if n > 0:  # N = 0 and N = 1 meet when the receipt day is not a working day
        assert b.ack_due > a.ack_due  # type: ignore[operator]
        if kind is not Kind.FOI:
            assert b.response_due > a.response_due  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(
    packs,
    kinds,
    moments,
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=20),
)
def test_a_pause_never_brings_the_due_date_forward(
    policy: Policy, kind: Kind, received: datetime, start_after: int, length: int
) -> None:
    pause_at = received + timedelta(days=start_after)
    events = [
        ClockEvent("response", "pause", pause_at, "officer", "out of office"),
        ClockEvent("response", "resume", pause_at + timedelta(days=length), "officer", "back"),
    ]
    plain = case_deadlines(policy, kind, Priority.NORMAL, received)
    paused = case_deadlines(policy, kind, Priority.NORMAL, received, events)
    assert paused.response_due >= plain.response_due  # type: ignore[operator]
    assert _calendar(policy, kind, "response").is_working_day(paused.response_due)


@settings(max_examples=300, deadline=None)
@given(packs, kinds, priorities, moments)
def test_fast_path_agrees_with_case_deadlines(
    policy: Policy, kind: Kind, priority: Priority, received: datetime
) -> None:
    full = case_deadlines(policy, kind, priority, received)
    assert due_dates(policy, kind, priority, received) == (full.ack_due, full.response_due)
