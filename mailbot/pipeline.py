"""The ordered stages for one message, all inside one database transaction.

ledger → parse → spam verdict → loop guard → sender check → thread → classify → case +
clock → outbox rows. Each stage either settles the message (returns an Outcome) or lets
the next one look at it. Stages write rows; none of them sends anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot import cases, ledger
from mailbot.loops import detect_automatic, spam_verdict
from mailbot.model import FetchedMessage, MessageStatus, ParsedMessage
from mailbot.parse import ParseFailure, message_id_of, parse_message
from mailbot.store.tables import CaseRow, MessageRow
from mailbot.thread import find_case

if TYPE_CHECKING:
    from mailbot.app import App

PLAUSIBLE_DATE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Outcome:
    message_id: str
    status: MessageStatus
    reason: str = ""
    case_ref: str | None = None
    queued: tuple[str, ...] = ()  # outbox purposes written for this message


@dataclass
class Intake:
    """One message on its way through the stages."""

    app: App
    session: Session
    row: MessageRow
    message: ParsedMessage
    fetched: FetchedMessage
    now: datetime
    queued: list[str] = field(default_factory=list)

    def settle(
        self, status: MessageStatus, reason: str = "", case: CaseRow | None = None
    ) -> Outcome:
        self.row.status = status
        self.row.reason = reason
        if case is not None:
            self.row.case_id = case.id
        return Outcome(
            self.row.message_id, status, reason, case.ref if case else None, tuple(self.queued)
        )


Stage = Callable[[Intake], Outcome | None]


def receipt_time(message: ParsedMessage, now: datetime) -> datetime:
    """When the member sent it, if their Date header is believable; else when we saw it.

    A daemon that was down over a weekend must not push a Friday message's clock to
    Monday, but a wrong or forged Date must not move a deadline into the past either.
    """
    if message.date and now - PLAUSIBLE_DATE_WINDOW <= message.date <= now:
        return message.date
    return now


def reject_spam(it: Intake) -> Outcome | None:
    verdict = spam_verdict(it.message)
    return it.settle(MessageStatus.IGNORED, f"spam filter verdict: {verdict}") if verdict else None


def drop_automatic(it: Intake) -> Outcome | None:
    verdict = detect_automatic(it.message)
    if verdict is None:
        return None
    it.row.automatic = verdict.automatic.value
    ledger.record_event(
        it.session,
        it.now,
        "loop-guard",
        "automatic",
        f"{verdict.automatic}: {verdict.reason}",
        message=it.row,
    )
    return it.settle(MessageStatus.AUTOMATIC, f"{verdict.automatic}: {verdict.reason}")


def require_sender(it: Intake) -> Outcome | None:
    if it.message.sender is None:
        return it.settle(MessageStatus.QUARANTINED, "no usable From address")
    return None


def ignore_own_mailbox(it: Intake) -> Outcome | None:
    sender = it.message.sender
    if it.fetched.folder == "inbox" and sender and sender.email == it.app.mailbox_address:
        return it.settle(MessageStatus.IGNORED, "sent from the shared mailbox itself")
    return None


def follow_thread(it: Intake) -> Outcome | None:
    case = find_case(it.session, it.message, it.app.directory)
    if case is None:
        if it.fetched.folder == "sent":
            return it.settle(MessageStatus.IGNORED, "sent item not about a case")
        return None
    sender = it.message.sender
    assert sender is not None
    if it.fetched.folder == "sent" or cases.is_response(case, it.message, it.app.directory):
        cases.record_response(it.session, case, sender.email, it.now)
        return it.settle(MessageStatus.PROCESSED, "response to the member recorded", case)
    cases.record_follow_up(it.session, case, it.row, sender.email, it.now)
    return it.settle(MessageStatus.PROCESSED, "follow-up added to the case", case)


def open_case(it: Intake) -> Outcome | None:
    classification = it.app.classifier.classify(it.message)
    received = receipt_time(it.message, it.now)
    case = cases.open_case(
        it.app, it.session, it.message, classification, received=received, now=it.now
    )
    if cases.should_acknowledge(it.app, case):
        it.queued.append(cases.queue_acknowledgement(it.app, it.session, case, it.message, it.now))
    return it.settle(MessageStatus.PROCESSED, f"opened as {case.kind}", case)


STAGES: tuple[Stage, ...] = (
    reject_spam,
    drop_automatic,
    require_sender,
    ignore_own_mailbox,
    follow_thread,
    open_case,
)


def process(app: App, session: Session, fetched: FetchedMessage, now: datetime) -> Outcome:
    """Run one fetched message through every stage. Never raises for bad mail."""
    message_id = message_id_of(fetched.raw)
    seen = ledger.find_message(session, message_id)
    if seen is not None:
        ledger.count_duplicate(session, seen, now)
        return Outcome(message_id, MessageStatus.DUPLICATE, "Message-ID seen before")
    row = ledger.record_message(session, fetched, message_id, now)
    parsed = parse_message(fetched.raw)
    if isinstance(parsed, ParseFailure):
        ledger.record_event(session, now, "parser", "quarantined", parsed.reason, message=row)
        row.status, row.reason = MessageStatus.QUARANTINED, parsed.reason
        return Outcome(message_id, MessageStatus.QUARANTINED, parsed.reason)
    row.sender = parsed.sender.email if parsed.sender else ""
    row.subject = parsed.subject[:300]
    intake = Intake(app, session, row, parsed, fetched, now)
    for stage in STAGES:
        outcome = stage(intake)
        if outcome is not None:
            return outcome
    raise AssertionError("open_case always settles the message")
