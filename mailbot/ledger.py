"""The intake ledger and the audit trail: what arrived, and what was done about it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.model import FetchedMessage, MessageStatus, ParsedMessage
from mailbot.parse import ParseFailure
from mailbot.store.tables import CaseRow, EventRow, MessageRow


def find_message(session: Session, message_id: str) -> MessageRow | None:
    return session.scalar(select(MessageRow).where(MessageRow.message_id == message_id))


def record_message(
    session: Session,
    fetched: FetchedMessage,
    message_id: str,
    now: datetime,
    parsed: ParsedMessage | ParseFailure | None = None,
) -> MessageRow:
    """Keep the raw bytes before any stage acts on them: nothing is ever lost. With the
    parsed message, its sender and subject are recorded in the same INSERT."""
    row = MessageRow(
        message_id=message_id,
        folder=fetched.folder,
        backend_ref=fetched.ref,
        raw=fetched.raw,
        size=len(fetched.raw),
        received_at=now,
        status=MessageStatus.RECEIVED,
        reason="",
        duplicates=0,
    )
    note_parsed(row, parsed)
    session.add(row)
    session.flush()
    return row


def note_parsed(row: MessageRow, parsed: ParsedMessage | ParseFailure | None) -> None:
    """Who it is from and what about, for the lists a person reads (status, quarantine)."""
    if isinstance(parsed, ParsedMessage):
        row.sender = parsed.sender.email if parsed.sender else ""
        row.subject = parsed.subject[:300]


def count_duplicate(session: Session, row: MessageRow, now: datetime) -> None:
    row.duplicates += 1
    record_event(
        session, now, "ledger", "duplicate", "Message-ID seen before; skipped", message=row
    )


def record_event(
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    detail: str = "",
    *,
    case: CaseRow | None = None,
    message: MessageRow | None = None,
) -> EventRow:
    event = EventRow(
        at=now,
        actor=actor[:320],
        action=action,
        detail=detail,
        case_id=case.id if case is not None else (message.case_id if message else None),
        message_id=message.id if message is not None else None,
    )
    session.add(event)
    return event
