"""Response due dates for 200,000 random rows: mailbot's engine against numpy.busday_offset.

Both sides get the same rows (an aware receipt time, a pack, a kind, a priority), use the
same holiday list (numpy's busdaycalendar is built from the engine's days off), and must
produce the same dates; the run stops if a single date differs.

numpy knows nothing of Europe/London, cutoffs or which calendar a kind uses, so its side
does that receipt-day step in plain Python, as any caller of numpy would, and then calls
busday_offset (roll "backward" with n >= 1 so that day one is the first working day after
the receipt day; "forward" with n = 0). It is measured twice: one scalar call per row,
and vectorised (one call per calendar over all its rows), its best case.

    .venv/bin/python bench/bench_deadlines.py [--rows N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from mailbot.clock import due_dates
from mailbot.model import Kind, Priority
from mailbot.policy import Policy, load_policy
from mailbot.workdays import LONDON, WorkingCalendar

PACKS = ("wiltshire", "mwda", "colchester", "hackney", "cardiff")
FIRST, LAST = datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 12, 31, tzinfo=UTC)
Row = tuple[datetime, Policy, Kind, Priority]
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # datetime64[D] counts days from here


def make_rows(count: int, seed: int) -> list[Row]:
    rng = random.Random(seed)
    policies = [load_policy(name) for name in PACKS]
    span = int((LAST - FIRST).total_seconds())
    return [
        (
            FIRST + timedelta(seconds=rng.randrange(span)),
            rng.choice(policies),
            rng.choice(list(Kind)),
            rng.choice(list(Priority)),
        )
        for _ in range(count)
    ]


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[Any, float]:
    """The result and the best of `repeat` wall-clock timings (the machine is shared)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


# -- the engine ------------------------------------------------------------------------


def engine(rows: Sequence[Row]) -> list[date]:
    return [due_dates(policy, kind, prio, received)[1] for received, policy, kind, prio in rows]


# -- numpy -----------------------------------------------------------------------------


def numpy_calendar(cal: WorkingCalendar) -> np.busdaycalendar:
    """numpy's calendar with exactly the engine's days off for the years in play."""
    off = [
        d for d, _ in cal.holidays_between(date(FIRST.year - 1, 1, 1), date(LAST.year + 2, 12, 31))
    ]
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(off, dtype="datetime64[D]"))


def receipt_step(
    received: datetime, policy: Policy, kind: Kind, prio: Priority
) -> tuple[date, int, WorkingCalendar]:
    """What numpy cannot do: London time, the cutoff, the kind's calendar and N."""
    local = received.astimezone(LONDON)
    if kind is Kind.FOI:
        return local.date(), policy.response_days(kind, prio), policy.foi_calendar()
    cutoff = policy.clock.cutoff
    day = local.date()
    if cutoff is not None and local.time() >= cutoff:
        day += timedelta(days=1)
    return day, policy.response_days(kind, prio), policy.council_calendar()


def numpy_per_row(rows: Sequence[Row], cals: dict[int, np.busdaycalendar]) -> list[date]:
    out = []
    offset = np.busday_offset
    for received, policy, kind, prio in rows:
        day, n, cal = receipt_step(received, policy, kind, prio)
        due = offset(
            np.datetime64(day, "D"), n, roll="backward" if n else "forward", busdaycal=cals[id(cal)]
        )
        out.append(due.astype(date))
    return out


def numpy_vectorised(rows: Sequence[Row], cals: dict[int, np.busdaycalendar]) -> np.ndarray:
    """One Python pass for the receipt-day step into plain lists, then one busday_offset
    call per calendar: as fast as a numpy caller can make it."""
    starts: list[int] = []
    ns: list[int] = []
    keys: list[int] = []
    for received, policy, kind, prio in rows:
        day, n, cal = receipt_step(received, policy, kind, prio)
        starts.append(day.toordinal() - EPOCH_ORDINAL)
        ns.append(n)
        keys.append(id(cal))
    days = np.array(starts, dtype=np.int64).astype("datetime64[D]")
    n_arr = np.array(ns, dtype=np.int64)
    key_arr = np.array(keys, dtype=np.int64)
    due = np.empty(len(rows), dtype="datetime64[D]")
    for key, npcal in cals.items():
        idx = np.flatnonzero(key_arr == key)
        if not idx.size:
            continue
        group_n = n_arr[idx]
        d = np.busday_offset(days[idx], group_n, roll="backward", busdaycal=npcal)
        zero = group_n == 0  # none in the packs; kept so the rule is right anyway
        if zero.any():
            d[zero] = np.busday_offset(days[idx][zero], 0, roll="forward", busdaycal=npcal)
        due[idx] = d
    return due


# -- date arithmetic alone (receipt day and N given) -----------------------------------


def arithmetic_only(cal: WorkingCalendar, npcal: np.busdaycalendar, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    lo, hi = date(FIRST.year, 1, 1).toordinal(), date(LAST.year, 12, 31).toordinal()
    starts = rng.integers(lo, hi, size=count)
    ns = rng.integers(1, 21, size=count)
    start_dates = [date.fromordinal(int(o)) for o in starts]
    n_list = [int(n) for n in ns]
    add = cal.add_working_days

    per_row, t_row = timed(lambda: [add(d, n) for d, n in zip(start_dates, n_list, strict=True)])
    table = np.array(cal.working_ordinals(FIRST.year - 1, LAST.year + 2))
    vec, t_vec = timed(lambda: table[np.searchsorted(table, starts, side="right") + ns - 1])
    np_days = np.array(start_dates, dtype="datetime64[D]")
    ref, t_np = timed(lambda: np.busday_offset(np_days, ns, roll="backward", busdaycal=npcal))
    assert [d.toordinal() for d in per_row] == (ref.astype(np.int64) + EPOCH_ORDINAL).tolist()
    assert vec.tolist() == (ref.astype(np.int64) + EPOCH_ORDINAL).tolist()
    print("date arithmetic only (receipt day and N given, one calendar):")
    print(f"  engine add_working_days, per row      {count / t_row:>14,.0f} rows/s")
    print(f"  engine ordinal table + np.searchsorted {count / t_vec:>13,.0f} rows/s")
    print(f"  numpy.busday_offset, vectorised       {count / t_np:>14,.0f} rows/s")
    print(f"  ratio per-row engine / numpy          {t_np / t_row:>14.3f}")
    print(f"  ratio vectorised engine / numpy       {t_np / t_vec:>14.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()

    rows = make_rows(args.rows, args.seed)
    calendars = {id(c): c for _, p, _, _ in rows for c in (p.council_calendar(), p.foi_calendar())}
    # Warm both sides (tables built, numpy calendars made) outside the timings.
    cals = {key: numpy_calendar(c) for key, c in calendars.items()}
    engine(rows[:1000])
    numpy_per_row(rows[:1000], cals)

    ours, t_engine = timed(lambda: engine(rows))
    theirs_row, t_np_row = timed(lambda: numpy_per_row(rows, cals))
    theirs_vec, t_np_vec = timed(lambda: numpy_vectorised(rows, cals))

    ordinals = [d.toordinal() for d in ours]
    assert ordinals == [d.toordinal() for d in theirs_row], "engine and numpy disagree"
    assert ordinals == (theirs_vec.astype(np.int64) + EPOCH_ORDINAL).tolist(), (
        "vectorised disagrees"
    )

    n = len(rows)
    print(
        f"{n:,} rows: {len(PACKS)} packs x {len(Kind)} kinds x {len(Priority)} priorities, "
        f"received {FIRST:%Y}-{LAST:%Y} (seed {args.seed}); all {n:,} dates identical"
    )
    print("full rules (London time, cutoff, calendar by kind, N from the pack):")
    print(f"  engine (mailbot.clock.due_dates)      {n / t_engine:>14,.0f} rows/s")
    print(f"  numpy.busday_offset, per row          {n / t_np_row:>14,.0f} rows/s")
    print(f"  numpy.busday_offset, vectorised       {n / t_np_vec:>14,.0f} rows/s")
    print(f"  ratio engine / numpy per row          {t_np_row / t_engine:>14.3f}")
    print(f"  ratio engine / numpy vectorised       {t_np_vec / t_engine:>14.3f}")
    first_cal = next(iter(calendars.values()))
    arithmetic_only(first_cal, cals[id(first_cal)], n, args.seed)
    print(
        f"RATIO engine/numpy (full rules, numpy's best) = {t_np_vec / t_engine:.3f} "
        "(target >= 0.25)"
    )


if __name__ == "__main__":
    main()
