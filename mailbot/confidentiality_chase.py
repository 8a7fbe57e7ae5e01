"""Chasing an unanswered confidentiality question.

A member who asks for privacy must hear straight away whether it can be kept (MWDA 7.2:
if the officer cannot keep correspondence private "they must make this clear straight
away"; Cardiff: the officer "will then advise the Member" whether it can be in
confidence). The assignment asks the officer to reply CONFIDENTIAL OK or CONFIDENTIAL NO
"reason"; this sweep follows up when they have not.

With the pack's `[confidentiality] confirm_within_days = N` (default 1), counted in the
council's working days from the first working moment after the officer was asked (an
assignment at 19:00 on Wednesday is seen on Thursday morning, so Thursday is day 0):
- on working day N the officer gets one chase;
- on working day 2N, if still unanswered, their manager gets one escalation with the
  officer copied in; with no manager in the directory, or a complaint about that manager,
  the pack's monitoring officer (never one the complaint is about).

Rules that keep it safe (the same as the reminder sweep's):
- only inside the pack's working hours on a council working day, whoever calls it;
- each mail has a dedup key (case, officer, step) in the outbox, whose unique index is
  the ledger: at most one chase and one escalation per officer the case is given to,
  across restarts and overlapping runs; after downtime only the latest step goes;
- nothing once the question is answered (by the officer, their manager, deputy or an
  admin), nor for a case answered or closed;
- content-minimised: the reference, the kind, the member's name and how to answer,
  never the subject or any of the message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_session

from mailbot import outbox
from mailbot.assignment import CONFIDENTIALITY_ANSWERED, council_context
from mailbot.cases import KIND_LABELS
from mailbot.commands import role_of
from mailbot.complained_about import one_of
from mailbot.compose import Envelope
from mailbot.directory import Officer
from mailbot.languages import staff_languages
from mailbot.leavers import about_them
from mailbot.model import Kind
from mailbot.store.tables import CaseRow, EventRow
from mailbot.sweep import each_held_case_in_working_hours
from mailbot.sweep_queue import queue_once
from mailbot.workdays import LONDON, WorkingCalendar

if TYPE_CHECKING:
    from mailbot.app import App

log = logging.getLogger(__name__)

ChaseStep = Literal["chase", "escalation"]
TEMPLATE = "confidentiality_chase"
# The events commands.apply_confidential records for CONFIDENTIAL OK / CONFIDENTIAL NO.
ANSWERED = CONFIDENTIALITY_ANSWERED
# The events that give a case to an officer (cases.assign_case, REASSIGN, a redirect after
# an out-of-office or a bounce); their detail starts "to <address>".
GIVEN_TO = ("assigned", "reassigned")
# The event of a member asking for confidence in a case's thread (thread_mail): its
# officer is asked then, in the update that carries the member's mail.
REQUESTED_IN_THREAD = "confidentiality requested"


@dataclass(frozen=True)
class ChaseDays:
    """When the officer was asked (day 0), and the days of the chase and the escalation."""

    asked: date
    chase: date
    escalation: date

    def step_on(self, today: date) -> ChaseStep | None:
        """The latest step due by `today`: after downtime the stale chase is not sent."""
        if today >= self.escalation:
            return "escalation"
        if today >= self.chase:
            return "chase"
        return None


@dataclass
class ChaseReport:
    queued: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, step, recipient)
    skipped: str = ""  # why the sweep did nothing at all, if it did nothing


def chase_days(cal: WorkingCalendar, asked_at: datetime, within: int) -> ChaseDays:
    """Day 0 is the day of the first working moment at or after `asked_at`."""
    asked = cal.next_working_moment(asked_at).astimezone(LONDON).date()
    return ChaseDays(
        asked, cal.add_working_days(asked, within), cal.add_working_days(asked, 2 * within)
    )


def asks_confidentiality(case: CaseRow) -> bool:
    """The cases whose assignment asks CONFIDENTIAL OK/NO (assignment.officer_context) and
    where the command is accepted (commands.apply_confidential)."""
    return case.confidential or case.kind == Kind.CONFIDENTIALITY.value


def sweep(app: App, now: datetime) -> ChaseReport:
    """Queue the chases and escalations due at `now`. Sends nothing itself."""
    report = ChaseReport()
    rules = app.policy.confidentiality
    if not rules.say_at_once_if_not_possible:
        report.skipped = "the pack does not ask for an answer straight away"
        return report
    each_held_case_in_working_hours(
        app,
        now,
        report,
        lambda session, case: _chase_case(app, session, case, now, report),
        or_(CaseRow.confidential.is_(True), CaseRow.kind == Kind.CONFIDENTIALITY.value),
        what="confidentiality chase",
    )
    return report


def _chase_case(
    app: App, session: Session, case: CaseRow, now: datetime, report: ChaseReport
) -> None:
    today = now.astimezone(LONDON).date()
    if not asks_confidentiality(case) or answered(session, case):
        return
    days = chase_days(
        app.policy.council_calendar(),
        asked_at(session, case),
        app.policy.confidentiality.confirm_within_days,
    )
    step = days.step_on(today)
    if step is None:
        return
    queued = _queue(app, session, case, step, days, now)
    if queued is not None:
        report.queued.append((case.ref, step, queued))


def answered(session: Session, case: CaseRow) -> bool:
    """CONFIDENTIAL OK or NO has been accepted on this case (by anyone allowed to)."""
    found = session.scalar(
        select(EventRow.id)
        .where(EventRow.case_id == case.id, EventRow.action.in_(ANSWERED))
        .limit(1)
    )
    return found is not None


def asked_at(session: Session, case: CaseRow) -> datetime:
    """When the case was last given to its current officer (their assignment asked the
    question then), or the member last asked for confidence in its thread (the officer's
    update asked it then), whichever is later; the case's opening if no event says so."""
    assert case.officer_email is not None
    events = session.scalars(
        select(EventRow)
        .where(EventRow.case_id == case.id,
               EventRow.action.in_((*GIVEN_TO, REQUESTED_IN_THREAD)))
        .order_by(EventRow.id.desc())
    )
    for event in events:
        if event.action == REQUESTED_IN_THREAD or _names(event.detail, case.officer_email):
            return event.at
    return case.created_at


def _names(detail: str, address: str) -> bool:
    head = f"to {address}"
    return detail == head or detail.startswith((f"{head}:", f"{head} "))


def escalation_target(app: App, case: CaseRow, officer: Officer) -> tuple[Officer, str] | None:
    """The officer's manager, else the pack's monitoring officer; None if that would be
    the officer themselves. Never an officer the case's complaint is (or may be) about:
    they would be asked to see the complaint against them dealt with."""
    passed_over = about_them(case)
    manager = app.directory.manager_of(officer.email)
    if (manager is not None and manager.email != officer.email
            and not one_of(manager.email, passed_over)):
        return manager, "manager"
    monitoring = app.policy.routing.monitoring_officer
    if monitoring == officer.email or one_of(monitoring, passed_over):
        return None
    found = app.directory.officer(monitoring) or Officer("the Monitoring Officer", monitoring)
    return found, "monitoring officer"


def _queue(
    app: App, session: Session, case: CaseRow, step: ChaseStep, days: ChaseDays, now: datetime
) -> str | None:
    """Queue one chase or escalation; returns its recipient, or None if already queued."""
    assert case.officer_email is not None
    mail = chase_mail(app, case, step, days)
    if mail is None:
        # The monitoring officer's own case, say: nobody above to tell. Quietly, as
        # this is asked again at every sweep.
        log.debug("confidentiality chase: nobody above %s for %s", case.officer_email, case.ref)
        return None
    # Bounded by the ledger (two mails per officer per case), like the reminders.
    action = "confidentiality chase queued" if step == "chase" else "confidentiality escalated"
    return queue_once(session, case, mail, purpose=TEMPLATE,
                      dedup_key=dedup_key(app, case, step), now=now, action=action, step=step)


def current_officer(app: App, case: CaseRow) -> Officer:
    assert case.officer_email is not None
    return app.directory.officer_or_address(case.officer_email)


def dedup_key(app: App, case: CaseRow, step: ChaseStep) -> str:
    """One chase and one escalation per officer the case is given to."""
    return f"{TEMPLATE}:{case.ref}:{current_officer(app, case).email}:{step}"


def chase_mail(
    app: App, case: CaseRow, step: ChaseStep, days: ChaseDays
) -> outbox.Rewritten | None:
    """The chase or escalation as the case and directory stand now; None for an escalation
    with nobody above the officer. Queued by the sweep, and written again by the
    send-time check (mailbot.still_due) if it goes later."""
    officer = current_officer(app, case)
    target: tuple[Officer, str] | None = None
    if step == "escalation":
        target = escalation_target(app, case, officer)
        if target is None:
            return None
    to = target[0].email if target else officer.email
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(to,),
        cc=(officer.email,) if target else (),
        instance=app.settings.council.instance,
    )
    member = app.directory.member(case.member_email)
    languages = staff_languages(app.policy.language, member.language if member else None)
    context = chase_context(app, case, step, days, officer, target)
    return outbox.Rewritten(app.renderer.render(TEMPLATE, context, languages), envelope)


def chase_context(
    app: App,
    case: CaseRow,
    step: ChaseStep,
    days: ChaseDays,
    officer: Officer,
    target: tuple[Officer, str] | None,
) -> dict[str, Any]:
    """The whitelisted values the template may see: no subject, no message, by design."""
    member = app.directory.member(case.member_email)
    recipient = target[0] if target else officer
    above = escalation_target(app, case, officer) if step == "chase" else None
    return {
        "council": council_context(app),
        "officer": {"name": officer.name, "email": officer.email, "service": officer.service},
        "recipient": {
            "name": recipient.name,
            "email": recipient.email,
            "role": target[1] if target else "officer",
        },
        "member": {"name": member.name if member else (case.member_name or case.member_email)},
        "case": {
            "ref": case.ref,
            "kind": case.kind,
            "kind_label": KIND_LABELS[Kind(case.kind)],
            "received": case.received_at.astimezone(LONDON).date(),
            "confidentiality_request": case.kind == Kind.CONFIDENTIALITY.value,
        },
        "chase": {
            "step": step,
            "asked": days.asked,
            "escalation": days.escalation,
            "within": app.policy.confidentiality.confirm_within_days,
            # A manager's CONFIDENTIAL reply is accepted (commands.role_of); a monitoring
            # officer's is not unless they are an admin, so they are asked to get it done.
            "may_answer": role_of(app, case, recipient.email, object_session(case)) is not None,
            "escalates_to": above[0].name if above else "",  # who is told if not answered
        },
    }
