"""The answer: recognising mail that answers the member, and recording it (the response
clock stops) or, where the protocol has the officer acknowledge, the acknowledgement."""

from __future__ import annotations

from datetime import datetime
from email.utils import getaddresses
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot import ledger
from mailbot.addresses import domain_key
from mailbot.cases import LONDON, add_clock_event, clock_events
from mailbot.directory import Directory
from mailbot.model import FINISHED, CaseStatus, Kind, ParsedMessage
from mailbot.store.tables import (
    CaseRow,
    OutboxRow,
)
from mailbot.thread import same_member

if TYPE_CHECKING:
    from mailbot.app import App


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
    return domain_key(address.rpartition("@")[2])


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
        session,
        case,
        "stop",
        who=who,
        why="the officer's acknowledgement to the member",
        now=now,
        clock="ack",
    )
    case.acknowledged_at = now
    case.updated_at = now
    ledger.record_event(
        session,
        now,
        who,
        "acknowledged",
        "the officer's first reply to the member, taken as the acknowledgement; "
        "the response clock runs on",
        case=case,
    )


def record_response(
    session: Session,
    case: CaseRow,
    who: str,
    now: datetime,
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


def record_reply_again(session: Session, case: CaseRow, who: str, at: datetime) -> None:
    """An officer's further mail to the member about a case already answered ("one more
    thing"): on the case's timeline, while the answer it had stands (its time, and the
    clock stopped then)."""
    answered_at = case.responded_at
    when = f"{answered_at.astimezone(LONDON):%Y-%m-%d %H:%M}" if answered_at else "earlier"
    ledger.record_event(
        session, at, who, "replied again",
        f"another reply to the member; the case stays answered as of {when}",
        case=case,
    )


def record_answer(
    app: App,
    session: Session,
    case: CaseRow,
    who: str,
    at: datetime,
    why: str = "reply to the member seen",
) -> str:
    """An officer's mail to the member, taken as what it is on this case: the
    acknowledgement the protocol asks of them (the response clock runs on), else the
    answer (it stops); on a case already answered, a reply again (the answer stands).
    Returns what was recorded, for the message's ledger line."""
    if case.status in FINISHED:
        record_reply_again(session, case, who, at)
        return "another reply to the member; the case was answered already"
    if officer_acknowledges(app, case):
        record_acknowledgement(session, case, who, at)
        return "acknowledgement to the member recorded; the response clock runs on"
    record_response(session, case, who, at, why)
    return "response to the member recorded"
