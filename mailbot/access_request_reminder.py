"""Reminding the officer of data protection law's date for a subject access request.

A case marked `subject_access` (mailbot/access_request.py) runs on the protocol's
enquiry clock, and its reminders (mailbot/reminders.py) follow that clock: none while it
is paused (waiting for the requester's proof of identity, say), a new schedule after an
EXTEND, and none once the overdue reminders have escalated and gone quiet. The law's one
calendar month from receipt (UK GDPR Article 12(3)) keeps running through all of that. So
the officer who holds an unfinished case marked subject access is reminded of the law's
date itself, twice at most:

- "before": LEAD_DAYS council working days before the date. Five working days is a
  working week: enough to finish collating and redacting, or to decide that the request is
  complex and tell the requester of the two-month extension, which must be done within the
  month; not so early that it reads as the protocol's own before-due reminder, which comes
  a couple of days before the (usually shorter) enquiry date;
- "passed": on the first council working day after the date, copied to the pack's data
  protection officer ([policy.routing] subject_access) when someone else holds the case,
  since a missed month is theirs to answer for to the ICO.

Each goes once: its dedup key names the case, the law's date and the step, and the
outbox's unique index on it is the ledger, across restarts and overlapping runs. Only the
latest step due is sent (a case first marked after the "before" day, or the mailbox down
over the date, gets one mail, not both). A reminder goes alone, never in the officer's
daily summary of the protocol's reminders: it is about another law's date.

Rules, as for the other reminders:
- only inside the pack's working hours on a council working day;
- the send-time check (mailbot.still_due) withdraws one whose case is answered or
  closed, no longer marked subject access, or whose date has moved, and writes it again
  for the case's holder and the day it goes;
- a confidential case's reminder says there is one, never its subject.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.orm import Session, object_session

from mailbot import outbox
from mailbot.acknowledgement import subject_access_context, subject_access_extended
from mailbot.addresses import same_address
from mailbot.assignment import chase_values
from mailbot.compose import Envelope
from mailbot.directory import Officer
from mailbot.languages import staff_languages
from mailbot.member_cases import subjects_erased
from mailbot.model import CaseStatus, Kind
from mailbot.store.tables import CaseRow
from mailbot.sweep import each_held_case_in_working_hours
from mailbot.sweep_queue import queue_once
from mailbot.workdays import LONDON, WorkingCalendar

if TYPE_CHECKING:
    from mailbot.app import App

TEMPLATE = "access_request_reminder"
LEAD_DAYS = 5  # council working days before the law's date (see the module's docstring)
AccessStep = Literal["before", "passed"]


@dataclass
class AccessReminderReport:
    queued: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, step, recipient)
    skipped: str = ""  # why the sweep did nothing at all, if it did nothing


def law_date(app: App, case: CaseRow) -> date | None:
    """The date data protection law gives the council to answer the case (with the two
    further months once an EXTEND took them); None when the case is not a subject access
    request (nor an enquiry or FOI request marked one)."""
    found = subject_access_context(app, case)
    return None if found is None else found["due"]


def step_on(cal: WorkingCalendar, due: date, today: date) -> AccessStep | None:
    """The reminder due on `today` for a law's date of `due`: "passed" once it is behind
    us, "before" from LEAD_DAYS working days before it, else none."""
    if today > due:
        return "passed"
    if today >= cal.add_working_days(due, -LEAD_DAYS):
        return "before"
    return None


def dedup_key(case: CaseRow, due: date, step: AccessStep) -> str:
    """access_request_reminder:<ref>:<the law's date>:<step>: once per date and step."""
    return f"{TEMPLATE}:{case.ref}:{due.isoformat()}:{step}"


def key_parts(key: str) -> tuple[date, AccessStep] | None:
    """(the law's date, step) of a dedup_key; None if it is not one."""
    head, _, rest = key.partition(":")
    parts = rest.rsplit(":", 2)
    if head != TEMPLATE or len(parts) != 3 or parts[2] not in ("before", "passed"):
        return None
    try:
        due = date.fromisoformat(parts[1])
    except ValueError:
        return None
    return due, "before" if parts[2] == "before" else "passed"


def sweep(app: App, now: datetime) -> AccessReminderReport:
    """Queue the subject access reminders due at `now`. Sends nothing itself."""
    report = AccessReminderReport()
    each_held_case_in_working_hours(
        app,
        now,
        report,
        lambda session, case: _remind(app, session, case, now, report),
        CaseRow.subject_access.is_(True),
        CaseRow.kind.in_((Kind.ENQUIRY.value, Kind.FOI.value)),
        what="subject access reminders",
    )
    return report


def _remind(
    app: App, session: Session, case: CaseRow, now: datetime, report: AccessReminderReport
) -> None:
    due = law_date(app, case)
    today = now.astimezone(LONDON).date()
    step = None if due is None else step_on(app.policy.council_calendar(), due, today)
    if due is None or step is None:
        return
    mail = reminder_mail(app, case, due, step, today)
    # At most two per case, bounded by their dedup keys.
    to = queue_once(session, case, mail, purpose=TEMPLATE, dedup_key=dedup_key(case, due, step),
                    now=now, action=f"{TEMPLATE} queued", step=step)
    if to is not None:
        report.queued.append((case.ref, step, to))


def reminder_mail(
    app: App, case: CaseRow, due: date, step: AccessStep, today: date
) -> outbox.Rewritten:
    """The reminder as the case stands on `today`, to the officer who holds it (the data
    protection officer copied in on "passed"). Queued by the sweep, and written again by
    the send-time check (mailbot.still_due) when it goes later."""
    assert case.officer_email is not None
    holder = app.directory.officer_or_address(case.officer_email)
    dpo = app.policy.routing.subject_access or ""
    copy = step == "passed" and bool(dpo) and not same_address(dpo, holder.email)
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(holder.email,),
        cc=(dpo,) if copy else (),
        instance=app.settings.council.instance,
    )
    member = app.directory.member(case.member_email)
    languages = staff_languages(app.policy.language, member.language if member else None)
    context = reminder_context(app, case, holder, due, step, today)
    return outbox.Rewritten(app.renderer.render(TEMPLATE, context, languages), envelope)


def reminder_context(
    app: App, case: CaseRow, holder: Officer, due: date, step: AccessStep, today: date
) -> dict[str, Any]:
    """The whitelisted values the template may see: for a confidential case no subject."""
    values = chase_values(app, case, holder)
    dpo = app.policy.routing.subject_access or ""
    confidential, subject = values["case"]["confidential"], values["case"]["subject"]
    cal = app.policy.council_calendar()
    session = object_session(case)
    erased = session is not None and case.id in subjects_erased(session, [case.id])
    values["case"].update({
        "subject_erased": not confidential and not subject and erased,
        "paused": case.status == CaseStatus.PAUSED,
        "extendable": app.policy.can_extend(Kind(case.kind)),
    })
    return {
        **values,
        "access": {
            "step": step,
            "due": due,
            "extended": subject_access_extended(case),
            "working_days_left": cal.working_days_between(today, due) if step == "before"
            else 0,
            "working_days_since": cal.working_days_between(due, today) if step == "passed"
            else 0,
            # Not when the data protection officer holds it: never told to tell themself.
            "dpo": "" if same_address(dpo, holder.email) else dpo,
        },
    }
