"""Opening and updating cases, and queueing what their members are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from mailbot import ledger, outbox, routing
from mailbot.clock import ABSENCE_PAUSE, ClockEvent, Deadlines, case_deadlines, due_dates
from mailbot.compose import Envelope, reply_subject, untagged_subject
from mailbot.directory import Directory
from mailbot.languages import (
    Bilingual,
    member_languages,
    welcomes_welsh,
    welsh_of,
    written_in_welsh,
)
from mailbot.model import FINISHED, CaseStatus, Classification, Kind, ParsedMessage, Priority
from mailbot.quoting import own_text
from mailbot.store.tables import (
    CaseRow,
    ClockEventRow,
    EventRow,
    MessageRow,
    OutboxRow,
    RefCounterRow,
)
from mailbot.thread import same_member

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
# running it on SQLite.
_TAKE_NEXT_NUMBER = (
    update(RefCounterRow)
    .where(RefCounterRow.year == bindparam("wanted_year"))
    .values(last=RefCounterRow.last + 1)
    .returning(RefCounterRow.last)
    # Nothing reads a counter back through the session, so there is nothing to keep in step
    .execution_options(synchronize_session=False)
)


def next_ref(session: Session, year: int) -> str:
    """MB-2026-00042: numbered per year, never reused. One UPDATE … RETURNING takes the next
    number atomically (the row lock serialises concurrent writers on PostgreSQL)."""
    bumped = session.execute(_TAKE_NEXT_NUMBER, {"wanted_year": year}).scalar()
    if bumped is None:
        session.add(RefCounterRow(year=year, last=1))
        bumped = 1
    return f"MB-{year}-{bumped:05d}"


def clock_events(session: Session, case: CaseRow) -> list[ClockEvent]:
    rows = session.scalars(
        select(ClockEventRow).where(ClockEventRow.case_id == case.id).order_by(ClockEventRow.id)
    )
    return [
        ClockEvent(r.clock, r.action, r.at, r.who, r.why, r.new_due)  # type: ignore[arg-type]
        for r in rows
    ]


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


def deadlines_for(app: App, session: Session, case: CaseRow) -> Deadlines:
    """Due dates are derived, never stored by hand: receipt time + policy + clock events."""
    return case_deadlines(
        app.policy,
        Kind(case.kind),
        Priority(case.priority),
        case.received_at,
        clock_events(session, case),
    )


def refresh_deadlines(app: App, session: Session, case: CaseRow) -> Deadlines:
    found = deadlines_for(app, session, case)
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
    member = app.directory.member(message.sender.email)
    kind = classification.kind or Kind.ENQUIRY
    triage = classification.confidence < app.settings.classifier.threshold or member is None
    # A new case has no clock events yet, so its dates come from receipt time and policy
    # alone (due_dates: the same rules as case_deadlines, without the explanation).
    ack_due, response_due = due_dates(app.policy, kind, classification.priority, received)
    case = CaseRow(
        ref=next_ref(session, received.astimezone(LONDON).year),
        kind=kind.value,
        priority=classification.priority.value,
        confidential=classification.confidential or (parent is not None and parent.confidential),
        confidence=classification.confidence,
        status=CaseStatus.NEEDS_TRIAGE if triage else CaseStatus.OPEN,
        member_email=message.sender.email,
        member_name=member.name if member else message.sender.name,
        known_member=member is not None,
        officer_email=None,
        subject=message.subject[:300],
        policy=app.policy.name,
        received_at=received,
        ack_due=ack_due,
        response_due=response_due,
        root_message_id=message.message_id,
        parent_id=parent.id if parent is not None else None,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    why = f"classified {kind} ({classification.confidence:.2f})"
    if member is None:
        why += "; sender is not in the members directory"
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
    return case


def assign_case(
    app: App,
    session: Session,
    case: CaseRow,
    message: ParsedMessage,
    now: datetime,
    *,
    parent: CaseRow | None = None,
) -> routing.Assignment:
    """Route a new case to its officer (call after open_case). An officer known to be
    away gives way to the alternative contact from the directory (Wiltshire 6.5.8)."""
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
        )
    )
    officer, why = found.officer_email, found.why
    if officer and officer_away(session, officer, now):
        deputy = app.directory.deputy_of(officer)
        if deputy is not None:
            why = Bilingual(
                f"{why}; {officer} is out of the office, so the alternative contact",
                f"{welsh_of(why)}; mae {officer} allan o'r swyddfa, felly'r cyswllt arall",
            )
            officer = deputy.email
    case.officer_email = officer
    if officer:
        ledger.record_event(session, now, "mailbot", "assigned", f"to {officer}: {why}", case=case)
    else:
        ledger.record_event(session, now, "mailbot", "unassigned", why, case=case)
    return routing.Assignment(officer, why)


# An out-of-office older than this is no longer taken as "away" for new cases.
AWAY_FOR = timedelta(days=14)


def officer_away(session: Session, email: str, now: datetime) -> bool:
    """An out-of-office from this officer was seen recently, and no real mail since."""
    last_away = session.scalar(
        select(func.max(EventRow.at)).where(
            EventRow.actor == email, EventRow.action == "officer out of office"
        )
    )
    if last_away is None or last_away < now - AWAY_FOR:
        return False
    last_seen = session.scalar(
        select(func.max(MessageRow.received_at)).where(
            MessageRow.sender == email, MessageRow.automatic.is_(None)
        )
    )
    return last_seen is None or last_seen <= last_away


def should_acknowledge(app: App, case: CaseRow) -> bool:
    """Only known members get automatic replies (no backscatter to strangers or spoofers)."""
    return case.known_member or app.settings.directory.acknowledge_unknown_senders


def ack_context(
    app: App, case: CaseRow, message: ParsedMessage, *, restated: bool = False,
    today: date | None = None,
) -> dict[str, Any]:
    """The whitelisted values a template may see: data only, never the message itself.
    `restated`: this acknowledgement replaces one already sent (the case was relabelled).
    `today`: the London date it is written, so a date already past is not promised."""
    foisa = app.policy.foi_regime == "foisa"
    who = responder(app, case)
    kind = Kind(case.kind)
    return {
        "council": {
            "name": app.settings.council.name,
            "mailbox": app.mailbox_address,
            "welcomes_welsh": welcomes_welsh(app.policy.language),
        },
        "member": member_context(app, case),
        "case": {
            "ref": case.ref,
            "kind": case.kind,
            "kind_label": KIND_LABELS[kind],
            "received": case.received_at.astimezone(LONDON).date(),
            "response_due": case.response_due,
            "confidential": case.confidential,
            # "Your message was: ...", without the tag the council's gateway put on it.
            "subject": "" if case.confidential else untagged_subject(message.subject)[:200],
            "officer_phrase": who.phrase,
            "officer_phrase_cy": who.phrase_cy,
            "officer_named": who.named,
            "foi_law": (
                "Freedom of Information (Scotland) Act 2002"
                if foisa
                else "Freedom of Information Act 2000 (or the Environmental Information "
                "Regulations 2004 if the information is environmental)"
            ),
            "statutory_days": app.policy.response_days(Kind.FOI, Priority.NORMAL),
            "urgent": case.priority == Priority.IMPORTANT.value,
            # Hackney 11.3: the Director acknowledges a complaint, and says what happens.
            "officer_acknowledges": app.policy.ack_by(kind) == "officer",
            # Mail read days late (an outage) can have an acknowledgement date already
            # gone: the member is then told it is coming, not given a date in the past.
            "ack_due": case.ack_due if _ahead(case.ack_due, today) else None,
            "complaints_route": _complaints_route(app, case) if kind == Kind.COMPLAINT else "",
            "restated": restated,
        },
        "reply_subject": reply_subject(message.subject, case.ref),
        "contact": who.contact,
    }


# What the acknowledgement says when no officer can be named (none yet, or an address
# that is not a person in the directory).
UNNAMED_OFFICER = "The officer dealing with it"


def wrote_welsh(message: ParsedMessage | None) -> bool:
    """Whether the member's own words (not a resident's letter they forwarded) are Welsh."""
    return message is not None and written_in_welsh(own_text(message.text).text)


def member_context(app: App, case: CaseRow) -> dict[str, str]:
    """Whom a letter to the case's member is to: their name, and the word after "Dear" and
    after "Annwyl". A sender outside the directory (acknowledge_unknown_senders) who gave
    no name is not a councillor, so is not called one."""
    member = app.directory.member(case.member_email)
    name = (member.name if member else "") or case.member_name or ""
    if name:
        return {"name": name, "salutation": name, "salutation_cy": name}
    if member is not None:
        return {"name": case.member_email, "salutation": "Councillor",
                "salutation_cy": "Gynghorydd"}
    return {"name": case.member_email, "salutation": "Sir or Madam",
            "salutation_cy": "Syr neu Fadam"}


@dataclass(frozen=True)
class Responder:
    """Who the acknowledgement says will respond, in both languages, and who to contact."""

    phrase: str
    phrase_cy: str
    named: bool  # a person in the directory
    contact: dict[str, str] | None

    @property
    def inline(self) -> str:
        """The English phrase inside a sentence: "the Monitoring Officer", "Sam Patel"."""
        return self.phrase if self.named else self.phrase[:1].lower() + self.phrase[1:]

    @property
    def known(self) -> bool:
        """Whether the phrase says who it is: a person, or one of the pack's routes."""
        return self.named or bool(self.phrase_cy)


# The pack's own addresses, by what they are: a member reads "the FOI team", not the
# address twice. The complaints address may be a team or one person (MWDA 13.3: the
# Director), so it is called what it is in every pack: where complaints go.
_ROLES: dict[str, tuple[str, str]] = {
    "foi": ("the FOI team", "y tîm rhyddid gwybodaeth"),
    "complaints": ("the council's complaints contact", "cyswllt cwynion y cyngor"),
    "monitoring_officer": ("the Monitoring Officer", "y Swyddog Monitro"),
}


def _role_of(app: App, email: str) -> str:
    routing = app.policy.routing
    for role, address in (
        ("foi", routing.foi_team),
        ("complaints", routing.complaints),
        ("monitoring_officer", routing.monitoring_officer),
    ):
        if email == address.lower():
            return role
    return ""


def responder(app: App, case: CaseRow) -> Responder:
    """Who the acknowledgement names: the officer dealing with the case (by name, with
    the service), one of the pack's routes by what it is (the FOI team, the Monitoring
    Officer), or nobody by name when no officer is assigned yet. The contact meanwhile is
    the officer or the route (an officer away has already given way to the alternative
    contact: assign_case)."""
    email = (case.officer_email or "").lower()
    if not email:
        return Responder(UNNAMED_OFFICER, "", False, None)
    officer = app.directory.officer(email)
    if officer is not None:
        phrase = f"{officer.name} ({officer.service})" if officer.service else officer.name
        return Responder(phrase, phrase, True, {
            "name": officer.name, "name_cy": officer.name, "email": officer.email,
        })
    role = _role_of(app, email)
    if role:
        english, welsh = _ROLES[role]
        # English starts its sentence with it; Welsh puts "Bydd" first.
        return Responder(english[0].upper() + english[1:], welsh, False,
                          {"name": english, "name_cy": welsh, "email": email})
    # An address that is neither a person in the directory nor one of the pack's routes.
    return Responder(UNNAMED_OFFICER, "", False, {"name": email, "name_cy": email,
                                                   "email": email})


def _ahead(day: date | None, today: date | None) -> bool:
    return day is not None and (today is None or day >= today)


def _complaints_route(app: App, case: CaseRow) -> str:
    """Where the pack sends complaints, for the member: the complaints address, or
    "service-director" (Hackney 11.3) when the case is with a Director: the head of a
    management line. A complaint no service matched goes to the default officer, and the
    member is not told a Director has it."""
    route = app.policy.routing.complaints
    if route != "service-director":
        return route
    email = (case.officer_email or "").lower()
    directory = app.directory
    if email and directory.top_of_chain(email) == email and directory.managed_by(email):
        return route
    return ""


def queue_acknowledgement(
    app: App, session: Session, case: CaseRow, message: ParsedMessage, now: datetime,
    *, again: str = "",
) -> str:
    """Write the acknowledgement to the outbox (sent later by the flush job). `again`
    names why it is sent once more (a relabel changed what the member was told); such a
    copy is not the acknowledgement the protocol's clock waits for."""
    # Welsh first for a member who prefers Welsh; both languages in a bilingual council.
    member = app.directory.member(case.member_email)
    languages = member_languages(app.policy.language, member.language if member else None,
                                 wrote_welsh=wrote_welsh(message))
    context = ack_context(app, case, message, restated=bool(again),
                          today=now.astimezone(LONDON).date())
    rendered = app.renderer.render("ack", context, languages)
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(case.member_email,),
        in_reply_to=message.message_id,
        references=message.references,
        instance=app.settings.council.instance,
    )
    outbox.queue(
        session,
        purpose="ack",
        dedup_key=f"ack:{message.message_id}" + (f":{again}" if again else ""),
        case=case,
        rendered=rendered,
        envelope=envelope,
        now=now,
    )
    if app.policy.ack_by(Kind(case.kind)) == "mailbot" and not again:
        # Otherwise this is a receipt, and the acknowledgement the protocol asks for is
        # the officer's to give (officer_acknowledges).
        case.acknowledged_at = now
    ledger.record_event(session, now, "mailbot", "ack queued", f"to {case.member_email}", case=case)
    return "ack"


def is_response(
    case: CaseRow, message: ParsedMessage, directory: Directory, mailbox_address: str
) -> bool:
    """An officer answering the member with the shared mailbox copied in: someone in the
    officers' directory, or anyone at the council's own domains (not another member)
    writing to the member. A resident or a fellow councillor replying to all is not an
    answer, and nor is an officer's mail in the thread that the member was not sent (a
    colleague answering a forward, copying the mailbox): counting it would stop the clock
    on an enquiry the member never had an answer to."""
    sender = message.sender.email if message.sender else ""
    if same_member(directory, sender, case.member_email):
        return False
    if not to_the_member(case, message, directory):
        return False
    if directory.officer(sender) is not None:
        return True
    if directory.member(sender) is not None:
        return False  # a ward colleague replying to all shares the domain, not the duty
    council = {_domain(mailbox_address), _domain(case.officer_email or "")}
    council |= {_domain(address) for address in directory.officers}
    return _domain(sender) in council - {""}


def to_the_member(case: CaseRow, message: ParsedMessage, directory: Directory) -> bool:
    """The case's member (at any of their addresses) is among the mail's To or Cc, or its
    Bcc, which only the sender's own copy (a Sent item) still shows."""
    blind = [a for _, a in getaddresses([message.headers.get("bcc", "")]) if "@" in a]
    return any(
        same_member(directory, address.lower(), case.member_email)
        for address in (*(a.email for a in (*message.to, *message.cc)), *blind)
    )


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def officer_acknowledges(app: App, case: CaseRow) -> bool:
    """The protocol asks the officer, not mailbot, to acknowledge this kind of case, and
    they have not yet: their next reply to the member is that acknowledgement."""
    return (
        app.policy.ack_by(Kind(case.kind)) == "officer"
        and case.acknowledged_at is None
        and case.ack_due is not None
        and case.status not in FINISHED
    )


def reconcile_acknowledgement(app: App, session: Session, case: CaseRow) -> None:
    """After a change of kind, who owes the acknowledgement may have changed: mailbot's
    receipt does not count where the officer owes it, and does where mailbot gives it."""
    if app.policy.ack_by(Kind(case.kind)) == "officer":
        if not any(e.clock == "ack" and e.action == "stop" for e in clock_events(session, case)):
            case.acknowledged_at = None
    elif case.acknowledged_at is None:
        case.acknowledged_at = session.scalar(
            select(func.min(OutboxRow.created_at)).where(
                OutboxRow.case_id == case.id, OutboxRow.purpose == "ack"
            )
        )


def record_acknowledgement(session: Session, case: CaseRow, who: str, now: datetime) -> None:
    """The officer's first reply to the member, taken as the acknowledgement the protocol
    asks of them: the acknowledgement clock stops, the response clock runs on."""
    add_clock_event(
        session, case, "stop", who=who, why="the officer's acknowledgement to the member",
        now=now, clock="ack",
    )
    case.acknowledged_at = now
    case.updated_at = now
    ledger.record_event(
        session, now, who, "acknowledged",
        "the officer's first reply to the member, taken as the acknowledgement; "
        "the response clock runs on",
        case=case,
    )


def record_response(
    session: Session, case: CaseRow, who: str, now: datetime,
    why: str = "reply to the member seen",
) -> None:
    """The member has had their answer: `why` says how we know (their reply seen, or an
    officer's DONE), for the timeline and the explanation of the dates."""
    if case.status == CaseStatus.RESPONDED:
        return
    add_clock_event(session, case, "stop", who=who, why=why, now=now)
    case.status = CaseStatus.RESPONDED
    case.responded_at = now
    case.updated_at = now
    ledger.record_event(session, now, who, "responded", why, case=case)


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
    """A fresh response clock on the same case (a restart event), counted as reopened."""
    add_clock_event(
        session, case, "restart", who=who,
        why="the member wrote again within the follow-up window", now=now,
    )
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


def resume_on_member_reply(
    app: App, session: Session, case: CaseRow, row: MessageRow, now: datetime
) -> bool:
    """The member answers while an officer's PAUSE waits for them: the clock runs again
    (an FOI request's clock starts afresh from the clarification, FOIA s.1(3)). A pause
    for an officer's absence is not the member's to end."""
    if case.status != CaseStatus.PAUSED:
        return False
    last_pause = session.scalar(
        select(ClockEventRow)
        .where(ClockEventRow.case_id == case.id, ClockEventRow.action == "pause")
        .order_by(ClockEventRow.id.desc())
        .limit(1)
    )
    if last_pause is None or last_pause.why.startswith(OOO_PAUSE):
        return False
    action = "restart" if case.kind == Kind.FOI.value else "resume"
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
        f"the member replied; clock {action}ed, due {case.response_due}",
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
