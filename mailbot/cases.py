"""Opening cases, assigning them, their clocks and due dates, and what later mail does to them
(a follow-up, a reopening, a pause lifted). What the member is told at the start is
mailbot/acknowledgement.py; recognising the answer, mailbot/answered.py."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from mailbot import foi_pause, ledger, on_behalf, routing
from mailbot.addresses import address_forms
from mailbot.clock import (
    ABSENCE_PAUSE,
    ESCALATED_RESTART,
    REOPENED_RESTART,
    ClockEvent,
    Deadlines,
    case_deadlines,
    due_dates,
)
from mailbot.complained_about import COMPLAINT_ABOUT, COMPLAINT_MAYBE_ABOUT, one_of
from mailbot.directory import Officer
from mailbot.forwarded_subject import case_subject
from mailbot.languages import (
    Bilingual,
    welsh_of,
)
from mailbot.model import CaseStatus, Classification, Kind, ParsedMessage, Priority
from mailbot.quoting import own_text
from mailbot.refs import format_ref
from mailbot.store.insert_now import insert_now
from mailbot.store.tables import (
    CaseRow,
    ClockEventRow,
    EventRow,
    MessageRow,
    RefCounterRow,
)

if TYPE_CHECKING:
    from mailbot.app import App

LONDON = ZoneInfo("Europe/London")

KIND_LABELS = {
    Kind.ENQUIRY: "enquiry",
    Kind.FOI: "request for information",
    Kind.COMPLAINT: "complaint",
    Kind.CONFIDENTIALITY: "request for confidentiality",
}


# Built once: it runs for every new case, and building a statement costs as much as
# running it on SQLite. A plain (Core) statement on the session's connection: nothing
# reads a counter back through the session, so the ORM's bookkeeping would be work for
# nothing.
_COUNTERS = RefCounterRow.metadata.tables[RefCounterRow.__tablename__]
_TAKE_NEXT_NUMBER = (
    update(_COUNTERS)
    .where(_COUNTERS.c.year == bindparam("wanted_year"))
    .values(last=_COUNTERS.c.last + 1)
    .returning(_COUNTERS.c.last)
)


def next_ref(session: Session, year: int) -> str:
    """MB-2026-00042: numbered per year, never reused. One UPDATE … RETURNING takes the next
    number atomically (the row lock serialises concurrent writers on PostgreSQL)."""
    bumped = session.connection().execute(_TAKE_NEXT_NUMBER, {"wanted_year": year}).scalar()
    if bumped is None:
        # The year's first case: its counter is written now, so a second case in this unit
        # of work finds it (the UPDATE above does not flush the session first).
        session.add(RefCounterRow(year=year, last=1))
        session.flush()
        bumped = 1
    return format_ref(year, bumped)


def clock_events(session: Session, case: CaseRow) -> list[ClockEvent]:
    rows = session.scalars(
        select(ClockEventRow).where(ClockEventRow.case_id == case.id).order_by(ClockEventRow.id)
    )
    return [
        ClockEvent(r.clock, r.action, r.at, r.who, r.why, r.new_due)  # type: ignore[arg-type]
        for r in rows
    ]


def working_days_overdue(app: App, case: CaseRow, today: date) -> int:
    """Working days past the response date, on the calendar that date was counted on, so
    `mailbot case`, `mailbot cases` and a command's answer agree with the overdue
    reminders and the digest (0 if answered or not due)."""
    if case.response_due is None or case.response_due >= today or case.responded_at:
        return 0
    calendar = app.policy.response_calendar(Kind(case.kind))
    return calendar.working_days_between(case.response_due, today)


def clock_time(session: Session, case: CaseRow, sent: datetime) -> datetime:
    """When a clock event that a message brings (an answer, a member's reply) happened:
    when the message was sent (its believable Date, see intake.receipt_time), so a
    daemon that was down over a weekend does not move a Friday answer to Monday. Never
    before the case's last clock event, though: a resume dated before its pause would be
    ignored and leave the clock paused for good."""
    last = session.scalar(
        select(func.max(ClockEventRow.at)).where(ClockEventRow.case_id == case.id)
    )
    return sent if last is None or sent >= last else last


def add_clock_event(
    session: Session,
    case: CaseRow,
    action: str,
    *,
    who: str,
    why: str,
    now: datetime,
    new_due: date | None = None,
    clock: str = "response",
) -> None:
    """Record a change to one of the case's clocks (pause, resume, extend, restart,
    stop); the due dates are then derived again from all of them."""
    session.add(
        ClockEventRow(
            case_id=case.id, clock=clock, action=action, at=now, who=who,
            why=why[:1000], new_due=new_due,
        )
    )
    session.flush()


def deadlines_for(
    app: App, session: Session, case: CaseRow, events: list[ClockEvent] | None = None
) -> Deadlines:
    """Due dates are derived, never stored by hand: receipt time + policy + clock events
    (`events`, when the caller has read them already: clock_events)."""
    return case_deadlines(
        app.policy,
        Kind(case.kind),
        Priority(case.priority),
        case.received_at,
        clock_events(session, case) if events is None else events,
    )


def refresh_deadlines(
    app: App, session: Session, case: CaseRow, events: list[ClockEvent] | None = None
) -> Deadlines:
    found = deadlines_for(app, session, case, events)
    case.ack_due, case.response_due = found.ack_due, found.response_due
    return found


def open_case(
    app: App,
    session: Session,
    message: ParsedMessage,
    classification: Classification,
    *,
    received: datetime,
    now: datetime,
    parent: CaseRow | None = None,
) -> CaseRow:
    assert message.sender is not None
    # A PA writing for a councillor from their own address: the councillor's case.
    written_for = on_behalf.councillor_written_for(app, message)
    member_email, member = written_for or (
        message.sender.email, app.directory.member(message.sender.email)
    )
    kind = classification.kind or Kind.ENQUIRY
    triage = classification.confidence < app.settings.classifier.threshold or member is None
    # An FOI request keeps its statutory clock, whatever it follows up.
    escalated = kind != Kind.FOI and escalates_complaint(session, parent, message)
    if escalated:
        # The answered complaint taken further: a complaint whatever the words suggest
        # alone ("please escalate" reads as an enquiry), and its kind is known.
        kind, triage = Kind.COMPLAINT, member is None
    # A new case has no clock events yet, so its dates come from receipt time and policy
    # alone (due_dates: the same rules as case_deadlines, without the explanation).
    ack_due, response_due = due_dates(app.policy, kind, classification.priority, received)
    case = insert_now(session, CaseRow(
        ref=next_ref(session, received.astimezone(LONDON).year),
        kind=kind.value,
        priority=classification.priority.value,
        confidential=classification.confidential or (parent is not None and parent.confidential),
        confidence=classification.confidence,
        status=CaseStatus.NEEDS_TRIAGE if triage else CaseStatus.OPEN,
        member_email=member_email,
        member_name=member.name if member else message.sender.name,
        known_member=member is not None,
        officer_email=None,
        # "FW:" alone: the forwarded mail's subject, else the member's first words.
        subject=case_subject(message)[:300],
        policy=app.policy.name,
        received_at=received,
        ack_due=ack_due,
        response_due=response_due,
        acknowledged_at=None,
        responded_at=None,
        root_message_id=message.message_id,
        parent_id=parent.id if parent is not None else None,
        created_at=now,
        updated_at=now,
        anonymised_at=None,
        subject_access=classification.subject_access and kind in (Kind.ENQUIRY, Kind.FOI),
    ))
    why = f"classified {classification.kind or Kind.ENQUIRY} ({classification.confidence:.2f})"
    if case.subject_access:
        why += "; a subject access request (UK GDPR Article 15)"
    if escalated and parent is not None:
        why += f"; asks to take complaint {parent.ref} further"
        if classification.kind != Kind.COMPLAINT:
            why += ", so a complaint"
    if member is None:
        why += "; sender is not in the members directory"
    elif written_for is not None:
        why += f"; {message.sender.email} wrote for the member (in Cc or Reply-To)"
    ledger.record_event(session, now, "mailbot", "opened", why, case=case)
    if parent is not None:
        ledger.record_event(
            session,
            now,
            case.member_email,
            "follow-up case",
            f"the member wrote again after {parent.ref} was answered; linked to it",
            case=case,
        )
    if escalated and parent is not None:
        policy, priority = app.policy, Priority(case.priority)
        if policy.reopened_days(kind, priority) != policy.response_days(kind, priority):
            # Counted from the receipt day, as the case itself, with the `reopened` time.
            add_clock_event(session, case, "restart", who=case.member_email,
                            why=f"{ESCALATED_RESTART} ({parent.ref})", now=received)
            refresh_deadlines(app, session, case)
    return case


def _at_second_stage(session: Session, case: CaseRow) -> bool:
    whys = session.scalars(
        select(ClockEventRow.why).where(
            ClockEventRow.case_id == case.id, ClockEventRow.action == "restart"
        )
    )
    return any(why.startswith((REOPENED_RESTART, ESCALATED_RESTART)) for why in whys)


# A member taking an answered complaint to its next stage: "escalate", "stage 2", "not
# satisfied with the response", "take it further", "review of my complaint" (and Welsh
# "anfodlon", "cam 2", "ail gam", "uwchgyfeirio").
_TAKE_FURTHER = re.compile(
    r"\bescalat(?:e|ed|ing|ion)\b|\bstage\s*(?:2|two)\b|\bsecond\s+stage\b"
    r"|(?:\bnot|n't|\bnever)\s+(?:been\s+|feel\s+)?(?:satisfied|happy)\b|\bdissatisfied\b"
    r"|\bunhappy\s+with\b|\btake\s+(?:it|this|that|the\s+matter|(?:my|the)\s+complaint)\s+"
    r"further\b|\breview\s+(?:of\s+)?(?:my|the|this)\s+complaint\b"
    r"|\banfodlon\b|\bcam\s*(?:2|dau)\b|\bail\s+gam\b|\buwchgyfeiri",
    re.IGNORECASE,
)


def escalates_complaint(
    session: Session, parent: CaseRow | None, message: ParsedMessage
) -> bool:
    """Mail that follows up an answered complaint (in its thread, or with its reference
    in the subject) after the window, and asks in the member's own words (not in the
    quoted answer) to take it further: the complaint's second stage, so its case counts
    the pack's `reopened` time. Any other mail there is a new matter, counted afresh, and
    so is a complaint already at its second stage (reopened, or itself opened so): a
    pack has no third stage to give it."""
    if parent is None or parent.kind != Kind.COMPLAINT.value or _at_second_stage(
        session, parent
    ):
        return False
    # A reply's subject repeats the complaint's own ("Stage 2 complaint: ..."): only the
    # member's new words in it count ("Stage 2 please: <the complaint's subject>").
    subject = message.subject.replace(parent.subject, " ") if parent.subject else message.subject
    words = f"{subject}\n{own_text(message.text).text}"
    return _TAKE_FURTHER.search(words) is not None


def assign_case(
    app: App,
    session: Session,
    case: CaseRow,
    message: ParsedMessage,
    now: datetime,
    *,
    parent: CaseRow | None = None,
    kind_settled: bool = False,
) -> routing.Assignment:
    """Route a new case to its officer (call after open_case). An officer known to be
    away gives way to the alternative contact from the directory (Wiltshire 6.5.8).
    `kind_settled`: a person relabelled it (routing.assign)."""
    found = routing.assign(
        routing.RouteInput(
            kind=Kind(case.kind),
            message=message,
            member_email=case.member_email,
            known_member=case.known_member,
            directory=app.directory,
            policy=app.policy,
            settings=app.settings.routing,
            previous_officer=parent.officer_email if parent is not None else None,
            kind_settled=kind_settled,
            subject_access=case.subject_access,
        )
    )
    officer, why = found.officer_email, found.why
    if officer and officer_away(session, officer, now):
        # Never to the officer a complaint is about, who may be the away head's deputy.
        deputy = _not_about(app.directory.deputy_of(officer), found.about)
        manager = _not_about(app.directory.manager_of(officer), found.about)
        if (deputy is not None and manager is not None
                and officer_away(session, deputy.email, now)
                and not officer_away(session, manager.email, now)):
            # Both on leave (officers who cover for each other, at Christmas): the
            # deputy's out-of-office would only move it on again, with another letter.
            why = Bilingual(
                f"{why}; {officer} and their deputy {deputy.email} are out of the office, "
                "so their manager",
                f"{welsh_of(why)}; mae {officer} a'u dirprwy {deputy.email} allan o'r "
                "swyddfa, felly eu rheolwr",
            )
            officer = manager.email
        elif deputy is not None:
            why = Bilingual(
                f"{why}; {officer} is out of the office, so the alternative contact",
                f"{welsh_of(why)}; mae {officer} allan o'r swyddfa, felly'r cyswllt arall",
            )
            officer = deputy.email
    officer = app.directory.as_listed(officer) if officer else officer
    case.officer_email = officer
    for about in found.about:
        ledger.record_event(session, now, "mailbot", COMPLAINT_ABOUT, about, case=case)
    for about in found.perhaps_about:
        ledger.record_event(session, now, "mailbot", COMPLAINT_MAYBE_ABOUT, about, case=case)
    if officer:
        ledger.record_event(session, now, "mailbot", "assigned", f"to {officer}: {why}", case=case)
    else:
        ledger.record_event(session, now, "mailbot", "unassigned", why, case=case)
    return routing.Assignment(officer, why, found.about, found.perhaps_about)


def _not_about(stand_in: Officer | None, about: tuple[str, ...]) -> Officer | None:
    """The officer who would stand in for an absent one, unless the complaint is about them."""
    if stand_in is None or one_of(stand_in.email, about):
        return None
    return stand_in


# An out-of-office older than this is no longer taken as "away" for new cases.
AWAY_FOR = timedelta(days=14)


# Built once: every case assigned to a person asks. By any form of the address (an
# officer back may write from xn--caerdydd--j9b.cymru, away as caerdydd-ŵ.cymru).
_LAST_AWAY = select(func.max(EventRow.at)).where(
    EventRow.actor.in_(bindparam("forms", expanding=True)),
    EventRow.action == "officer out of office",
)
_LAST_SEEN = select(func.max(MessageRow.received_at)).where(
    MessageRow.sender.in_(bindparam("forms", expanding=True)), MessageRow.automatic.is_(None)
)


def officer_away(session: Session, email: str, now: datetime) -> bool:
    """An out-of-office from this officer was seen recently, and no real mail since."""
    forms = {"forms": sorted({email, *address_forms(email)})}
    last_away = session.scalar(_LAST_AWAY, forms)
    if last_away is None or last_away < now - AWAY_FOR:
        return False
    last_seen = session.scalar(_LAST_SEEN, forms)
    return last_seen is None or last_seen <= last_away


def within_follow_up_window(app: App, case: CaseRow, now: datetime) -> bool:
    """A member writing again within the pack's window (working days after the answer)
    reopens the case; later, their mail starts a new case linked to this one."""
    if case.responded_at is None:
        return True
    calendar = app.policy.council_calendar()
    answered = case.responded_at.astimezone(LONDON).date()
    last_day = calendar.add_working_days(answered, app.policy.follow_up_window_days)
    return now.astimezone(LONDON).date() <= last_day


def reopen_case(
    app: App, session: Session, case: CaseRow, row: MessageRow, who: str, now: datetime
) -> None:
    """A fresh response clock on the same case (a restart event), counted as reopened.
    Its length is the pack's `reopened` time for the kind, if any (clock.REOPENED_RESTART
    is how the clock knows this restart from an FOI clarification's)."""
    add_clock_event(session, case, "restart", who=who, why=REOPENED_RESTART, now=now)
    case.status = CaseStatus.OPEN
    case.responded_at = None
    case.updated_at = now
    session.flush()
    refresh_deadlines(app, session, case)
    ledger.record_event(
        session,
        now,
        who,
        "reopened",
        f"the member wrote again; new response date {case.response_due}",
        case=case,
        message=row,
    )


# How a pause for an officer's out-of-office begins its reason: the FOI clock knows such
# a pause by it (clock.ABSENCE_PAUSE), and a member's reply lifts only such a pause.
OOO_PAUSE = ABSENCE_PAUSE


_PAST = {"resume": "resumed", "restart": "restarted"}  # the timeline's words


def resume_on_member_reply(
    app: App, session: Session, case: CaseRow, row: MessageRow, now: datetime
) -> bool:
    """The member answers while an officer's PAUSE waits for them: the clock runs again
    (an FOI request's clock starts afresh from the clarification, FOIA s.1(3)). A pause
    for an officer's absence is not the member's to end, nor an FOI fees notice's: that
    ends when the fee is received (s.10(2)), which the officer says with RESUME."""
    if case.status != CaseStatus.PAUSED:
        return False
    last_pause = foi_pause.last_pause(session, case)
    if last_pause is None or last_pause.why.startswith(OOO_PAUSE):
        return False
    if foi_pause.waiting_for_fee(session, case):
        return False
    action = "restart" if foi_pause.member_reply_restarts(session, case) else "resume"
    add_clock_event(session, case, action, who=case.member_email, why="the member replied",
                    now=now)
    case.status = CaseStatus.OPEN
    case.updated_at = now
    session.flush()
    refresh_deadlines(app, session, case)
    ledger.record_event(
        session,
        now,
        case.member_email,
        "resumed",
        f"the member replied; clock {_PAST[action]}, due {case.response_due}",
        case=case,
        message=row,
    )
    return True


def original_message(session: Session, case: CaseRow) -> ParsedMessage | None:
    """The member's message that opened the case, parsed again from the ledger."""
    from mailbot.parse import ParseFailure, parse_message

    raw = session.scalar(
        select(MessageRow.raw).where(MessageRow.message_id == case.root_message_id)
    )
    if raw is None:
        return None
    parsed = parse_message(raw)
    return None if isinstance(parsed, ParseFailure) else parsed


def record_follow_up(
    session: Session, case: CaseRow, row: MessageRow, who: str, now: datetime
) -> None:
    case.updated_at = now
    ledger.record_event(
        session, now, who, "follow-up", "member wrote again in the thread", case=case, message=row
    )
