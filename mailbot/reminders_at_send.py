"""The send-time checks (mailbot.still_due) of the reminder sweeps' mail, which goes in
working hours only: the officer's reminders, escalations and daily summary, the member's
late notice, acknowledgement reminders, confidentiality chases, chases of paused cases and
a subject access request's reminders. Each says why the mail no longer stands, or gives
it written again for the day it goes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot import (
    access_request_reminder,
    ack_reminder,
    confidentiality_chase,
    pause_chase,
    reminders,
    summary_takeover,
)
from mailbot.addresses import same_address
from mailbot.answered import officer_acknowledges
from mailbot.at_send_reasons import clock_gone, date_at_end, finished, moved, today_of
from mailbot.cases import clock_events, deadlines_for
from mailbot.commands.letters import late_notice_mail
from mailbot.confidentiality_chase import ChaseStep
from mailbot.outbox import Rewritten, Verdict
from mailbot.store.tables import CaseRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App


def check_reminder(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """A before-due, due-day, overdue or escalation reminder (reminders.Step)."""
    step = _step_now(app, session, case, row, now)
    if isinstance(step, str):
        return step
    mail = reminders.step_mail(app, session, case, step, today_of(now))
    return Rewritten(mail.rendered, mail.envelope)


def _step_now(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> reminders.Step | str:
    """The reminder step `row` was queued for, as it stands today; or why it no longer
    stands."""
    keyed = reminders.step_of_key(row.dedup_key)
    if keyed is None:
        return f"its dedup key {row.dedup_key!r} names no reminder step"
    due, kind, number = keyed
    if gone := finished(case):
        return gone
    if not case.officer_email:
        return "the case has no officer"
    events = clock_events(session, case)  # read once: the date and the schedule's start
    response = deadlines_for(app, session, case, events).response
    if gone := clock_gone(response, "response clock") or moved(due, response.due):
        return gone
    today = today_of(now)
    current = reminders.steps_to_send(
        reminders.schedule(app.policy.reminders, app.policy.council_calendar(), due, today),
        reminders.schedule_start(case, events),
        today,
    )
    # An escalation with nobody to escalate to was queued as an overdue reminder under the
    # step's number: a numbered step is matched by its number, the others by their kind.
    same = [s for s in current if s.number == number and (number or s.kind == kind)]
    if not same and current:
        latest = current[-1]
        return (f"a later reminder is due now ({latest.kind} of {latest.on.isoformat()}); "
                "the sweep sends that one")
    if not same:
        return "its step is dated before the case's date last changed"
    step = reminders.Step(kind, number, same[0].on, due)
    if step.kind in ("before", "due") and today > due:
        # "Due today" on the day after: said as what it now is.
        step = reminders.Step("overdue", 0, step.on, due)
    return step


def review_summary(app: App, session: Session, row: OutboxRow, now: datetime) -> Verdict:
    """An officer's daily summary (reminders.SUMMARY): the reminders it lists are each
    checked as a reminder alone would be, and it goes with the cases still to answer, or
    not at all. A case since given to someone else is left out: the summary is the
    officer's, and the case's new officer has had its assignment. When several of the
    officer's summaries waited (the mail server down for days), only the newest goes,
    listing the older ones' cases too (mailbot.summary_takeover)."""
    if newer := summary_takeover.newer_summary(session, row):
        return Verdict(withdrawn=summary_takeover.superseded_reason(newer))
    officer = row.recipients.partition(",")[0].strip().lower()
    still: dict[int, tuple[CaseRow, reminders.Step]] = {}
    # Oldest first: a case listed on two days is said as its newest reminder has it.
    for summary in [*reversed(summary_takeover.taken_over(session, row)), row]:
        for item in summary_takeover.listed(session, summary):
            case = session.get(CaseRow, item.case_id) if item.case_id is not None else None
            if case is None or not same_address(case.officer_email or "", officer):
                continue
            step = _step_now(app, session, case, item, now)
            if not isinstance(step, str):
                still[case.id] = (case, step)
    if not still:
        return Verdict(withdrawn="none of its cases is still to answer: answered, closed, "
                                 "paused, moved on, or a later reminder is due")
    cal = app.policy.council_calendar()
    if not cal.within_working_hours(now):
        return Verdict(wait_until=cal.next_working_moment(now))
    rendered, envelope = reminders.summary_mail(
        app, session, officer, list(still.values()), today_of(now)
    )
    return Verdict(rewritten=Rewritten(rendered, envelope))


def check_late_notice(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """The letter telling the member their response is late (letters.late_notice_key)."""
    due = date_at_end(row.dedup_key)
    if due is None:
        return f"its dedup key {row.dedup_key!r} names no due date"
    if gone := finished(case):
        return gone
    response = deadlines_for(app, session, case).response
    if gone := clock_gone(response, "response clock") or moved(due, response.due):
        return gone
    mail = late_notice_mail(app, session, case, due)
    return mail if mail is not None else "the member is no longer one mailbot writes to"


def check_ack_reminder(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """The officer's reminder to acknowledge (ack_reminder.dedup_key)."""
    ack_due = date_at_end(row.dedup_key)
    if ack_due is None:
        return f"its dedup key {row.dedup_key!r} names no acknowledgement date"
    if gone := finished(case):
        return gone
    if not case.officer_email:
        return "the case has no officer"
    if not officer_acknowledges(app, case):
        return "the acknowledgement has been given"
    ack = deadlines_for(app, session, case).ack
    if gone := clock_gone(ack, "acknowledgement clock") or moved(ack_due, ack.due):
        return gone
    return ack_reminder.ack_reminder_mail(app, case, ack_due, today_of(now))


def check_confidentiality_chase(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """A chase or escalation of an unanswered CONFIDENTIAL OK/NO (confidentiality_chase)."""
    tail = row.dedup_key.rpartition(":")[2]
    if tail not in ("chase", "escalation"):
        return f"its dedup key {row.dedup_key!r} names no chase step"
    step: ChaseStep = "chase" if tail == "chase" else "escalation"
    if gone := finished(case):
        return gone
    if not case.officer_email:
        return "the case has no officer"
    if not confidentiality_chase.asks_confidentiality(case):
        return "the case no longer asks about confidentiality"
    if confidentiality_chase.answered(session, case):
        return "CONFIDENTIAL OK or NO has been given"
    if confidentiality_chase.dedup_key(app, case, step) != row.dedup_key:
        return f"the case is now with {case.officer_email}, who is asked afresh"
    days = confidentiality_chase.chase_days(
        app.policy.council_calendar(),
        confidentiality_chase.asked_at(session, case),
        app.policy.confidentiality.confirm_within_days,
    )
    if step == "chase" and days.step_on(today_of(now)) == "escalation":
        return "the escalation is due now; the sweep sends that one"
    mail = confidentiality_chase.chase_mail(app, case, step, days)
    return mail if mail is not None else "nobody above the officer to escalate to"


def check_pause_chase(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """The chase of a paused case nobody has taken up again (pause_chase): only while the
    pause it is about still holds the case."""
    if gone := finished(case):
        return gone
    if not case.officer_email:
        return "the case has no officer"
    pause = pause_chase.current_pause(session, case)
    if pause is None:
        return "the case is no longer paused: taken on, resumed or answered"
    if pause_chase.dedup_key(case, pause) != row.dedup_key:
        return "the case was paused again since: that pause has its own chase"
    mail = pause_chase.chase_mail(app, session, case, pause, today_of(now))
    return mail if mail is not None else "nobody is left to chase"


def check_access_request_reminder(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """The reminder of a subject access request's legal date (access_request_reminder):
    only while the case is unfinished, held, still marked and its date unmoved; a
    "before" that goes once the date has passed gives way to the sweep's "passed"."""
    keyed = access_request_reminder.key_parts(row.dedup_key)
    if keyed is None:
        return f"its dedup key {row.dedup_key!r} names no subject access reminder"
    due, step = keyed
    if gone := finished(case):
        return gone
    if not case.officer_email:
        return "the case has no officer"
    now_due = access_request_reminder.law_date(app, case)
    if now_due is None:
        return "the case is no longer marked a subject access request"
    if now_due != due:
        return (f"the law's date moved from {due.isoformat()} to {now_due.isoformat()}: "
                "the new date has its own reminders")
    today = today_of(now)
    if step == "before" and today > due:
        return "the date has passed: the sweep sends that reminder"
    return access_request_reminder.reminder_mail(app, case, due, step, today)
