"""A case left overdue for months: the officer is reminded as the pack says until the
manager is told, then once a week (`[reminders] overdue_every_after_escalation`, 5
working days by default), not every working day for the rest of the year. Each day of
half a year is swept in turn with the time passed in; the assertions are on the mail that
left, its days checked against tests/deadline_oracle.py's calendar.

A Wiltshire enquiry sent on Monday 4 January 2027 is due ten working days on, Monday 18
January. With overdue_every = 1 and escalate_after = 2 the officer is reminded on the 19th
and 20th and the manager on the 21st; then, before, the officer every working day to July
(about 110 mails); now every fifth working day (Thursday 28 January, 4 February, ...,
across Easter and the May bank holidays)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from deadline_oracle import council_calendar, nth_working_day
from helpers import Council, by_recipient

from mailbot import reminders
from mailbot.console import describe_case

DOMAIN = "wiltshire.gov.uk"
JO, SAM, DANA = f"jo@{DOMAIN}", f"sam@{DOMAIN}", f"dana@{DOMAIN}"
SENT = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)
DUE = date(2027, 1, 18)
UNTIL = date(2027, 7, 2)
CAL = council_calendar("england-and-wales")


def _council(home: Path, reminders_table: str) -> Council:
    return Council(
        home, mailbox=f"memberenquiries@{DOMAIN}", policy="wiltshire",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[policy.reminders]\n{reminders_table}',
    )


def _half_a_year(it: Council) -> tuple[str, dict[str, list[date]]]:
    """Sweep and send at 11:00 UTC every day to UNTIL; the days each person was mailed,
    and what `mailbot case` listed as to come on the day after the mail came in."""
    it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Streetlight out on Mill Lane",
                       "Could someone fix the street light on Mill Lane please?",
                       date=SENT), SENT)
    shown = describe_case(it.app, it.case().ref, SENT + timedelta(days=1)) or ""
    mailed: dict[str, list[date]] = {}
    day = datetime(2027, 1, 5, 11, tzinfo=UTC)
    while day.date() <= UNTIL:
        reminders.sweep(it.app, day)
        for address in by_recipient(it.flush(day)):
            mailed.setdefault(address, []).append(day.date())
        day += timedelta(days=1)
    return shown, mailed


def _every(days: int, after: date, until: date) -> list[date]:
    found, on = [], nth_working_day(CAL, after, days)
    while on <= until:
        found.append(on)
        on = nth_working_day(CAL, on, days)
    return found


def test_daily_overdue_reminders_go_weekly_once_the_manager_is_told(tmp_path: Path) -> None:
    with _council(tmp_path, "overdue_every = 1\nescalate_after = 2\n") as it:
        shown, mailed = _half_a_year(it)
    escalation = nth_working_day(CAL, DUE, 3)
    assert escalation == date(2027, 1, 21)
    assert mailed[DANA] == [escalation]  # the manager once, by the escalation
    weekly = _every(5, escalation, UNTIL)
    assert weekly[:2] == [date(2027, 1, 28), date(2027, 2, 4)]
    assert mailed[SAM] == [
        date(2027, 1, 14),  # two working days before
        DUE, date(2027, 1, 19), date(2027, 1, 20), *weekly,
    ]
    assert len(mailed[SAM]) < 35  # not the ~115 a daily reminder to July would be
    assert "then Sam Patel every 5 working days while it is overdue" in shown


def test_a_pack_s_own_longer_stretch_is_kept_after_the_escalation(tmp_path: Path) -> None:
    # overdue_every = 10 is already less often than weekly: kept after the escalation.
    with _council(tmp_path, "overdue_every = 10\nescalate_after = 0\n") as it:
        _shown, mailed = _half_a_year(it)
    escalation = nth_working_day(CAL, DUE, 10)
    assert mailed[DANA] == [escalation]
    assert mailed[SAM][2:] == _every(10, escalation, UNTIL)


def test_a_council_may_keep_daily_reminders_after_the_escalation(tmp_path: Path) -> None:
    table = "overdue_every = 1\nescalate_after = 2\noverdue_every_after_escalation = 1\n"
    with _council(tmp_path, table) as it:
        shown, mailed = _half_a_year(it)
    escalation = nth_working_day(CAL, DUE, 3)
    assert mailed[SAM][4:] == _every(1, escalation, UNTIL)
    assert "then Sam Patel every working day while it is overdue" in shown
