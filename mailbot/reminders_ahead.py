"""What a case will be sent next, and when: its reminder schedule read forward from a day.

`mailbot case` shows it under "Reminders to come", so that an officer, a manager or an
administrator trying mailbot out sees who will be reminded on which day (the officer
before and on the due day, then while it is overdue; the manager at the escalation; the
member told the date has passed) without waiting for the days to come. The dates are
the sweep's own (reminder_schedule) and so are the recipients (reminder_mail), as the
directory stands today; a reply, a pause, an extension or a hand-over changes them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.cases import clock_events
from mailbot.commands.letters import late_notice_key, member_was_acknowledged
from mailbot.model import FINISHED, Kind
from mailbot.reminder_mail import step_recipient
from mailbot.reminder_schedule import Step, escalation_day, schedule, schedule_start
from mailbot.reminder_summary import summarising
from mailbot.render import long_date
from mailbot.store.tables import CaseRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App


def reminders_ahead(app: App, session: Session, case: CaseRow, today: date) -> list[str]:
    """Lines for `mailbot case`: each reminder still to go from `today`, by day, with whom
    it goes to; nothing for a finished case."""
    if case.status in FINISHED:
        return []
    if not case.officer_email:
        return ["  none until an officer holds the case"]
    due = case.response_due
    if due is None:
        return ["  none while the response clock is paused"]
    rules = app.policy.reminders
    cal = app.policy.council_calendar()
    since = schedule_start(case, clock_events(session, case))
    start = max(today, since)
    until = max(escalation_day(rules, cal, due), today)
    steps = [s for s in schedule(rules, cal, due, until)
             if s.on >= start and not _queued(session, s.dedup_key(case.ref))]
    lines = [(s.on, _step_line(app, case, s)) for s in steps]
    late_day = cal.add_working_days(due, 1)
    if (Kind(case.kind) in rules.tell_member_when_late and since <= due and late_day >= today
            and member_was_acknowledged(session, case)
            and app.directory.member(case.member_email) is not None
            and not _queued(session, late_notice_key(case, due))):
        lines.append((late_day, f"{case.member_name or case.member_email} (the member): told "
                                "the date they were given has passed, and who has the case"))
    lines.sort(key=lambda line: line[0])
    width = max((len(long_date(day)) for day, _ in lines), default=0)
    officer = app.directory.officer_or_address(case.officer_email)
    return [
        *(f"  {long_date(day):<{width}}  {text}" for day, text in lines),
        f"  then {officer.name} every {_days(rules.overdue_every)} while it is overdue",
        *([f"  {officer.name}'s reminders go as one daily summary on a day they have more "
           f"than {rules.summary_above}"] if summarising(app, officer.email) else []),
    ]


def _step_line(app: App, case: CaseRow, step: Step) -> str:
    who = step_recipient(app, case, step)
    if who.step.kind == "escalation":
        role = ("stand-in for an officer not in officers.csv" if who.officer_gone
                else f"{who.officer.name}'s manager")
        return f"{who.to.name}, {role}: escalation ({who.officer.name} copied)"
    return who.officer.name + {
        "before": f": due in {_days(app.policy.reminders.days_before)}",
        "due": ": due today",
        "overdue": f": overdue reminder {who.step.number}",
    }[who.step.kind]


def _days(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def _queued(session: Session, dedup_key: str) -> bool:
    return session.scalar(
        select(OutboxRow.id).where(OutboxRow.dedup_key == dedup_key[:200])
    ) is not None
