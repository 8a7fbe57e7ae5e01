"""Is a queued reminder still true when it is about to go?

Reminders, escalations, late notices, acknowledgement reminders, confidentiality
chases, chases of paused cases and the reminders of a subject access request's legal date
(reminders.WORKING_HOURS_MAIL) are written when a sweep
queues them, but may go a day or more later: sending held, the mail server down, a retry,
the night. By then the officer may have answered, the case may be closed, paused,
extended or given to someone else, and "due today" may be yesterday. So the outbox flush
asks `review` about each such mail just before sending it, and:

- withdraws it (status `withdrawn`, the reason kept, never sent, never deleted) when its
  reason has gone: the case answered, closed or paused, its date moved (the new date has
  its own reminders, under their own dedup keys), a later step of the same schedule now
  due (the sweep queues that one), the question answered, the case given to another
  officer where each officer is asked afresh (the confidentiality chase), or the pause
  a chase is about has ended (the case taken on, resumed or answered), or the case is no
  longer marked subject access;
- holds it to the next working moment outside the pack's working hours;
- otherwise writes it again from the case as it is now, on the day it goes: the words
  ("due today" becomes "overdue by 1 working day"), the people (a reassigned case's new
  officer and their manager) and the Date header.

Writing again, rather than withdrawing stale words for the next sweep to replace, is
what keeps an escalation: its dedup key is the case, due date and step, so a withdrawn
escalation could never be queued again, and the manager would never hear of the case.

An officer's assignment (a case opened or moved to them) is not working-hours mail and
is never written again, but is withdrawn when the case has meanwhile gone to another
officer (REASSIGN, `mailbot reassign`: the new officer has their own assignment) or has
been answered or closed (nothing is left for the officer to do).

The other mail about a case that goes at any hour is withdrawn the same way when its
reason has gone: an out-of-office redirect ("the case is now with you", or "please pass
it on") once the case is finished, has moved since, or the absent officer has acted on it;
the notice and the member's letter that a follow-up reopened the case once it is finished
again; the officer's notice of it, or of any other mail in the case's thread (an
update), is written again for the case's new officer when the case has moved (their
assignment quotes only the first message); the officer's notice of a member's Outlook
recall likewise, and withdrawn once the case is finished (recall.check_at_send); the
officer's notice that mail to the member bounced (bounce_notice) once the case is
finished, and written again from the bounce for the case's officer now (else the
stand-in) when the case has moved; the member's letter naming a new officer, the letter
that the response will be later (EXTEND), and the letters that an FOI request's
clarification or fee was received, or that the member's reply ended a pause, with the
new date, once the case is finished (the last three also once it is paused again); the
member's letters that their case is paused (pause_letters) once that pause has ended.

An officer's daily summary of reminders is reviewed case by case, as each reminder in
it would be alone: it goes with the cases still to answer, written again for the day it
goes, or is withdrawn when none is left. Of several summaries to one officer that waited
together, only the newest goes, listing the older ones' cases (mailbot.summary_takeover).

The weekly digest is drawn again with the figures as they are when it goes, if it waited
for hours, or withdrawn once its week is over or a later week's is queued
(mailbot.digest.at_send).

The administrators' alerts (a mailbox outage, a directory that cannot be read, mail left
unread) are withdrawn once their problem has gone, or say that it has
(mailbot.alerts_at_send).

An acknowledgement to a member always goes (one is due whatever happened since: it
gives the reference), but one sent after the case was answered is written again to say
so, "answered it on", not "will respond by" (acknowledgement.answered_ack).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot import (
    access_request_reminder,
    ack_reminder,
    bounce_notice,
    case_notice,
    confidentiality_chase,
    pause_chase,
    pause_letters,
    recall,
    reminders,
    summary_takeover,
    thread_mail,
)
from mailbot.absence import redirect_gone
from mailbot.acknowledgement import answered_ack
from mailbot.addresses import same_address
from mailbot.alerts_at_send import ALERT_CHECKS
from mailbot.answered import officer_acknowledges
from mailbot.cases import clock_events, deadlines_for
from mailbot.clock import ClockState
from mailbot.commands.letters import late_notice_mail
from mailbot.confidentiality_chase import ChaseStep
from mailbot.digest.at_send import review_digest
from mailbot.digest.keys import PURPOSE as DIGEST
from mailbot.model import FINISHED, CaseStatus
from mailbot.outbox import SEND_AS_QUEUED, Review, Rewritten, Verdict
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App

# A check: the mail as it should go now, or why it should not go at all.
Check = Callable[["App", Session, CaseRow, OutboxRow, datetime], "Rewritten | str"]
# A check of mail that goes at any hour: why it should not go at all, "" to send it as
# queued, or the mail written again for the case as it is now.
AnyHourCheck = Callable[["App", Session, CaseRow, OutboxRow], "Rewritten | str"]


def reviewer(app: App) -> Review:
    """The review for outbox.flush, bound to this app's policy, directory and templates."""
    return lambda session, row, now: review(app, session, row, now)


def review(app: App, session: Session, row: OutboxRow, now: datetime) -> Verdict:
    caseless = (CASELESS_CHECKS.get(row.purpose) or WEEKLY_CHECKS.get(row.purpose)
                or ALERT_CHECKS.get(row.purpose))
    if caseless is not None:
        return caseless(app, session, row, now)
    check = CHECKS.get(row.purpose)
    any_hour = ANY_HOUR_CHECKS.get(row.purpose)
    if check is None and any_hour is None:
        return SEND_AS_QUEUED
    case = session.get(CaseRow, row.case_id) if row.case_id is not None else None
    if case is None:
        return Verdict(withdrawn="its case is no longer there")
    if any_hour is not None:
        said = any_hour(app, session, case, row)
        if isinstance(said, Rewritten):
            return Verdict(rewritten=said)
        return Verdict(withdrawn=said) if said else SEND_AS_QUEUED
    assert check is not None
    found = check(app, session, case, row, now)
    if isinstance(found, str):
        return Verdict(withdrawn=found)
    # Whatever time the flush runs: 17:05, before that evening's sweep holds the rest back
    # (reminders.hold_until_working_hours), or 03:00 when the mailbox comes back.
    cal = app.policy.council_calendar()
    if not cal.within_working_hours(now):
        return Verdict(wait_until=cal.next_working_moment(now))
    return Verdict(rewritten=found)


def _finished(case: CaseRow) -> str:
    if case.status not in FINISHED:
        return ""
    return "the case was answered" if case.status == CaseStatus.RESPONDED else "the case was closed"


def _clock_gone(state: ClockState, what: str) -> str:
    if state.status == "paused":
        return f"the case is paused: no {what} runs"
    if state.status == "stopped":
        return f"the {what} has stopped: the answer was seen, or DONE"
    if state.status != "running" or state.due is None:
        return f"the case has no {what}"
    return ""


def _moved(queued: date, now: date | None) -> str:
    if now == queued:
        return ""
    return (f"the date moved from {queued.isoformat()} to "
            f"{now.isoformat() if now else 'none'}: the new date has its own reminders")


def _date_at_end(dedup_key: str) -> date | None:
    """The ISO date a late notice's or acknowledgement reminder's key ends with."""
    try:
        return date.fromisoformat(dedup_key.rpartition(":")[2])
    except ValueError:
        return None


def _today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def check_reminder(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """A before-due, due-day, overdue or escalation reminder (reminders.Step)."""
    step = _step_now(app, session, case, row, now)
    if isinstance(step, str):
        return step
    mail = reminders.step_mail(app, session, case, step, _today(now))
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
    if gone := _finished(case):
        return gone
    if not case.officer_email:
        return "the case has no officer"
    events = clock_events(session, case)  # read once: the date and the schedule's start
    response = deadlines_for(app, session, case, events).response
    if gone := _clock_gone(response, "response clock") or _moved(due, response.due):
        return gone
    today = _today(now)
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
        app, session, officer, list(still.values()), _today(now)
    )
    return Verdict(rewritten=Rewritten(rendered, envelope))


def check_late_notice(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """The letter telling the member their response is late (letters.late_notice_key)."""
    due = _date_at_end(row.dedup_key)
    if due is None:
        return f"its dedup key {row.dedup_key!r} names no due date"
    if gone := _finished(case):
        return gone
    response = deadlines_for(app, session, case).response
    if gone := _clock_gone(response, "response clock") or _moved(due, response.due):
        return gone
    mail = late_notice_mail(app, session, case, due)
    return mail if mail is not None else "the member is no longer one mailbot writes to"


def check_ack_reminder(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """The officer's reminder to acknowledge (ack_reminder.dedup_key)."""
    ack_due = _date_at_end(row.dedup_key)
    if ack_due is None:
        return f"its dedup key {row.dedup_key!r} names no acknowledgement date"
    if gone := _finished(case):
        return gone
    if not case.officer_email:
        return "the case has no officer"
    if not officer_acknowledges(app, case):
        return "the acknowledgement has been given"
    ack = deadlines_for(app, session, case).ack
    if gone := _clock_gone(ack, "acknowledgement clock") or _moved(ack_due, ack.due):
        return gone
    return ack_reminder.ack_reminder_mail(app, case, ack_due, _today(now))


def check_confidentiality_chase(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """A chase or escalation of an unanswered CONFIDENTIAL OK/NO (confidentiality_chase)."""
    tail = row.dedup_key.rpartition(":")[2]
    if tail not in ("chase", "escalation"):
        return f"its dedup key {row.dedup_key!r} names no chase step"
    step: ChaseStep = "chase" if tail == "chase" else "escalation"
    if gone := _finished(case):
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
    if step == "chase" and days.step_on(_today(now)) == "escalation":
        return "the escalation is due now; the sweep sends that one"
    mail = confidentiality_chase.chase_mail(app, case, step, days)
    return mail if mail is not None else "nobody above the officer to escalate to"


def check_pause_chase(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """The chase of a paused case nobody has taken up again (pause_chase): only while the
    pause it is about still holds the case."""
    if gone := _finished(case):
        return gone
    if not case.officer_email:
        return "the case has no officer"
    pause = pause_chase.current_pause(session, case)
    if pause is None:
        return "the case is no longer paused: taken on, resumed or answered"
    if pause_chase.dedup_key(case, pause) != row.dedup_key:
        return "the case was paused again since: that pause has its own chase"
    mail = pause_chase.chase_mail(app, session, case, pause, _today(now))
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
    if gone := _finished(case):
        return gone
    if not case.officer_email:
        return "the case has no officer"
    now_due = access_request_reminder.law_date(app, case)
    if now_due is None:
        return "the case is no longer marked a subject access request"
    if now_due != due:
        return (f"the law's date moved from {due.isoformat()} to {now_due.isoformat()}: "
                "the new date has its own reminders")
    today = _today(now)
    if step == "before" and today > due:
        return "the date has passed: the sweep sends that reminder"
    return access_request_reminder.reminder_mail(app, case, due, step, today)


def check_assignment(
    app: App, session: Session, case: CaseRow, row: OutboxRow
) -> str:
    """The officer's assignment (assignment.queue_officer_mail): only while it is still
    news to them. A finished case is withdrawn whoever it is with: an officer told of a
    case after it was answered would take it for work to do. The handover that moved the
    case queued the new officer's own assignment."""
    return _finished(case) or _moved_on(case, row)


def _moved_on(case: CaseRow, row: OutboxRow) -> str:
    """Why mail to one officer about the case is no longer theirs, or "". Officer mail
    (assignment.queue_officer_mail) goes to one officer: To comes first."""
    to = row.recipients.partition(",")[0].strip().lower()
    holder = (case.officer_email or "").strip().lower()
    if not same_address(to, holder):
        return f"the case is now with {case.officer_email or 'nobody'}"
    return ""


def check_redirect(
    app: App, session: Session, case: CaseRow, row: OutboxRow
) -> str:
    """An out-of-office redirect (absence): "the case is now with you" or "please pass it
    on". Neither is news once the case is finished; absence.redirect_gone says when the
    case has moved since, or the absent officer is back."""
    return _finished(case) or redirect_gone(session, case, row)


def check_reopened(
    app: App, session: Session, case: CaseRow, row: OutboxRow
) -> Rewritten | str:
    """The officer's notice that the member's follow-up reopened the case, and the
    member's letter saying so with the new response date. Once the case is answered or
    closed again both are untrue ("will respond by"). A case passed on since is told to
    its officer now, not the one it left: their assignment quotes only the first message,
    and the follow-up is what needs answering."""
    if gone := _finished(case):
        return gone
    to = row.recipients.partition(",")[0].strip().lower()
    if same_address(to, case.member_email):
        return ""
    return _to_the_holder(app, session, case, row)


def check_update(app: App, session: Session, case: CaseRow, row: OutboxRow) -> Rewritten | str:
    """The officer's notice of mail in the case's thread (the member writing again,
    someone else, mail that may be forged). It goes even if the case was answered since:
    the member's new words may still need an answer. A case passed on since is told to
    its officer now."""
    return _to_the_holder(app, session, case, row)


def _to_the_holder(app: App, session: Session, case: CaseRow, row: OutboxRow) -> Rewritten | str:
    """Nothing ("") while the notice's reader is still who is told of the case (its
    officer, else the stand-in: case_notice); else the notice written again for who is;
    else why it cannot go."""
    to = row.recipients.partition(",")[0].strip()
    reader = case_notice.reader(app, case)
    if reader is not None and same_address(to, reader):
        return ""
    moved = f"the case is now with {case.officer_email or 'nobody'}"
    rewritten = thread_mail.notice_for_holder(app, session, case, row.dedup_key)
    return rewritten if rewritten is not None else moved


def check_member_bounce(
    app: App, session: Session, case: CaseRow, row: OutboxRow
) -> Rewritten | str:
    """The officer's notice that our mail to the member bounced (bounce_notice). Like an
    assignment it is withdrawn once the case is answered or closed: the member has had
    their answer, and "contact them another way" is no work left. Like an update, a case
    passed on since (or taken up by an officer, after the stand-in was told) is told to
    whoever is told now, not the one it left."""
    if gone := _finished(case):
        return gone
    reader = bounce_notice.member_bounce_reader(app, case) or ""
    to = row.recipients.partition(",")[0].strip()
    if same_address(to, reader):
        return ""
    moved = f"the case is now with {case.officer_email or 'nobody'}"
    rewritten = bounce_notice.member_bounce_for_holder(app, session, case, row)
    return rewritten if rewritten is not None else moved


def check_member_told_of_new_officer(
    app: App, session: Session, case: CaseRow, row: OutboxRow
) -> str:
    """The member's letter naming who deals with their case now
    (letters.tell_member_of_new_officer): not sent after the answer, as when queued."""
    return _finished(case)


def check_extension_notice(
    app: App, session: Session, case: CaseRow, row: OutboxRow
) -> str:
    """The member's letter that the response will be later (EXTEND): once the case is
    answered it would tell a member holding their answer that the full response is still
    to come. A later EXTEND's letter follows this one, so each still goes in turn."""
    return _finished(case)


def check_clarification_received(
    app: App, session: Session, case: CaseRow, row: OutboxRow
) -> str:
    """The member's letter that their FOI clarification was received, with the new date:
    once the request is answered, a member holding the answer needs no date for it, and
    once it is paused again (a further clarification asked), the date no longer holds."""
    if case.status == CaseStatus.PAUSED:
        return "the case was paused again: the new date no longer holds"
    return _finished(case)


def check_new_date_after_pause(
    app: App, session: Session, case: CaseRow, row: OutboxRow
) -> str:
    """The member's letter that a pause has ended and their date moved: an FOI request's
    fee received (fee_received), their reply that ended an officer's PAUSE
    (reply_received), or the RESUME that gave the date they were told would follow
    (pause_ended). Not once the case is answered, nor once it is paused again (the
    date in it no longer holds)."""
    if case.status == CaseStatus.PAUSED:
        return "the case was paused again: the new date no longer holds"
    return _finished(case)


CHECKS: dict[str, Check] = {
    "reminder": check_reminder,
    "overdue": check_reminder,
    "escalation": check_reminder,
    "late_notice": check_late_notice,
    ack_reminder.TEMPLATE: check_ack_reminder,
    confidentiality_chase.TEMPLATE: check_confidentiality_chase,
    pause_chase.TEMPLATE: check_pause_chase,
    access_request_reminder.TEMPLATE: check_access_request_reminder,
}

# Working-hours mail about many cases at once, reviewed case by case.
CASELESS_CHECKS: dict[str, Callable[[App, Session, OutboxRow, datetime], Verdict]] = {
    reminders.SUMMARY: review_summary,
}

# Not about cases, and not working-hours mail: the weekly digest, drawn again with the
# figures of the moment it goes, or withdrawn once a later one covers it.
WEEKLY_CHECKS: dict[str, Callable[[App, Session, OutboxRow, datetime], Verdict]] = {
    DIGEST: review_digest,
}

# Not working-hours mail: a case opened or moved at 20:00 is told to its officer at once.
ANY_HOUR_CHECKS: dict[str, AnyHourCheck] = {
    "ack": answered_ack,
    "assignment": check_assignment,
    "ooo_redirect": check_redirect,
    "reopened": check_reopened,
    "update": check_update,
    recall.PURPOSE: recall.check_at_send,
    bounce_notice.MEMBER_PURPOSE: check_member_bounce,
    "alternative_contact": check_member_told_of_new_officer,
    "extension_notice": check_extension_notice,
    "clarification_received": check_clarification_received,
    "fee_received": check_new_date_after_pause,
    "reply_received": check_new_date_after_pause,
    "pause_ended": check_new_date_after_pause,
    pause_letters.NOTICE: pause_letters.check_still_paused,
    pause_letters.HOLDING: pause_letters.check_still_paused,
}
