"""The acknowledgement: what a member is told when their case opens (who will answer,
by when, where complaints go) and queueing it in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from mailbot import ledger, outbox
from mailbot.access_request import EXTENDED, law_due
from mailbot.addresses import same_address
from mailbot.cases import KIND_LABELS, LONDON
from mailbot.clock import counted_from
from mailbot.compose import Envelope, reply_subject, untagged_subject
from mailbot.forwarded_subject import case_subject
from mailbot.languages import (
    member_languages,
    welcomes_welsh,
    written_in_welsh,
)
from mailbot.model import CaseStatus, Kind, ParsedMessage, Priority
from mailbot.outbox import Rewritten
from mailbot.parse import ParseFailure, parse_message
from mailbot.quoting import own_text
from mailbot.render import Rendered
from mailbot.store.tables import (
    CaseRow,
    ClockEventRow,
    EventRow,
    MessageRow,
    OutboxRow,
)

if TYPE_CHECKING:
    from mailbot.app import App


def _ack_mail(
    app: App, case: CaseRow, message: ParsedMessage, *, restated: bool, now: datetime,
    held: bool = False,
) -> tuple[Rendered, Envelope]:
    """The acknowledgement of `message` as the case stands at `now`, and its envelope
    (`held`: as ack_context's)."""
    # Welsh first for a member who prefers Welsh; both languages in a bilingual council.
    member = app.directory.member(case.member_email)
    languages = member_languages(
        app.policy.language, member.language if member else None, wrote_welsh=wrote_welsh(message)
    )
    today = now.astimezone(LONDON).date()
    context = ack_context(app, case, message, restated=restated, today=today, held=held)
    rendered = app.renderer.render("ack", context, languages)
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(case.member_email,),
        in_reply_to=message.message_id,
        references=message.references,
        instance=app.settings.council.instance,
    )
    return rendered, envelope


def answered_on(case: CaseRow) -> date | None:
    """The London day the case's answer was seen; None unless it stands answered."""
    if case.status != CaseStatus.RESPONDED or case.responded_at is None:
        return None
    answered = case.responded_at
    if answered.tzinfo is None:
        answered = answered.replace(tzinfo=UTC)
    return answered.astimezone(LONDON).date()


def answered_ack(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> Rewritten | str:
    """Send-time review of an acknowledgement (mailbot.still_due). It always goes: the
    member needs the reference. But one written while the case was open and sent after
    the officer's answer was seen (the member copied the officer in, who answered before
    the outbox was flushed: a catch-up after an outage, sending held) is written again to
    say the case was answered, not that the officer "will respond by" a date to come.
    "" to send it as queued (the case not answered, a restated acknowledgement, or the
    member's message no longer kept to write it from)."""
    if answered_on(case) is None:
        return ""
    message_id = row.dedup_key.removeprefix("ack:")
    kept = session.scalars(
        select(MessageRow).where(
            MessageRow.message_id == message_id, MessageRow.purged_at.is_(None)
        )
    ).first()
    if kept is None or not kept.raw:
        return ""  # a restated acknowledgement's key has more after the Message-ID
    message = parse_message(kept.raw)
    if isinstance(message, ParseFailure):
        return ""
    queued = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    rendered, envelope = _ack_mail(app, case, message, restated=False, now=queued)
    return Rewritten(rendered, envelope)


def should_acknowledge(app: App, case: CaseRow) -> bool:
    """Only known members get automatic replies (no backscatter to strangers or spoofers)."""
    return case.known_member or app.settings.directory.acknowledge_unknown_senders


def ack_context(
    app: App,
    case: CaseRow,
    message: ParsedMessage,
    *,
    restated: bool = False,
    today: date | None = None,
    held: bool = False,
) -> dict[str, Any]:
    """The whitelisted values a template may see: data only, never the message itself.
    `restated`: this acknowledgement replaces one already sent (the case was relabelled).
    `today`: the London date it is written, so a date already past is not promised.
    `held`: the mail was held as possibly forged and is acknowledged only now that someone
    has checked it is the member's (commands/verify.py)."""
    foisa = app.policy.foi_regime == "foisa"
    who = responder(app, case)
    kind = Kind(case.kind)
    # "FW:" alone stands for nothing: what the case is called instead (forwarded_subject).
    subject = case_subject(message, private=case.confidential)
    return {
        "council": {
            "name": app.settings.council.name,
            "mailbox": app.mailbox_address,
            "welcomes_welsh": welcomes_welsh(app.policy.language),
            # The numbers for what cannot wait for email ([council] telephone); "" for none.
            "telephone": app.settings.council.telephone,
            "out_of_hours_telephone": app.settings.council.out_of_hours_telephone,
        },
        "member": member_context(app, case),
        "case": {
            "ref": case.ref,
            "kind": case.kind,
            "kind_label": KIND_LABELS[kind],
            "received": case.received_at.astimezone(LONDON).date(),
            "counted_from": counted_from_after_cutoff(app, case),
            "response_due": case.response_due,
            "confidential": case.confidential,
            # "Your message was: ...", without the tag the council's gateway put on it.
            "subject": "" if case.confidential else untagged_subject(subject)[:200],
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
            # What the protocol says that acknowledgement contains ("" where the pack is
            # silent: the member is then promised a date and nothing more).
            "ack_must_say": app.policy.ack_must_say(kind)[0],
            "ack_must_say_cy": app.policy.ack_must_say(kind)[1],
            # Mail read days late (an outage) can have an acknowledgement date already
            # gone: the member is then told it is coming, not given a date in the past.
            "ack_due": case.ack_due if _ahead(case.ack_due, today) else None,
            "complaints_route": _complaints_route(app, case) if kind == Kind.COMPLAINT else "",
            # Hackney 11.3, a complaint no service matched: with the default officer until
            # they pass it on, but the Director, not they, acknowledges and answers it.
            "director_to_come": kind == Kind.COMPLAINT
            and app.policy.routing.complaints == "service-director"
            and not _complaints_route(app, case),
            "restated": restated,
            # A follow-up after the window opened this case: the earlier one it follows.
            "follows": _follows(case),
            # The council's closures its date was counted over (a Christmas closure), so
            # a member writing on 23 December knows why the date is in mid-January.
            "closed": closures_counted_over(app, case),
            # A subject access request: the law's one calendar month, not FOI's 20
            # working days (access_request); None for any other case.
            "subject_access": subject_access_context(app, case),
            # The London day its response clock was paused, for a case written to while
            # paused (an enquiry paused, then relabelled an FOI request): no date to give,
            # the member is told it will follow. None while it runs.
            "paused_since": paused_since(case),
            # The London day the officer's answer was seen, for an acknowledgement that
            # goes after it (answered_ack): "answered it on", not "will respond by".
            "answered": None if restated else answered_on(case),
            # Held mail verified after the date its response was due (counted from
            # receipt): that date, so the letter says it has passed and what the late
            # notice would say, instead of promising it; None otherwise.
            "held_past_due": held_past_due(case, today) if held and not restated else None,
        },
        "reply_subject": reply_subject(subject, case.ref),
        "contact": who.contact,
    }


def held_past_due(case: CaseRow, today: date | None) -> date | None:
    """The response date of `case` if it is already past on `today` (and the case is
    neither paused nor answered): the date an acknowledgement written today must not
    promise. None while it is still to come."""
    due = case.response_due
    if due is None or today is None or due >= today or answered_on(case) is not None:
        return None
    return None if paused_since(case) is not None else due


def paused_since(case: CaseRow) -> date | None:
    """The London day the paused `case`'s response clock was paused; None while it runs."""
    session = object_session(case)
    if case.status != CaseStatus.PAUSED or session is None or case.id is None:
        return None
    at = session.scalar(
        select(ClockEventRow.at)
        .where(ClockEventRow.case_id == case.id, ClockEventRow.clock == "response",
               ClockEventRow.action == "pause")
        .order_by(ClockEventRow.id.desc())
        .limit(1)
    )
    return None if at is None else at.astimezone(LONDON).date()


def subject_access_context(app: App, case: CaseRow) -> dict[str, Any] | None:
    """{due, extended}: the date data protection law gives the council to answer a subject
    access request (one calendar month from receipt, or three once extended); None when
    the case is not one (nor a case relabelled from one to a complaint or a
    confidentiality request)."""
    if not case.subject_access or case.kind not in (Kind.ENQUIRY.value, Kind.FOI.value):
        return None
    extended = subject_access_extended(case)
    return {"due": law_due(app.policy, case.received_at, extended=extended),
            "extended": extended}


def subject_access_extended(case: CaseRow) -> bool:
    """Whether the law's two further months were taken for the case (an EXTEND saying the
    request is complex, within the month: its EXTENDED timeline entry)."""
    session = object_session(case)
    if session is None or case.id is None:
        return False
    return session.scalar(
        select(EventRow.id)
        .where(EventRow.case_id == case.id, EventRow.action == EXTENDED)
        .limit(1)
    ) is not None


def _follows(case: CaseRow) -> dict[str, Any] | None:
    """The earlier case this one follows up (its parent), by reference, kind and the London
    date it was answered (None if it never was); None for a case with no parent."""
    session = object_session(case)
    parent = session.get(CaseRow, case.parent_id) if session and case.parent_id else None
    if parent is None:
        return None
    answered = parent.responded_at
    return {
        "ref": parent.ref,
        "kind": parent.kind,
        "kind_label": KIND_LABELS[Kind(parent.kind)],
        "answered": answered.astimezone(LONDON).date() if answered else None,
    }


def closures_counted_over(app: App, case: CaseRow) -> list[dict[str, Any]]:
    """The council's closures from the day the response clock counts from to its date,
    each {name, start, end}: not for an FOI request (the statutory calendar counts closure
    days) nor a case with no date."""
    if case.kind == Kind.FOI.value or case.response_due is None:
        return []
    received = case.received_at if case.received_at.tzinfo else case.received_at.replace(
        tzinfo=UTC)
    first = counted_from(received, app.policy.clock.cutoff)
    return [
        {"name": closure.name, "start": closure.start, "end": closure.end}
        for closure in app.policy.closures()
        if closure.end >= first and closure.start <= case.response_due
    ]


# What the acknowledgement says when no officer can be named (none yet, or an address
# that is not a person in the directory).
UNNAMED_OFFICER = "The officer dealing with it"


def wrote_welsh(message: ParsedMessage | None) -> bool:
    """Whether the member's own words (not a resident's letter they forwarded) are Welsh."""
    return message is not None and written_in_welsh(own_text(message.text).text)


def counted_from_after_cutoff(app: App, case: CaseRow) -> date | None:
    """The day the response clock counts from, where the pack's cutoff makes it a later
    one than the member would count from: an enquiry received at 18:35 on a Monday is due
    a working day later than ten working days from Monday. None for FOI (no cutoff), and
    where it moves no date (mail on a Friday evening counts from Monday either way)."""
    cutoff = app.policy.clock.cutoff
    if cutoff is None or case.kind == Kind.FOI.value:
        return None
    received = case.received_at if case.received_at.tzinfo else case.received_at.replace(
        tzinfo=UTC)
    day = received.astimezone(LONDON).date()
    counted = counted_from(received, cutoff)
    calendar = app.policy.council_calendar()
    if calendar.add_working_days(counted, 1) == calendar.add_working_days(day, 1):
        return None
    return counted


def member_context(app: App, case: CaseRow) -> dict[str, str]:
    """Whom a letter to the case's member is to: their name, and the word after "Dear" and
    after "Annwyl". A sender outside the directory (acknowledge_unknown_senders) who gave
    no name is not a councillor, so is not called one."""
    member = app.directory.member(case.member_email)
    name = (member.name if member else "") or case.member_name or ""
    if name:
        return {"name": name, "salutation": name, "salutation_cy": name}
    if member is not None:
        return {
            "name": case.member_email,
            "salutation": "Councillor",
            "salutation_cy": "Gynghorydd",
        }
    return {
        "name": case.member_email,
        "salutation": "Sir or Madam",
        "salutation_cy": "Syr neu Fadam",
    }


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
    "subject_access": ("the data protection officer", "y swyddog diogelu data"),
}


def _role_of(app: App, email: str) -> str:
    routing = app.policy.routing
    for role, address in (
        ("foi", routing.foi_team),
        ("complaints", routing.complaints),
        ("monitoring_officer", routing.monitoring_officer),
        ("subject_access", routing.subject_access or ""),
    ):
        if same_address(email, address):
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
        return Responder(
            phrase,
            phrase,
            True,
            {
                "name": officer.name,
                "name_cy": officer.name,
                "email": officer.email,
            },
        )
    role = _role_of(app, email)
    if role:
        english, welsh = _ROLES[role]
        # English starts its sentence with it; Welsh puts "Bydd" first.
        return Responder(
            english[0].upper() + english[1:],
            welsh,
            False,
            {"name": english, "name_cy": welsh, "email": email},
        )
    # An address that is neither a person in the directory nor one of the pack's routes.
    return Responder(UNNAMED_OFFICER, "", False, {"name": email, "name_cy": email, "email": email})


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
    if email and same_address(directory.top_of_chain(email), email) and directory.managed_by(email):
        return route
    return ""


def queue_acknowledgement(
    app: App,
    session: Session,
    case: CaseRow,
    message: ParsedMessage,
    now: datetime,
    *,
    again: str = "",
    held: bool = False,
) -> str:
    """Write the acknowledgement to the outbox (sent later by the flush job). `again`
    names why it is sent once more (a relabel changed what the member was told); such a
    copy is not the acknowledgement the protocol's clock waits for. `held`: mail held as
    possibly forged, released now (ack_context)."""
    rendered, envelope = _ack_mail(app, case, message, restated=bool(again), now=now,
                                   held=held)
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
