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

from sqlalchemy.orm import Session

from mailbot import (
    access_request_reminder,
    ack_reminder,
    confidentiality_chase,
    outbox,
    pause_chase,
)
from mailbot.answered import officer_acknowledges
from mailbot.cases import clock_events
from mailbot.commands.letters import late_notice_key, member_was_acknowledged
from mailbot.model import FINISHED, Kind
from mailbot.reminder_mail import step_recipient
from mailbot.reminder_schedule import Step, escalation_day, schedule, schedule_start
from mailbot.reminder_summary import summarising
from mailbot.render import long_date
from mailbot.store.tables import CaseRow

if TYPE_CHECKING:
    from mailbot.app import App
    from mailbot.directory import Officer


def reminders_ahead(app: App, session: Session, case: CaseRow, today: date) -> list[str]:
    """Lines for `mailbot case`: each reminder still to go from `today`, by day, with whom
    it goes to; nothing for a finished case."""
    if case.status in FINISHED:
        return []
    if not case.officer_email:
        return ["  none until an officer holds the case"]
    officer = app.directory.officer_or_address(case.officer_email)
    dated = [*_acknowledgement(app, session, case, officer, today),
             *_confidentiality(app, session, case, officer, today),
             *_law_date(app, session, case, officer, today)]
    if case.response_due is None:
        return [*_shown([*dated, *_pause_chase(app, session, case, officer, today)]),
                "  no response reminders while the response clock is paused"]
    dated += _response(app, session, case, case.response_due, today)
    rules = app.policy.reminders
    return [
        *_shown(dated),
        f"  then {officer.name} {_every(rules.after_escalation_every)} while it is overdue",
        *([f"  {officer.name}'s reminders go as one daily summary on a day they have more "
           f"than {rules.summary_above}"] if summarising(app, officer.email) else []),
    ]


Dated = list[tuple[date, str]]


def _acknowledgement(
    app: App, session: Session, case: CaseRow, officer: Officer, today: date
) -> Dated:
    """The officer's reminder to acknowledge, where the pack has them do it (Hackney's
    complaints): on the day it is due, or at the next sweep if that has passed."""
    if not officer_acknowledges(app, case) or case.ack_due is None:
        return []
    if outbox.already_queued(session, ack_reminder.dedup_key(case, case.ack_due)):
        return []
    return [(max(case.ack_due, today),
             f"{officer.name}: acknowledge the member (the protocol has the officer do it)")]


def _confidentiality(
    app: App, session: Session, case: CaseRow, officer: Officer, today: date
) -> Dated:
    """The chase of a confidentiality question nobody has answered (CONFIDENTIAL OK or
    NO), then its escalation to the officer's manager (confidentiality_chase)."""
    if (not app.policy.confidentiality.say_at_once_if_not_possible
            or not confidentiality_chase.asks_confidentiality(case)
            or confidentiality_chase.answered(session, case)):
        return []
    days = confidentiality_chase.chase_days(
        app.policy.council_calendar(), confidentiality_chase.asked_at(session, case),
        app.policy.confidentiality.confirm_within_days)
    above = confidentiality_chase.escalation_target(app, case, officer)
    dated = []
    if today < days.escalation and not outbox.already_queued(
            session, confidentiality_chase.dedup_key(app, case, "chase")):
        dated.append((max(days.chase, today), f"{officer.name}: asked again whether it can be "
                                              "kept confidential (CONFIDENTIAL OK or NO)"))
    if above is not None and not outbox.already_queued(
            session, confidentiality_chase.dedup_key(app, case, "escalation")):
        dated.append((max(days.escalation, today),
                      f"{above[0].name}, {officer.name}'s {above[1]}: the confidentiality "
                      f"question is unanswered ({officer.name} copied)"))
    return dated


def _law_date(
    app: App, session: Session, case: CaseRow, officer: Officer, today: date
) -> Dated:
    """A subject access request's own two reminders of data protection law's date
    (access_request_reminder), which run whatever the protocol's clock does."""
    due = access_request_reminder.law_date(app, case)
    if due is None:
        return []
    cal = app.policy.council_calendar()
    before = cal.add_working_days(due, -access_request_reminder.LEAD_DAYS)
    passed = cal.add_working_days(due, 1)
    dated = []
    if today <= due and not outbox.already_queued(
            session, access_request_reminder.dedup_key(case, due, "before")):
        dated.append((max(before, today), f"{officer.name}: data protection law's date for "
                                          f"this subject access request is {long_date(due)}"))
    if not outbox.already_queued(session, access_request_reminder.dedup_key(case, due, "passed")):
        dated.append((max(passed, today), f"{officer.name}: data protection law's date has "
                                          "passed (the data protection officer copied when "
                                          "someone else holds the case)"))
    return dated


def _pause_chase(
    app: App, session: Session, case: CaseRow, officer: Officer, today: date
) -> Dated:
    """The one chase of a pause nobody has ended (pause_chase): the officer asked to
    RESUME it, or, for an out-of-office, whoever was asked to redirect the case."""
    pause = pause_chase.current_pause(session, case)
    if pause is None:
        return []
    after = pause_chase.chase_after(app, pause.step)
    if after == 0 or outbox.already_queued(session, pause_chase.dedup_key(case, pause)):
        return []
    day = max(pause_chase.chase_day(app.policy.council_calendar(), pause.at, after), today)
    if pause.absence:
        return [(day, "whoever was asked to redirect it (the officer is away): chased")]
    return [(day, f"{officer.name}: asked whether it is still waiting, and to RESUME it")]


def _response(app: App, session: Session, case: CaseRow, due: date, today: date) -> Dated:
    """The response clock's reminders (reminder_schedule) from today to the escalation,
    and the member's late notice where the pack sends one."""
    rules = app.policy.reminders
    cal = app.policy.council_calendar()
    since = schedule_start(case, clock_events(session, case))
    start = max(today, since)
    until = max(escalation_day(rules, cal, due), today)
    dated = [(s.on, _step_line(app, case, s)) for s in schedule(rules, cal, due, until)
             if s.on >= start and not outbox.already_queued(session, s.dedup_key(case.ref))]
    late_day = cal.add_working_days(due, 1)
    if (Kind(case.kind) in rules.tell_member_when_late and since <= due and late_day >= today
            and member_was_acknowledged(session, case)
            and app.directory.member(case.member_email) is not None
            and not outbox.already_queued(session, late_notice_key(case, due))):
        dated.append((late_day, f"{case.member_name or case.member_email} (the member): told "
                                "the date they were given has passed, and who has the case"))
    return dated


def _shown(dated: Dated) -> list[str]:
    dated = sorted(dated, key=lambda line: line[0])
    width = max((len(long_date(day)) for day, _ in dated), default=0)
    return [f"  {long_date(day):<{width}}  {text}" for day, text in dated]


def _step_line(app: App, case: CaseRow, step: Step) -> str:
    who = step_recipient(app, case, step)
    if who.step.kind == "escalation":
        role = ("stand-in for an officer not in officers.csv" if who.officer_gone
                else f"{who.officer.name}'s manager")
        return f"{who.to.name}, {role}: escalation ({who.officer.name} copied)"
    line = who.officer.name + {
        "before": f": due in {_days(app.policy.reminders.days_before)}",
        "due": ": due today",
        "overdue": f": overdue reminder {who.step.number}",
    }[who.step.kind]
    if who.step.kind == "due" and who.step.on != who.step.due:
        # An FOI date on a closure day: the sweep's 'Last working day' reminder, before it.
        line = (f"{who.officer.name}: last working day before the due date, "
                f"{long_date(who.step.due)}, a day the council is closed")
    if step.kind == "escalation":  # the sweep's escalation, with no manager to send it to
        why = ("is not in officers.csv and nobody stands in" if who.officer_gone
               else "has no manager_email in officers.csv")
        line += f" (no escalation: {who.officer.name} {why})"
    return line


def _days(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def _every(n: int) -> str:
    return "every working day" if n == 1 else f"every {_days(n)}"

