"""The send-time checks (mailbot.still_due) of the mail about a case that goes at any
hour: an officer's assignment, an out-of-office redirect, the notices of a reopened case,
of mail in its thread and of a bounce to the member, and the member's letters (a new
officer, a later date, a clarification or fee received, a pause ended). Each says why the
mail no longer stands, "" to send it as queued, or gives it written again for whoever
holds the case now."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot import bounce_notice, case_notice, thread_notices
from mailbot.absence import redirect_gone
from mailbot.addresses import same_address
from mailbot.at_send_reasons import finished
from mailbot.model import CaseStatus
from mailbot.outbox import Rewritten
from mailbot.store.tables import CaseRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App


def check_assignment(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> str:
    """The officer's assignment (assignment.queue_officer_mail): only while it is still
    news to them. A finished case is withdrawn whoever it is with: an officer told of a
    case after it was answered would take it for work to do. The handover that moved the
    case queued the new officer's own assignment."""
    return finished(case) or _moved_on(case, row)


def _moved_on(case: CaseRow, row: OutboxRow) -> str:
    """Why mail to one officer about the case is no longer theirs, or "". Officer mail
    (assignment.queue_officer_mail) goes to one officer: To comes first."""
    to = row.recipients.partition(",")[0].strip().lower()
    holder = (case.officer_email or "").strip().lower()
    if not same_address(to, holder):
        return f"the case is now with {case.officer_email or 'nobody'}"
    return ""


def check_redirect(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> str:
    """An out-of-office redirect (absence): "the case is now with you" or "please pass it
    on". Neither is news once the case is finished; absence.redirect_gone says when the
    case has moved since, or the absent officer is back."""
    return finished(case) or redirect_gone(session, case, row)


def check_reopened(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> Rewritten | str:
    """The officer's notice that the member's follow-up reopened the case, and the
    member's letter saying so with the new response date. Once the case is answered or
    closed again both are untrue ("will respond by"). A case passed on since is told to
    its officer now, not the one it left: their assignment quotes only the first message,
    and the follow-up is what needs answering."""
    if gone := finished(case):
        return gone
    to = row.recipients.partition(",")[0].strip().lower()
    if same_address(to, case.member_email):
        return ""
    return _to_the_holder(app, session, case, row, now)


def check_update(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> Rewritten | str:
    """The officer's notice of mail in the case's thread (the member writing again,
    someone else, mail that may be forged). It goes even if the case was answered since:
    the member's new words may still need an answer. A case passed on since is told to
    its officer now."""
    return _to_the_holder(app, session, case, row, now)


def _to_the_holder(
    app: App, session: Session, case: CaseRow, row: OutboxRow, now: datetime
) -> Rewritten | str:
    """Nothing ("") while the notice's reader is still who is told of the case (its
    officer, else the stand-in: case_notice); else the notice written again for who is;
    else why it cannot go."""
    to = row.recipients.partition(",")[0].strip()
    reader = case_notice.reader(app, case)
    if reader is not None and same_address(to, reader):
        return ""
    moved = f"the case is now with {case.officer_email or 'nobody'}"
    rewritten = thread_notices.notice_for_holder(app, session, case, row.dedup_key,
                                                 now=now)
    return rewritten if rewritten is not None else moved


def check_member_bounce(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> Rewritten | str:
    """The officer's notice that our mail to the member bounced (bounce_notice). Like an
    assignment it is withdrawn once the case is answered or closed: the member has had
    their answer, and "contact them another way" is no work left. Like an update, a case
    passed on since (or taken up by an officer, after the stand-in was told) is told to
    whoever is told now, not the one it left."""
    if gone := finished(case):
        return gone
    reader = bounce_notice.member_bounce_reader(app, case) or ""
    to = row.recipients.partition(",")[0].strip()
    if same_address(to, reader):
        return ""
    moved = f"the case is now with {case.officer_email or 'nobody'}"
    rewritten = bounce_notice.member_bounce_for_holder(app, session, case, row, now=now)
    return rewritten if rewritten is not None else moved


def check_member_told_of_new_officer(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> str:
    """The member's letter naming who deals with their case now
    (letters.tell_member_of_new_officer): not sent after the answer, as when queued."""
    return finished(case)


def check_extension_notice(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> str:
    """The member's letter that the response will be later (EXTEND): once the case is
    answered it would tell a member holding their answer that the full response is still
    to come. A later EXTEND's letter follows this one, so each still goes in turn."""
    return finished(case)


def check_clarification_received(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> str:
    """The member's letter that their FOI clarification was received, with the new date:
    once the request is answered, a member holding the answer needs no date for it, and
    once it is paused again (a further clarification asked), the date no longer holds."""
    if case.status == CaseStatus.PAUSED:
        return "the case was paused again: the new date no longer holds"
    return finished(case)


def check_new_date_after_pause(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> str:
    """The member's letter that a pause has ended and their date moved: an FOI request's
    fee received (fee_received), their reply that ended an officer's PAUSE
    (reply_received), or the RESUME that gave the date they were told would follow
    (pause_ended). Not once the case is answered, nor once it is paused again (the
    date in it no longer holds)."""
    if case.status == CaseStatus.PAUSED:
        return "the case was paused again: the new date no longer holds"
    return finished(case)

