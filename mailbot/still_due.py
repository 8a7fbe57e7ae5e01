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

The checks are in modules of their own: the reminder sweeps' mail
(mailbot.reminders_at_send), the other mail about a case, which goes at any hour
(mailbot.case_mail_at_send), and the reasons they share (mailbot.at_send_reasons). This
module is the review the flush calls, and the table of which check each mail gets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from mailbot import (
    access_request_reminder,
    ack_reminder,
    bounce_notice,
    confidentiality_chase,
    pause_chase,
    pause_letters,
    recall,
    reminders,
)
from mailbot.acknowledgement import answered_ack
from mailbot.alerts_at_send import ALERT_CHECKS
from mailbot.case_mail_at_send import (
    check_assignment,
    check_clarification_received,
    check_extension_notice,
    check_member_bounce,
    check_member_told_of_new_officer,
    check_new_date_after_pause,
    check_redirect,
    check_reopened,
    check_update,
)
from mailbot.digest.at_send import review_digest
from mailbot.digest.keys import PURPOSE as DIGEST
from mailbot.outbox import SEND_AS_QUEUED, Review, Rewritten, Verdict
from mailbot.reminders_at_send import (
    check_access_request_reminder,
    check_ack_reminder,
    check_confidentiality_chase,
    check_late_notice,
    check_pause_chase,
    check_reminder,
    review_summary,
)
from mailbot.store.tables import CaseRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App

# A check: the mail as it should go now, or why it should not go at all.
Check = Callable[["App", Session, CaseRow, OutboxRow, datetime], "Rewritten | str"]


class AnyHourCheck(Protocol):
    """A check of mail that goes at any hour: why it should not go at all, "" to send it
    as queued, or the mail written again for the case as it is now, on the day it goes
    (`now`: an officer's mail gives that day as RESUME's example)."""

    def __call__(self, app: App, session: Session, case: CaseRow, row: OutboxRow, /, *,
                 now: datetime) -> Rewritten | str: ...


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
        said = any_hour(app, session, case, row, now=now)
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
