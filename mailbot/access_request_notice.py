"""What the officer is told of data protection law's date beside the protocol's.

A PAUSE or RESUME of a case marked subject access moves only the protocol's date: their
confirmations say the law's date does not move, and when the protocol's new date falls
after it (law_date_beside_pause; commands/pause.py).

The officer who holds a case is told when someone else marks it as a subject access
request, or takes the mark off (mailbot.triage.set_subject_access: an administrator's
`mailbot subject-access REF`, a manager's `SAR` reply): without it the holder learnt of
the law's date from its first reminder, a working week before it at best.

The notice goes once per change (its dedup key counts the case's marks and unmarks), to
the holder only: the member is sent nothing (marking sends the member nothing; see
triage.mark_subject_access). It says what case, that it is now (or no longer) treated as
a subject access request, the law's date, the protocol's clock (its reply-by date, or
that it is paused, why and since when, as the assignment and the law's reminders say),
who changed it, and how to undo it (`SAR NO`, or `SAR`). Not for a case with no officer,
nor a finished one, nor when the holder made the change themselves (their command's
answer says it)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot import foi_pause, ledger, outbox
from mailbot.acknowledgement import subject_access_context
from mailbot.addresses import same_address
from mailbot.assignment import chase_values
from mailbot.compose import Envelope
from mailbot.directory import Officer
from mailbot.languages import Bilingual, long_date_cy, staff_languages
from mailbot.member_cases import shown_as_confidential
from mailbot.model import FINISHED, CaseStatus
from mailbot.render import long_date
from mailbot.store.tables import CaseRow, EventRow
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App

TEMPLATE = "subject_access_notice"
MARKED, UNMARKED = "subject access marked", "subject access unmarked"
ADMIN = "admin:"  # how the CLI records an administrator who gave no --by


def law_date_beside_pause(app: App, case: CaseRow, *, resumed: bool) -> Bilingual | None:
    """For the PAUSE (or, `resumed`, RESUME) confirmation of a case marked subject access:
    that the law's date (one calendar month from receipt, or three once extended) does not
    move with the pause, named; after a RESUME, when the protocol's new date falls after
    it, that too. None for any other case. The law's date arithmetic is the
    acknowledgement's (acknowledgement.subject_access_context)."""
    access = subject_access_context(app, case)
    if access is None:
        return None
    law, ref = access["due"], case.ref
    if not resumed:
        return Bilingual(
            f"{ref} is a subject access request: data protection law's date, "
            f"{long_date(law)}, does not move with the pause (the law's month runs from "
            "receipt, UK GDPR Article 12(3)); the response must still go by then.",
            f"Mae {ref} yn gais gwrthrych am wybodaeth: nid yw dyddiad cyfraith diogelu "
            f"data, {long_date_cy(law)}, yn symud gyda'r oedi (mae mis y gyfraith yn rhedeg "
            "o'r diwrnod y daeth i law, Erthygl 12(3) GDPR y DU); rhaid i'r ymateb fynd "
            "erbyn hynny o hyd.",
        )
    en = (f"{ref} is a subject access request: data protection law's date, "
          f"{long_date(law)}, did not move with the pause.")
    cy = (f"Mae {ref} yn gais gwrthrych am wybodaeth: ni symudodd dyddiad cyfraith diogelu "
          f"data, {long_date_cy(law)}, gyda'r oedi.")
    due = case.response_due
    if due is not None and due > law:
        en += (f" The protocol's date now falls after it, so answer by {long_date(law)}, "
               f"not {long_date(due)}.")
        cy += (f" Mae dyddiad y protocol bellach ar ôl hynny, felly atebwch erbyn "
               f"{long_date_cy(law)}, nid {long_date_cy(due)}.")
    return Bilingual(en, cy)


def holder_to_tell(case: CaseRow, who: str) -> str | None:
    """The officer to be told of a mark `who` set or cleared on `case`: the one who holds
    it, unless that is `who` themselves or the case is finished (None then)."""
    holder = case.officer_email
    if not holder or case.status in FINISHED or same_address(who, holder):
        return None
    return holder


def tell_the_holder(
    app: App, session: Session, case: CaseRow, marked: bool, *, who: str, now: datetime
) -> bool:
    """Queue the notice to the case's holder of a mark `who` just set (or cleared), in the
    caller's transaction, after its timeline entry; whether one was queued."""
    holder = holder_to_tell(case, who)
    if holder is None:
        return False
    officer = app.directory.officer_or_address(holder)
    member = app.directory.member(case.member_email)
    context = notice_context(app, case, officer, marked, who,
                             paused=clock_paused(session, case))
    rendered = app.renderer.render(
        TEMPLATE, context,
        staff_languages(app.policy.language, member.language if member else None),
    )
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(officer.email,),
        instance=app.settings.council.instance,
    )
    row = outbox.queue(
        session, purpose=TEMPLATE, dedup_key=dedup_key(session, case), case=case,
        rendered=rendered, envelope=envelope, now=now, automatic=False,
    )
    if row is None:
        return False
    ledger.record_event(
        session, now, "mailbot", f"{TEMPLATE} queued",
        f"{'marked' if marked else 'unmarked'} to {officer.email}", case=case,
    )
    return True


def dedup_key(session: Session, case: CaseRow) -> str:
    """subject_access_notice:<ref>:<the case's marks and unmarks so far>: one notice per
    change, across repeated or overlapping runs."""
    changes = session.scalar(
        select(func.count(EventRow.id)).where(
            EventRow.case_id == case.id, EventRow.action.in_((MARKED, UNMARKED))
        )
    )
    return f"{TEMPLATE}:{case.ref}:{changes or 0}"


def clock_paused(session: Session, case: CaseRow) -> dict[str, Any] | None:
    """{since, why} of the pause holding the case's response clock (why "" for a
    confidential case, as the pause chase leaves it out); None when the clock runs."""
    pause = foi_pause.last_pause(session, case)
    if case.status != CaseStatus.PAUSED or pause is None:
        return None
    return {"since": pause.at.astimezone(LONDON).date(),
            "why": "" if shown_as_confidential(case) else pause.why}


def notice_context(
    app: App, case: CaseRow, holder: Officer, marked: bool, who: str,
    paused: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The whitelisted values the template may see: for a confidential case no subject.
    The law's date is the acknowledgement's (acknowledgement.subject_access_context),
    None once the mark is taken off; `paused` is clock_paused's."""
    values = chase_values(app, case, holder)
    member = app.directory.member(case.member_email)
    access = subject_access_context(app, case)
    due = access["due"] if access else None
    values["member"]["ward"] = member.ward if member else ""
    values["case"]["response_due"] = case.response_due
    values["case"]["paused"] = paused
    return {
        **values,
        "access": {"marked": marked, "due": due,
                   "extended": bool(access and access["extended"])},
        "marker": marker(app, who),
    }


def marker(app: App, who: str) -> dict[str, Any]:
    """Who changed the mark, as the notice names them: an officer or member by name, an
    administrator (the CLI's 'admin:LOGIN') as one, anyone else as recorded (--by)."""
    if who.startswith(ADMIN):
        return {"admin": True, "name": who[len(ADMIN):]}
    return {"admin": False, "name": app.directory.display(who)}
