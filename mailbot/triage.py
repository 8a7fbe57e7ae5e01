"""Settling what the classifier was unsure of: a person relabels a case, and the
correction becomes training data for the next `mailbot train`; or sets or clears the
case's subject access mark (`mailbot subject-access`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import ledger
from mailbot.access_request import law_due
from mailbot.access_request_notice import tell_the_holder
from mailbot.acknowledgement import queue_acknowledgement, should_acknowledge
from mailbot.addresses import same_address
from mailbot.answered import reconcile_acknowledgement
from mailbot.assignment import KIND_TITLES, KIND_TITLES_CY, Headline, queue_officer_mail
from mailbot.cases import OOO_PAUSE, add_clock_event, assign_case, refresh_deadlines
from mailbot.classify import append_correction
from mailbot.commands.authority import disowned
from mailbot.commands.letters import RELABELLED, member_was_acknowledged
from mailbot.commands.verify import is_verified
from mailbot.handover import with_the_pause
from mailbot.model import FINISHED, CaseStatus, Kind, ParsedMessage
from mailbot.moved_away import tell_previous_officer
from mailbot.parse import parse_message
from mailbot.refs import canonical
from mailbot.render import long_date
from mailbot.routing import OWN_ROUTE, Assignment
from mailbot.store.tables import CaseRow, ClockEventRow, MessageRow

if TYPE_CHECKING:
    from mailbot.app import App


class TriageError(ValueError):
    pass


def relabel_case(app: App, ref: str, kind: Kind, *, who: str, now: datetime) -> CaseRow:
    """Set the case's kind, re-derive its dates under that kind's clock, route it again if
    the new kind has a route of its own (the FOI team, complaints, the monitoring officer)
    or it had no officer, record who and why, and append the member's message with its
    right label to the corrections file."""
    with app.store.transaction() as session:
        case = session.scalar(
            select(CaseRow).where(CaseRow.ref == canonical(ref)).with_for_update()
        )
        if case is None:
            raise TriageError(f"no case {ref}")
        first = session.scalar(
            select(MessageRow).where(MessageRow.message_id == case.root_message_id)
        )
        old = case.kind
        case.kind = kind.value
        if kind == Kind.CONFIDENTIALITY:
            # Asking for privacy is what a confidentiality request is (the classifier
            # flags one so too): its mail and the digest then carry no subject or content.
            case.confidential = True
        if case.status == CaseStatus.NEEDS_TRIAGE:
            case.status = CaseStatus.OPEN
        case.updated_at = now
        _end_an_absence_pause(app, session, case, who, now)
        refresh_deadlines(app, session, case)
        reconcile_acknowledgement(app, session, case)
        ledger.record_event(
            session, now, who, RELABELLED, f"{old} → {kind.value}; response due "
            f"{case.response_due}", case=case,
        )
        parsed = parse_message(first.raw) if first is not None else None
        if isinstance(parsed, ParsedMessage) and old != kind.value:
            before = case.officer_email
            moved_to = _route_again(app, session, case, parsed, now)
            if _acknowledge_again(app, session, case):
                # The member was told of another kind (and for an FOI request, not that
                # the Act applies): the acknowledgement again, as it now stands,
                # before the new holder's assignment, which says what they were told.
                queue_acknowledgement(app, session, case, parsed, now,
                                      again=f"relabelled:{kind.value}:{now.isoformat()}")
            if moved_to is not None:
                _tell_the_officers(app, session, case, parsed, old, before, moved_to, who, now)
        if isinstance(parsed, ParsedMessage):
            _acknowledge_a_newly_listed_member(app, session, case, parsed, who, now)
        trains = isinstance(parsed, ParsedMessage) and trained_on(app, case)
        if isinstance(parsed, ParsedMessage) and not trains:
            ledger.record_event(session, now, who, NOT_TRAINED, NOT_TRAINED_WHY, case=case)
    if isinstance(parsed, ParsedMessage) and trains:
        append_correction(app.settings.corrections_path, parsed, kind, who=who, when=now)
    return case


NOT_TRAINED = "not kept for training"
NOT_TRAINED_WHY = ("the case is confidential, so its message was not copied to the "
                   "corrections file the classifier is trained on")


def trained_on(app: App, case: CaseRow) -> bool:
    """Whether a relabel copies the case's message to the corrections file. Not for a
    confidential case where the protocol keeps its content out of every notification
    ([confidentiality] minimise_content): that file is kept for years and trained on."""
    return not (case.confidential and app.policy.confidentiality.minimise_content)


SUBJECT_ACCESS_KINDS = (Kind.ENQUIRY.value, Kind.FOI.value)


def mark_subject_access(
    app: App, ref: str, marked: bool, *, who: str, now: datetime
) -> tuple[CaseRow, bool]:
    """Set (or with `marked` False clear) the case's subject access mark, recording who
    and when on its timeline; (the case, whether it changed). Only an enquiry or an FOI
    request carries the mark (a complaint about how a request was handled is a complaint).

    Nothing else moves: the case stays with its officer (REASSIGN or `mailbot reassign`
    passes it to the data protection officer), its protocol clock is unchanged, and the
    member is sent nothing. Their acknowledgement went with the protocol's date, which is
    what the council answers by in any case; a second letter about the same request, only
    to name another law's date (or to take it back), would read as a new case and add
    nothing they can act on. The law's reminders to the officer follow the mark
    (mailbot/access_request_reminder.py): the next sweep queues the first if its day has
    come, and one waiting in the outbox is withdrawn once the mark is cleared."""
    with app.store.transaction() as session:
        case = session.scalar(
            select(CaseRow).where(CaseRow.ref == canonical(ref)).with_for_update()
        )
        if case is None:
            raise TriageError(f"no case {ref}")
        if marked and case.kind not in SUBJECT_ACCESS_KINDS:
            raise TriageError(
                f"{case.ref} is a {case.kind}: only an enquiry or an FOI request can be "
                f"marked as a subject access request (relabel it first: mailbot relabel "
                f"{case.ref} enquiry)"
            )
        return case, set_subject_access(app, session, case, marked, who=who, now=now)


def set_subject_access(
    app: App, session: Session, case: CaseRow, marked: bool, *, who: str, now: datetime
) -> bool:
    """Set or clear the mark of `case` in the caller's transaction, recording who and when
    on its timeline, and telling the officer who holds it when `who` is someone else
    (mailbot.access_request_notice); whether it changed. The admin's mark_subject_access
    and the officer's SAR reply (commands.handlers) share it; the caller checks the kind."""
    if case.subject_access == marked:
        return False
    case.subject_access = marked
    case.updated_at = now
    if marked:
        due = law_due(app.policy, case.received_at)
        ledger.record_event(
            session, now, who, "subject access marked",
            f"by hand; the law's date is {long_date(due)} (one calendar month from "
            "receipt, UK GDPR Article 12(3)); the member was sent nothing", case=case,
        )
    else:
        ledger.record_event(
            session, now, who, "subject access unmarked",
            "by hand: not a subject access request; the member was sent nothing",
            case=case,
        )
    # The officer who holds it, when someone else changed it, is told (once), not left to
    # learn of the law's date from its first reminder; the member still is not.
    tell_the_holder(app, session, case, marked, who=who, now=now)
    return True


def _end_an_absence_pause(
    app: App, session: Session, case: CaseRow, who: str, now: datetime
) -> None:
    """A clock paused because the officer was away (Colchester 16(3), enquiries only) runs
    again once the case is of a kind an absence does not hold: an FOI request's date is
    statutory, and it goes to the FOI team, not the absent officer."""
    if case.status != CaseStatus.PAUSED or app.policy.absence_pauses(Kind(case.kind)):
        return
    last_pause = session.scalar(
        select(ClockEventRow)
        .where(ClockEventRow.case_id == case.id, ClockEventRow.action == "pause")
        .order_by(ClockEventRow.id.desc())
        .limit(1)
    )
    if last_pause is None or not last_pause.why.startswith(OOO_PAUSE):
        return  # an officer's PAUSE (a fees notice, a question to the member) stands
    add_clock_event(
        session, case, "resume", who=who,
        why=f"relabelled {case.kind}: an officer's absence does not hold this clock", now=now,
    )
    case.status = CaseStatus.OPEN


def _acknowledge_again(app: App, session: Session, case: CaseRow) -> bool:
    """Whether the member, sent an acknowledgement of the case as it was, is sent it again
    after its relabel to another kind: always, while it is running. They were thanked for
    their "enquiry" and must be told what it is now handled as (the Act, the complaints
    procedure), with the date that applies: another one, the same one (an enquiry and a
    complaint both of ten working days), or none while its clock is paused (the
    acknowledgement's paused_since). Not after the answer."""
    if case.status in FINISHED or not should_acknowledge(app, case):
        return False
    # Not if never told anything (mail in their name their domain disowned).
    return member_was_acknowledged(session, case)


def _acknowledge_a_newly_listed_member(
    app: App, session: Session, case: CaseRow, message: ParsedMessage, who: str, now: datetime
) -> None:
    """A new councillor's first mail, sent before members.csv listed them, opened as a
    stranger's: in triage, unacknowledged. If they are listed by the time a person settles
    it, they are a member after all, and get the acknowledgement every member's mail gets
    (once: its outbox key is the message's). Not for mail their own domain disowns (or
    whose From named no address to check): a member's would not have had one either
    (pipeline: it may be forged, and they may never have sent it), unless someone has
    checked with them that it is theirs (VERIFIED: commands/verify.py)."""
    if should_acknowledge(app, case) or case.status in FINISHED:
        return  # acknowledged already, or answered
    if app.directory.member(case.member_email) is None:
        return
    case.known_member = True
    # Checked with them already (VERIFIED while they were a stranger): theirs after all.
    held = "" if is_verified(session, case) else disowned(message)
    ledger.record_event(
        session, now, who, "known member",
        f"{case.member_email} is now in members.csv; "
        + (f"not acknowledged: {held}, so it may be forged" if held else "acknowledged"),
        case=case,
    )
    if held:
        ledger.record_event(
            session, now, "mailbot", "not acknowledged",
            f"{held}, so it may be forged; not acknowledged", case=case,
        )
        return
    queue_acknowledgement(app, session, case, message, now)


def _route_again(
    app: App, session: Session, case: CaseRow, message: ParsedMessage, now: datetime
) -> Assignment | None:
    """After a relabel, the case goes where a new case of its kind would have gone: that
    routing, or None if it stays where it was. An enquiry keeps the officer a person
    chose."""
    kind = Kind(case.kind)
    if case.status in FINISHED or (kind not in OWN_ROUTE and case.officer_email):
        return None
    before = case.officer_email
    found = assign_case(app, session, case, message, now, kind_settled=True)
    if found.officer_email is None or same_address(found.officer_email, before or ""):
        return None
    return found


def _tell_the_officers(
    app: App, session: Session, case: CaseRow, message: ParsedMessage, old: str,
    before: str | None, to: Assignment, who: str, now: datetime,
) -> None:
    """The officer a relabel routed the case `to` gets the assignment; the officer who
    had it is told it has moved away from them (mailbot.moved_away)."""
    kind = Kind(case.kind)
    queue_officer_mail(
        app,
        session,
        case,
        to=to.officer_email or "",
        purpose="assignment",
        dedup_key=f"assignment:{case.id}:relabel:{kind.value}:{now.isoformat()}"[:200],
        # A clock that stays paused: why, since when and what ends it, as a hand-over
        # says (the officer who paused it knew; the new holder does not).
        headline=with_the_pause(app, session, case, Headline(
            f"This case has been relabelled from {KIND_TITLES[Kind(old)]} to "
            f"{KIND_TITLES[kind]}, so it is now with you.",
            # An arrow, not "o ... i ...": those would mutate the kind's name.
            f"Mae'r achos hwn wedi'i ailddosbarthu ({KIND_TITLES_CY[Kind(old)]} → "
            f"{KIND_TITLES_CY[kind]}), felly mae gyda chi nawr.",
        )),
        why=to.why,
        message=message,
        now=now,
    )
    tell_previous_officer(app, session, case, before, Kind(old), by=who, now=now)
