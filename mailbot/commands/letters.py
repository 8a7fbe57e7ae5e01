"""The letters a command (or a member's reply) causes to the member: a new officer, a late
answer, a new date, a paused case, a fee or clarification received; and what earlier
letters told the member. Each one is an outbox row; nothing is sent here. The replies to
the officer who gave the command are in replies.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import acknowledgement, assignment, cases, foi_pause, ledger, outbox
from mailbot.clock import ClockEvent, case_deadlines
from mailbot.compose import Envelope, reply_subject
from mailbot.forwarded_subject import letter_subject
from mailbot.languages import (
    long_date_cy,
    member_languages,
    welcomes_welsh,
)
from mailbot.model import FINISHED, CaseStatus, Kind, ParsedMessage, Priority
from mailbot.render import long_date
from mailbot.store.tables import CaseRow, EventRow, MessageRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App


def long_date_or_paused(value: date | None) -> str:
    """A due date as the officer's confirmation states it; a paused case has none."""
    return long_date(value) if value else "(no date while paused)"


def long_date_or_paused_cy(value: date | None, mutate: bool = False) -> str:
    """The same in Welsh, for the Welsh part of a bilingual council's confirmation; with
    mutate=True, "ddydd Gwener ..." as after "ar" and "i" (soft mutation)."""
    return long_date_cy(value, mutate) if value else "(dim dyddiad tra bo wedi'i oedi)"


def tell_member(
    app: App,
    session: Session,
    case: CaseRow,
    row: MessageRow,
    now: datetime,
    template: str,
    extra: dict[str, Any],
    *,
    in_reply_to: ParsedMessage | None = None,
) -> list[str]:
    """A letter to the member in their own thread (Welsh first if they prefer Welsh),
    once per case and message `row` (the one that caused it)."""
    return _letter(app, session, case, now, template, extra,
                   dedup_key=f"{template}:{case.id}:{row.message_id}", in_reply_to=in_reply_to)


def tell_member_of_new_officer(
    app: App, session: Session, case: CaseRow, previous: str, now: datetime, *,
    away: bool, dedup_key: str,
) -> list[str]:
    """The member was told who would respond; the case has moved to someone else, and the
    member is told whom to contact now. `away`: `previous` is away or gone and the case is
    with their alternative contact (Wiltshire 6.5.8); otherwise it was passed on
    (Colchester 16(1): if the enquiry is redirected the member is informed promptly).
    Only a member who was acknowledged hears of it, and not after their answer."""
    acknowledged = session.scalar(
        select(OutboxRow.id).where(OutboxRow.case_id == case.id, OutboxRow.purpose == "ack")
        .limit(1)
    )
    if acknowledged is None or case.status in FINISHED or not case.officer_email:
        return []
    who = acknowledgement.responder(app, case)
    # A colleague the out-of-office named who is not in officers.csv: by their address.
    address = case.officer_email
    return _letter(
        app, session, case, now, "alternative_contact",
        {
            "away": away,
            "absent_name": app.directory.display(previous),
            "now_with": who.inline if who.known else address,
            "now_with_cy": who.phrase_cy if who.known else address,
            "now_with_email": address,
        },
        dedup_key=dedup_key, in_reply_to=None,
    )


def tell_member_it_is_late(
    app: App, session: Session, case: CaseRow, due: date, now: datetime
) -> list[str]:
    """The response the member was promised by `due` has not been sent: tell them so, who
    has it and how to reach them, and that the officer has been asked for the reason and
    a new date (Wiltshire 6.5.8; Cardiff: keep the Member informed; Colchester 16(6)).
    Once per due date; only to a member in members.csv who was acknowledged."""
    if not may_be_told_late(app, session, case):
        return []
    return _letter(
        app, session, case, now, "late_notice", _late_notice_values(app, session, case, due),
        dedup_key=late_notice_key(case, due), in_reply_to=None,
    )


def may_be_told_late(app: App, session: Session, case: CaseRow) -> bool:
    """Whether the case's member is one a late notice is written to: in members.csv,
    acknowledged, the case unfinished and held by an officer."""
    return (member_was_acknowledged(session, case) and case.status not in FINISHED
            and bool(case.officer_email) and app.directory.member(case.member_email) is not None)


def _late_notice_values(app: App, session: Session, case: CaseRow, due: date) -> dict[str, Any]:
    """The late notice names the date the member was last given (`old_due`), not the
    case's own `due` when a PAUSE and RESUME they were not written about moved it on:
    `told` then says it is the date they were told, not a promise of `due`."""
    given = date_member_was_given(app, session, case)
    named = given if given is not None and given < due else due
    return {"old_due": named, "told": named != due, "now_with_email": case.officer_email}


# The letters to the member that give them a response date (each says 'by' the case's
# date as it stood when it went): the acknowledgement, an EXTEND's, a new date after a
# pause, a reopened case's, a new officer's.
DATED_LETTERS = ("ack", "extension_notice", "reopened", "alternative_contact",
                 "clarification_received", "fee_received", "reply_received", "pause_ended")


def date_member_was_given(app: App, session: Session, case: CaseRow) -> date | None:
    """The response date the last dated letter to the member named: what they expect.
    The letters that are written again at send time (mailbot.still_due) named the date
    the case had when they went; the acknowledgement the one when it was queued; one still
    waiting names the case's date now; each under the kind the case was then (an enquiry's
    acknowledgement named an enquiry's date, whatever it was relabelled since). A letter
    that went while the clock was paused named no date (the new officer's, on a case
    handed over paused): the one before it is what the member expects. None if no dated
    letter was queued (or all were withdrawn or failed), or if the last acknowledgement
    went while the clock was paused, replacing the earlier one and its date: the member
    then waits for the date (member_awaits_a_date)."""
    return _member_was_given(app, session, case)[0]


def member_awaits_a_date(app: App, session: Session, case: CaseRow) -> bool:
    """Whether the last acknowledgement the member was sent went while the clock was
    paused (an enquiry paused, then relabelled an FOI request or a complaint: ack's
    paused_since), so it took back the date they had and promised them one when the clock
    runs again, and no dated letter has gone since."""
    return _member_was_given(app, session, case)[1]


def _member_was_given(
    app: App, session: Session, case: CaseRow
) -> tuple[date | None, bool]:
    """(date_member_was_given, member_awaits_a_date), from the member's letters newest
    first."""
    letters = session.scalars(
        select(OutboxRow).where(
            OutboxRow.case_id == case.id, OutboxRow.purpose.in_(DATED_LETTERS),
            OutboxRow.status.not_in(("suppressed", "failed")),
        ).order_by(OutboxRow.id.desc())
    ).all()
    events = cases.clock_events(session, case)
    for row in letters:
        named = _date_named(app, session, case, row, events)
        if named is not None:
            return named, False
        if row.purpose == "ack" and RELABELLED_AGAIN in row.dedup_key:
            return None, True  # it said the clock is paused and the date will follow
    return None, False


# In the outbox key of the acknowledgement sent again after a relabel (triage.relabel_case:
# "ack:<message>:relabelled:<kind>:<when>"): one that named no date went while the clock
# was paused, and said one will follow (acknowledgement: paused_since).
RELABELLED_AGAIN = ":relabelled:"


def _date_named(
    app: App, session: Session, case: CaseRow, row: OutboxRow, events: list[ClockEvent]
) -> date | None:
    """The response date the dated letter `row` named: the case's as it stood when the
    letter went (the acknowledgement: when queued; one still waiting: now), under the kind
    it had then. None for one that went while the clock was paused."""
    went = row.created_at if row.purpose == "ack" else row.sent_at
    if went is None:
        return case.response_due
    before = [e for e in events if e.at <= went]
    return case_deadlines(
        app.policy, kind_when(session, case, went), Priority(case.priority),
        case.received_at, before,
    ).response_due


def kind_when(session: Session, case: CaseRow, moment: datetime) -> Kind:
    """The kind `case` had at `moment`: the kind its first relabel after then took it
    from (the timeline's 'relabelled' entry, "enquiry → foi; ..."), else its kind now."""
    detail = session.scalar(
        select(EventRow.detail)
        .where(EventRow.case_id == case.id, EventRow.action == RELABELLED,
               EventRow.at > moment)
        .order_by(EventRow.at, EventRow.id)
        .limit(1)
    )
    before = (detail or "").partition(" → ")[0]
    return Kind(before) if before in {k.value for k in Kind} else Kind(case.kind)


RELABELLED = "relabelled"  # the timeline entry of a relabel (triage.relabel_case)


def tell_member_clarification_received(
    app: App, session: Session, case: CaseRow, clarified_on: date, now: datetime, *,
    in_reply_to: ParsedMessage | None = None,
) -> list[str]:
    """An FOI request paused for the member's clarification has had it (their reply, or the
    officer's RESUME the day it came another way): a fresh 20 working days run from that
    day (FOIA s.1(3)), and the member is told it was received and the new date. Once per
    pause, so a second RESUME or the same mail read again writes nothing; only to a member
    who was acknowledged, while the case is open with a date still to come (a RESUME
    dated well back can give one already passed: no letter promises it, _date_to_come)."""
    pause = foi_pause.last_pause(session, case)
    if (case.kind != Kind.FOI.value or pause is None or case.status in FINISHED
            or not _date_to_come(case, now) or not member_was_acknowledged(session, case)):
        return []
    return _letter(
        app, session, case, now, CLARIFICATION_RECEIVED,
        {"clarified_on": clarified_on,
         "statutory_days": app.policy.response_days(Kind.FOI, Priority.NORMAL)},
        dedup_key=f"{CLARIFICATION_RECEIVED}:{case.id}:{pause.id}", in_reply_to=in_reply_to,
    )


CLARIFICATION_RECEIVED = "clarification_received"  # the letter's template and outbox purpose


def tell_member_fee_received(
    app: App, session: Session, case: CaseRow, received_on: date, now: datetime
) -> list[str]:
    """An FOI request held by a fees notice (FOIA s.9) has had its fee: the officer's
    RESUME on the day it was received. The working days from the notice to that day are
    disregarded (s.10(2)), so the date the member was given has moved, and they are told
    the fee was received and the new date. Once per pause (a second RESUME is refused, the
    same mail read again is one outbox key); only to a member who was acknowledged, while
    the request is open with a date still to come (_date_to_come)."""
    pause = foi_pause.last_pause(session, case)
    if (case.kind != Kind.FOI.value or pause is None or case.status in FINISHED
            or not _date_to_come(case, now) or not member_was_acknowledged(session, case)):
        return []
    return _letter(
        app, session, case, now, FEE_RECEIVED,
        {"received_on": received_on, "notice_on": pause.at.astimezone(cases.LONDON).date()},
        dedup_key=f"{FEE_RECEIVED}:{case.id}:{pause.id}", in_reply_to=None,
    )


FEE_RECEIVED = "fee_received"  # the letter's template and outbox purpose


def _date_to_come(case: CaseRow, now: datetime) -> bool:
    """Whether the case's response date is today or later: a letter saying the member
    'will have our response by' it is then true. A RESUME dated back to the day the fee
    or the clarification came, written weeks later, can give a date already passed."""
    due = case.response_due
    return due is not None and due >= now.astimezone(cases.LONDON).date()


def tell_member_reply_moved_the_date(
    app: App, session: Session, case: CaseRow, replied_on: date, now: datetime, *,
    in_reply_to: ParsedMessage,
) -> list[str]:
    """The member's reply has ended an officer's PAUSE with a resume (the clock runs
    again, the paused working days disregarded), and the response date is now later than
    the one they were given (date_member_was_given), or they were told it would follow
    (member_awaits_a_date). The member is told, in reply, the new date and why. That is an
    enquiry's or complaint's pause, or an FOI request's that names neither of the Act's
    stops (set while it was an enquiry and kept when it was relabelled): the statutory
    date has moved just the same. Not the Act's clarification, whose restart has its own
    letter (tell_member_clarification_received), nor a fees notice, which their reply
    never ends. Nothing when the date did not move (the pause began after it had passed,
    or held no working day). Once per pause; only to a member who was acknowledged, while
    the case is open with a date."""
    pause = foi_pause.last_pause(session, case)
    new_due = case.response_due
    the_acts = (case.kind == Kind.FOI.value and pause is not None
                and foi_pause.foi_stop(pause.why) is not None)
    if (the_acts or pause is None or new_due is None or case.status != CaseStatus.OPEN
            or not member_was_acknowledged(session, case)):
        return []
    promised, awaits = _member_was_given(app, session, case)
    moved = not awaits and promised is not None and new_due > promised
    # A member told of the pause was promised the date when it runs again (pause_letters).
    if not (awaits or moved or (told_of_pause(session, case) and _date_to_come(case, now))):
        return []
    return _letter(
        app, session, case, now, REPLY_RECEIVED,
        {"replied_on": replied_on, "paused_on": pause.at.astimezone(cases.LONDON).date(),
         "old_due": promised if moved else None, "new_due": new_due},
        dedup_key=f"{REPLY_RECEIVED}:{case.id}:{pause.id}", in_reply_to=in_reply_to,
    )


def tell_member_pause_ended(
    app: App, session: Session, case: CaseRow, resumed_on: date, now: datetime
) -> list[str]:
    """The officer's RESUME has ended a pause the member was told of with the promise of
    a date when it runs again (member_awaits_a_date: the acknowledgement of an enquiry
    relabelled an FOI request or a complaint while paused; or told_of_pause: the letter
    at the PAUSE, or the reply to their "Any news?"): they are sent it, with the
    days paused, in their thread. Once per pause; only while the case is open with a date
    still to come (_date_to_come)."""
    pause = foi_pause.last_pause(session, case)
    if (pause is None or case.status != CaseStatus.OPEN or not _date_to_come(case, now)
            or not (member_awaits_a_date(app, session, case) or told_of_pause(session, case))):
        return []
    return _letter(
        app, session, case, now, PAUSE_ENDED,
        {"paused_on": pause.at.astimezone(cases.LONDON).date(), "resumed_on": resumed_on},
        dedup_key=f"{PAUSE_ENDED}:{case.id}:{pause.id}", in_reply_to=None,
    )


PAUSE_ENDED = "pause_ended"  # the letter's template and outbox purpose
# The letters telling the member their case is paused (mailbot/pause_letters.py): at the
# PAUSE, and in reply to their "Any news?". Each promises the date when it runs again.
PAUSE_LETTERS = ("pause_notice", "pause_holding")


def pause_letter_key(purpose: str, case: CaseRow, pause_id: int) -> str:
    """A pause letter's outbox key: once per pause (its clock event)."""
    return f"{purpose}:{case.id}:{pause_id}"


def told_of_pause(session: Session, case: CaseRow) -> bool:
    """Whether the member was sent (or is to be sent) a letter saying the case's last
    pause holds it and that the date will follow when it runs again."""
    pause = foi_pause.last_pause(session, case)
    if pause is None:
        return False
    keys = [pause_letter_key(purpose, case, pause.id) for purpose in PAUSE_LETTERS]
    found = session.scalar(
        select(OutboxRow.id).where(OutboxRow.dedup_key.in_(keys),
                                   OutboxRow.status.not_in(("suppressed", "failed")))
        .limit(1))
    return found is not None


REPLY_RECEIVED = "reply_received"  # the letter's template and outbox purpose


def member_was_acknowledged(session: Session, case: CaseRow) -> bool:
    """Whether an acknowledgement (with its date) was queued for the member of `case`."""
    found = session.scalar(
        select(OutboxRow.id).where(OutboxRow.case_id == case.id, OutboxRow.purpose == "ack")
        .limit(1)
    )
    return found is not None


def late_notice_key(case: CaseRow, due: date) -> str:
    return f"late_notice:{case.id}:{due.isoformat()}"


# The reason given for a late notice kept back because another letter to the member said
# what it would (the acknowledgement of held mail verified after its date): the member
# was told all the same.
SAID_IN_ANOTHER_LETTER = "said in another letter: "


def member_told_late(session: Session, case: CaseRow, due: date) -> bool:
    """Whether the member has been sent (or is about to be) the letter saying the response
    due on `due` is late, or another letter saying the same: the officer's overdue
    reminder then says so. One kept back for any other reason (`withdrawn`: the date
    passed long ago, mailbot.late_notice_backlog) told nobody."""
    key = late_notice_key(case, due)
    if any(isinstance(row, OutboxRow) and row.dedup_key == key and _told(row.status,
                                                                        row.last_error)
           for row in session.new):
        return True
    with session.no_autoflush:
        found = session.execute(select(OutboxRow.status, OutboxRow.last_error).where(
            OutboxRow.dedup_key == key)).first()
    return found is not None and _told(*found)


def _told(status: str, reason: str | None) -> bool:
    return status != "withdrawn" or (reason or "").startswith(SAID_IN_ANOTHER_LETTER)


def _letter(
    app: App,
    session: Session,
    case: CaseRow,
    now: datetime,
    template: str,
    extra: dict[str, Any],
    *,
    dedup_key: str,
    in_reply_to: ParsedMessage | None,
) -> list[str]:
    mail = letter_mail(app, session, case, template, extra, in_reply_to=in_reply_to)
    if mail is None:
        return []
    queued = outbox.queue(
        session,
        purpose=template,
        dedup_key=dedup_key[:200],
        case=case,
        rendered=mail.rendered,
        envelope=mail.envelope,
        now=now,
    )
    if queued is None:
        return []
    ledger.record_event(
        session, now, "mailbot", f"{template} queued", f"to {case.member_email}", case=case
    )
    return [template]


def late_notice_mail(
    app: App, session: Session, case: CaseRow, due: date
) -> outbox.Rewritten | None:
    """The late notice as the case stands now (who has it, how to reach them): the
    send-time check (mailbot.still_due) writes a queued one again with this."""
    if not case.officer_email:
        return None
    return letter_mail(app, session, case, "late_notice",
                        _late_notice_values(app, session, case, due), in_reply_to=None)


def letter_mail(
    app: App,
    session: Session,
    case: CaseRow,
    template: str,
    extra: dict[str, Any],
    *,
    in_reply_to: ParsedMessage | None,
) -> outbox.Rewritten | None:
    """A letter to the member in their thread; None for a sender mailbot writes nothing to."""
    member = app.directory.member(case.member_email)
    if member is None and not app.settings.directory.acknowledge_unknown_senders:
        return None
    # Welsh first for mail in Welsh (a bilingual council): the member's own mail, either
    # the one being answered or, for a letter an officer's command causes, the first.
    said = in_reply_to
    if said is None and app.policy.language == "cy-en":
        said = cases.original_message(session, case)
    languages = member_languages(app.policy.language, member.language if member else None,
                                 wrote_welsh=acknowledgement.wrote_welsh(said))
    # Who is dealing with it, as the acknowledgement named them: an officer by name, or
    # the pack's route by what it is ("the Monitoring Officer", not its address).
    who = acknowledgement.responder(app, case)
    context = {
        "council": {
            **assignment.council_context(app),
            "welcomes_welsh": welcomes_welsh(app.policy.language),
            # The numbers for what cannot wait for email, as the acknowledgement has them
            # (the late notice says them again); "" for none.
            "telephone": app.settings.council.telephone,
            "out_of_hours_telephone": app.settings.council.out_of_hours_telephone,
        },
        "member": acknowledgement.member_context(app, case),
        "case": {
            "ref": case.ref,
            "kind": case.kind,
            "kind_label": cases.KIND_LABELS[Kind(case.kind)],
            "received": case.received_at.astimezone(cases.LONDON).date(),
            "response_due": case.response_due,
            "officer_known": who.known,
            "officer_phrase": who.phrase,
            "officer_inline": who.inline,
            "officer_phrase_cy": who.phrase_cy,
        },
        "reply_subject": reply_subject(letter_subject(session, case), case.ref),
        "contact": who.contact if who.known else None,
        **extra,
    }
    return outbox.Rewritten(
        app.renderer.render(template, context, languages),
        from_the_mailbox(
            app, to=case.member_email,
            in_reply_to=in_reply_to.message_id if in_reply_to else case.root_message_id,
            references=in_reply_to.references if in_reply_to else [],
        ),
    )


def from_the_mailbox(
    app: App,
    *,
    to: str,
    in_reply_to: str | None,
    references: Sequence[str],
    cc: Sequence[str] = (),
) -> Envelope:
    return Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(to,),
        cc=tuple(cc),
        in_reply_to=in_reply_to,
        references=references,
        instance=app.settings.council.instance,
    )


def new_date_letter_waiting(session: Session, case: CaseRow) -> bool:
    """Whether a letter giving the member a new date after a pause (fee_received,
    reply_received, pause_ended) is still in the outbox: queued in this same poll, it is
    withdrawn at send time once the case is answered or paused again (still_due)."""
    found = session.scalar(select(OutboxRow.id).where(
        OutboxRow.case_id == case.id, OutboxRow.status == "pending",
        OutboxRow.purpose.in_((FEE_RECEIVED, REPLY_RECEIVED, PAUSE_ENDED))).limit(1))
    return found is not None
