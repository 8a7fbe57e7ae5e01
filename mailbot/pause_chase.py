"""Chasing a paused case that nobody has taken up again.

A paused case gets no reminders (mailbot/reminders.py): its response clock is stopped. Two
kinds of pause would otherwise sit for ever, and the member's enquiry with them:

- **An out-of-office pause** (mailbot/absence.py, under a pack whose clock pauses for an
  officer's absence, Colchester 16(3)): the case waits for someone to take it with
  REASSIGN. mailbot asked the alternative contact (the deputy, a colleague the note names,
  the manager, else the default officer or an administrator) to redirect it. If the case is
  still paused `redirect_chase_after` working days later (the pack's `[reminders]`,
  default 2), that same person is chased, once ("redirect").
- **An officer's PAUSE** (mailbot/commands/pause.py), waiting for the member or for
  something else: if nobody has RESUMEd it `pause_reminder_after` working days later
  (default 10), the officer who holds it is reminded, once ("resume").

Days count in the council's working days from the first working moment after the pause
(a pause at 19:00 on Wednesday is seen on Thursday morning: Thursday is day 0).

Rules, as for the other chases (mailbot/confidentiality_chase.py):
- only inside the pack's working hours on a council working day;
- the dedup key names the case and the pause (its clock event), so each pause is chased at
  most once, across restarts and overlapping runs; a case paused again later is a new
  pause, chased in its turn;
- the send-time check (mailbot.still_due) withdraws a chase whose pause has ended (the case
  taken on, resumed, answered or closed) and writes it again for the day it goes;
- a confidential case's chase says there is one, never its subject nor the officer's
  reason for the pause.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import outbox
from mailbot.assignment import chase_values
from mailbot.cases import OOO_PAUSE
from mailbot.compose import Envelope
from mailbot.directory import Officer
from mailbot.handover import can_take_cases
from mailbot.languages import staff_languages
from mailbot.model import CaseStatus
from mailbot.store.tables import CaseRow, ClockEventRow, OutboxRow
from mailbot.sweep import each_held_case_in_working_hours
from mailbot.sweep_queue import queue_once
from mailbot.workdays import LONDON, WorkingCalendar

if TYPE_CHECKING:
    from mailbot.app import App

log = logging.getLogger(__name__)

TEMPLATE = "pause_chase"
ChaseStep = Literal["redirect", "resume"]


@dataclass(frozen=True)
class Pause:
    """The pause that holds a case's response clock now: its clock event."""

    event_id: int
    at: datetime
    who: str  # the absent officer, or whoever sent PAUSE
    why: str

    @property
    def absence(self) -> bool:
        return self.why.startswith(OOO_PAUSE)

    @property
    def step(self) -> ChaseStep:
        return "redirect" if self.absence else "resume"


@dataclass
class PauseChaseReport:
    queued: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, step, recipient)
    skipped: str = ""  # why the sweep did nothing at all, if it did nothing


def current_pause(session: Session, case: CaseRow) -> Pause | None:
    """The last pause of the case's response clock, while the case is paused."""
    if case.status != CaseStatus.PAUSED:
        return None
    row = session.scalar(
        select(ClockEventRow)
        .where(
            ClockEventRow.case_id == case.id,
            ClockEventRow.clock == "response",
            ClockEventRow.action == "pause",
        )
        .order_by(ClockEventRow.id.desc())
        .limit(1)
    )
    return None if row is None else Pause(row.id, row.at, row.who, row.why)


def chase_after(app: App, step: ChaseStep) -> int:
    """Working days the pause may last before its chase (0: never chased)."""
    rules = app.policy.reminders
    return rules.redirect_chase_after if step == "redirect" else rules.pause_reminder_after


def chase_day(cal: WorkingCalendar, paused_at: datetime, after: int) -> date:
    """Day 0 is the day of the first working moment at or after the pause."""
    day0 = cal.next_working_moment(paused_at).astimezone(LONDON).date()
    return cal.add_working_days(day0, after)


def dedup_key(case: CaseRow, pause: Pause) -> str:
    """pause_chase:<ref>:<pause's clock event>:<step>: once per pause."""
    return f"{TEMPLATE}:{case.ref}:{pause.event_id}:{pause.step}"


def sweep(app: App, now: datetime) -> PauseChaseReport:
    """Queue the chases due at `now`. Sends nothing itself."""
    report = PauseChaseReport()
    each_held_case_in_working_hours(
        app,
        now,
        report,
        lambda session, case: _chase_case(app, session, case, now, report),
        CaseRow.status == CaseStatus.PAUSED.value,
        what="pause chase",
    )
    return report


def _chase_case(
    app: App, session: Session, case: CaseRow, now: datetime, report: PauseChaseReport
) -> None:
    today = now.astimezone(LONDON).date()
    pause = current_pause(session, case)
    if pause is None:
        return
    after = chase_after(app, pause.step)
    if after == 0 or today < chase_day(app.policy.council_calendar(), pause.at, after):
        return
    mail = chase_mail(app, session, case, pause, today)
    if mail is None:
        log.debug("pause chase: nobody to chase for %s", case.ref)
        return
    # One per pause, bounded by its dedup key.
    to = queue_once(session, case, mail, purpose=TEMPLATE, dedup_key=dedup_key(case, pause),
                    now=now, action=f"{TEMPLATE} queued", step=pause.step)
    if to is not None:
        report.queued.append((case.ref, pause.step, to))


def redirect_request(session: Session, case: CaseRow, pause: Pause) -> OutboxRow | None:
    """absence.py's mail asking someone to redirect the case away from the absent officer
    (purpose ooo_redirect, its key naming them); None if there was nobody to ask, or the
    request was withdrawn before it went (the absent officer came back and acted)."""
    row = session.scalar(
        select(OutboxRow).where(
            OutboxRow.case_id == case.id,
            OutboxRow.purpose == "ooo_redirect",
            OutboxRow.dedup_key == f"ooo_redirect:{case.id}:{pause.who}"[:200],
        )
    )
    return None if row is None or row.status == "withdrawn" else row


def chase_mail(
    app: App, session: Session, case: CaseRow, pause: Pause, today: date
) -> outbox.Rewritten | None:
    """The chase as the case stands on `today`: to whoever was asked to redirect it, or
    to the officer who paused it. None if there is nobody to chase. Queued by the sweep,
    and written again by the send-time check (mailbot.still_due) if it goes later."""
    assert case.officer_email is not None
    holder = app.directory.officer_or_address(case.officer_email)
    asked_at: datetime | None = None
    if pause.step == "redirect":
        request = redirect_request(session, case, pause)
        if request is None:
            return None
        to = request.recipients.partition(",")[0].strip()
        asked_at = request.sent_at or request.created_at
    else:
        to = holder.email
    recipient = app.directory.officer_or_address(to)
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(recipient.email,),
        instance=app.settings.council.instance,
    )
    member = app.directory.member(case.member_email)
    languages = staff_languages(app.policy.language, member.language if member else None)
    context = chase_context(app, case, pause, holder, recipient, asked_at, today)
    return outbox.Rewritten(app.renderer.render(TEMPLATE, context, languages), envelope)


def chase_context(
    app: App,
    case: CaseRow,
    pause: Pause,
    holder: Officer,
    recipient: Officer,
    asked_at: datetime | None,
    today: date,
) -> dict[str, Any]:
    """The whitelisted values the template may see: for a confidential case no subject
    and no reason (the officer's own words may say what the case is about)."""
    values = chase_values(app, case, holder)
    confidential = values["case"]["confidential"]
    since = pause.at.astimezone(LONDON).date()
    cal = app.policy.council_calendar()
    return {
        **values,
        "recipient": {"name": recipient.name, "email": recipient.email},
        "pause": {
            "step": pause.step,
            "since": since,
            "working_days": cal.working_days_between(since, today),
            "by": app.directory.display(pause.who),
            "reason": "" if confidential or pause.absence else " ".join(pause.why.split())[:200],
            "asked": asked_at.astimezone(LONDON).date() if asked_at else None,
            # An administrator outside officers.csv may pass the case on, not take it.
            "may_take": can_take_cases(app, recipient.email),
        },
    }
