"""The reminder sweep: the pack's reminder schedule for every open case with an officer.

Schedule (policy [reminders], all in the council's working days): `days_before` working
days before the response is due, on the due day, then every `overdue_every` working days
while it is overdue; the overdue reminder numbered `escalate_after + 1` goes to the
officer's manager instead (the officer copied in). Later overdue reminders go to the
officer only: the manager sees the case in the weekly digest, not in a daily storm.

Rules that keep it safe:
- runs only inside the pack's working hours on a council working day (no mail at night,
  at weekends or on bank holidays), whatever calls it;
- each reminder has a dedup key (case, due date, step) in the outbox, whose unique index
  is the ledger: a reminder goes out at most once, across restarts and overlapping runs;
- after downtime only the latest step due is sent (plus a missed escalation), never a
  backlog of stale reminders; a member's late notice for a date that passed long ago is
  kept back and listed for the admins (mailbot.late_notice_backlog);
- a case answered, closed or paused gets none; a moved due date (an extension) has its
  own schedule, and steps dated before the change are not sent; a reminder queued before
  such a change is withdrawn when it was to go, and one that goes late is written again
  for the day it goes (mailbot.still_due);
- confidential cases: the reminder says there is one, never its subject or content;
- an officer with more than `summary_above` reminders due on one day gets one daily
  summary listing every case, with each case's reply instructions, instead of a mail per
  case (escalations still go one per case, to the manager). Each case's reminder is still
  written to the outbox under its own dedup key, kept as `withdrawn` with the summary's
  key as its reason, so the ledger and the send-time check work as for a single reminder.

This module is the sweep. The schedule's dates and the ledger's keys are
mailbot.reminder_schedule, one reminder's mail mailbot.reminder_mail, the daily summary
mailbot.reminder_summary; their names used elsewhere are given here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from mailbot import directory_alert, late_notice_backlog, outbox
from mailbot.access_request_reminder import TEMPLATE as ACCESS_REQUEST_REMINDER
from mailbot.ack_reminder import TEMPLATE as ACK_REMINDER
from mailbot.ack_reminder import queue_ack_reminder
from mailbot.addresses import address_key
from mailbot.answered import officer_acknowledges
from mailbot.cases import clock_events, refresh_deadlines
from mailbot.commands.letters import tell_member_it_is_late
from mailbot.confidentiality_chase import TEMPLATE as CONFIDENTIALITY_CHASE
from mailbot.leavers import is_leaver
from mailbot.model import FINISHED, Kind
from mailbot.pause_chase import TEMPLATE as PAUSE_CHASE
from mailbot.reminder_mail import (
    StepMail,
    law_date_first,
    overdue_reminders_given,
    reminder_context,
    step_mail,
)
from mailbot.reminder_schedule import (
    LISTED_IN_SUMMARY,
    STEP_KINDS,
    SUMMARY,
    Step,
    StepKind,
    escalation_day,
    listed_reason,
    schedule,
    schedule_start,
    step_of_key,
    steps_to_send,
    summary_key,
    summary_keys,
)
from mailbot.reminder_summary import queue_listed, summarising, summary_mail
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.sweep import each_case_with_an_officer
from mailbot.sweep_queue import queue_once
from mailbot.workdays import LONDON, WorkingCalendar

if TYPE_CHECKING:
    from mailbot.app import App

# The names of the modules this one was split into, as other modules and tests use them.
__all__ = [
    "LISTED_IN_SUMMARY", "STEP_KINDS", "SUMMARY", "WORKING_HOURS_MAIL", "Deferred",
    "ReminderReport", "Step", "StepKind", "StepMail", "escalation_day", "hold_until_working_hours",
    "law_date_first", "listed_reason", "overdue_reminders_given", "reminder_context",
    "schedule", "schedule_start", "step_mail", "step_of_key", "steps_to_send",
    "summarising", "summary_key", "summary_keys", "summary_mail", "sweep",
]

# What the reminder sweeps queue, in working hours only, and so send in working hours only.
WORKING_HOURS_MAIL = (
    "reminder", "overdue", "escalation", "late_notice", ACK_REMINDER, CONFIDENTIALITY_CHASE,
    PAUSE_CHASE, SUMMARY, ACCESS_REQUEST_REMINDER,
)


@dataclass
class ReminderReport:
    queued: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, step, recipient)
    skipped: str = ""  # why the sweep did nothing at all, if it did nothing
    # Late notices kept back: the date passed too long ago (mailbot.late_notice_backlog).
    held_back: list[late_notice_backlog.HeldBack] = field(default_factory=list)


# Reminders the sweep found due, by officer, before deciding whether they go alone or in
# the officer's daily summary: (case id, step). Keyed by the officer's address_key, so
# cases stored with another form of the address (caerdydd-ŵ.cymru or
# xn--caerdydd--j9b.cymru, other capitals) are in the same summary.
Deferred = dict[str, list[tuple[int, Step]]]


def sweep(app: App, now: datetime) -> ReminderReport:
    """Queue the reminders due at `now`. Sends nothing itself: the outbox flush does."""
    report = ReminderReport()
    # The sweep runs every few minutes at any hour, just after the directory is re-read
    # (jobs.send_reminders): the moment to tell the admins an edit of it could not be read.
    directory_alert.alert_if_unreadable(app, now)
    cal = app.policy.council_calendar()
    if not cal.within_working_hours(now):
        report.skipped = "outside working hours"
        hold_until_working_hours(app, cal, now)
        return report
    deferred: Deferred = {}
    each_case_with_an_officer(
        app, lambda case_id: _remind_case(app, case_id, now, report, deferred), what="reminders"
    )
    _queue_deferred(app, now, deferred, report)
    late_notice_backlog.tell_admins(app, report.held_back, now)
    return report


def _queue_deferred(app: App, now: datetime, deferred: Deferred, report: ReminderReport) -> None:
    """Each officer's reminders of the day: alone when there are few (or the day's summary
    has gone already: a case reassigned to them at noon), else one summary."""
    today = now.astimezone(LONDON).date()
    limit = app.policy.reminders.summary_above
    for officer, steps in deferred.items():
        officer_email = app.directory.as_listed(officer)  # as officers.csv writes it
        key = summary_key(officer_email, today)
        with app.store.transaction() as session:
            already = session.scalar(select(OutboxRow.id).where(
                OutboxRow.dedup_key.in_(summary_keys(officer_email, today))).limit(1))
        if len(steps) <= limit or already is not None:
            for case_id, step in steps:
                try:
                    with app.store.transaction() as session:
                        case = session.get(CaseRow, case_id)
                        if case is None or not case.officer_email:
                            continue
                        queued = _queue_step(app, session, case, step, today, now)
                        if queued is not None:
                            report.queued.append((case.ref, *queued))
                except IntegrityError:
                    continue  # an overlapping run queued it first
            continue
        try:
            with app.store.transaction() as session:
                listed = queue_listed(app, session, steps, key, today, now)
                if listed:
                    rendered, envelope = summary_mail(app, session, officer_email, listed, today)
                    outbox.queue(
                        session, purpose=SUMMARY, dedup_key=key, case=None,
                        rendered=rendered, envelope=envelope, now=now, automatic=False,
                    )
                    report.queued.append(
                        (f"{len(listed)} cases", "summary", envelope.to[0])
                    )
        except IntegrityError:
            continue  # an overlapping run wrote this officer's summary first


def hold_until_working_hours(app: App, cal: WorkingCalendar, now: datetime) -> None:
    """Mail the sweep wrote in working hours that has not gone yet (the mailbox was down
    all day, say) waits for the next working hours: the officer, their manager or the
    member is not sent it in the middle of the night or at the weekend when the mailbox
    comes back. Runs at every sweep outside working hours, so the first one after hours
    end holds back what is left; a flush before that sweep is held back by the outbox's
    send-time check (mailbot.still_due)."""
    opens = cal.next_working_moment(now)
    with app.store.transaction() as session:
        session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.status == "pending",
                OutboxRow.purpose.in_(WORKING_HOURS_MAIL),
                OutboxRow.not_before < opens,
            )
            .values(not_before=opens)
        )


def _remind_case(
    app: App, case_id: int, now: datetime, report: ReminderReport, deferred: Deferred
) -> None:
    cal = app.policy.council_calendar()
    rules = app.policy.reminders
    today = now.astimezone(LONDON).date()
    with app.store.transaction() as session:
        case = session.get(CaseRow, case_id)
        if case is None or case.status in FINISHED or not case.officer_email:
            return
        events = clock_events(session, case)  # read once: the dates and the schedule's start
        found = refresh_deadlines(app, session, case, events)
        if officer_acknowledges(app, case) and found.ack.status == "running" and found.ack.due:
            recipient = queue_ack_reminder(app, session, case, found.ack.due, today, now)
            if recipient is not None:
                report.queued.append((case.ref, "acknowledge", recipient))
        due = found.response.due
        if found.response.status != "running" or due is None:
            return  # stopped (answered) or paused: no reminders
        start = schedule_start(case, events)
        # The date the member was given has passed with no answer and no new date: the
        # protocol has them told (Wiltshire 6.5.8, Cardiff, Colchester 16(6)). Not for a
        # date that passed before the case opened or the date last changed, nor while the
        # officer is a leaver (their escalation finds the case a person, who is named).
        # A date long passed (the first sweep after an upgrade, or weeks switched off) is
        # not mailed weeks late: it is kept back and listed for the administrators.
        late = (Kind(case.kind) in rules.tell_member_when_late and start <= due < today
                and not is_leaver(app, case.officer_email))
        if late and late_notice_backlog.too_old(cal, due, today):
            held = late_notice_backlog.hold_back(app, session, case, due, now)
            if held is not None:
                report.held_back.append(held)
        elif late and tell_member_it_is_late(app, session, case, due, now):
            report.queued.append((case.ref, "late_notice", case.member_email))
        steps = steps_to_send(schedule(rules, cal, due, today), start, today)
        for step in steps:
            if step.kind != "escalation" and summarising(app, case.officer_email):
                # Goes alone or in the officer's summary: decided once every case is seen.
                if not outbox.already_queued(session, step.dedup_key(case.ref)):
                    deferred.setdefault(address_key(case.officer_email), []).append(
                        (case.id, step)
                    )
                continue
            queued = _queue_step(app, session, case, step, today, now)
            if queued is not None:
                report.queued.append((case.ref, *queued))



def _queue_step(
    app: App, session: Any, case: CaseRow, step: Step, today: date, now: datetime
) -> tuple[str, str] | None:
    """Queue one reminder; returns (step, recipient), or None if it was already queued."""
    mail = step_mail(app, session, case, step, today)
    # The notes are said once, with the mail they are about, not at every sweep.
    recipient = queue_once(
        session, case, mail, purpose=mail.step.template,
        dedup_key=mail.step.dedup_key(case.ref), now=now,
        action=f"{mail.step.template} queued", step=mail.step.kind, notes=mail.notes,
    )
    if recipient is None:
        return None
    return f"{mail.step.kind}:{mail.step.number}", recipient
