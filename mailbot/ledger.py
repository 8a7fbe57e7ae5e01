"""The intake ledger and the audit trail: what arrived, and what was done about it."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parseaddr, parsedate_to_datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from mailbot.model import FetchedMessage, MessageStatus, ParsedMessage
from mailbot.parse import ParseFailure, message_id_of
from mailbot.store.insert_now import insert_now
from mailbot.store.tables import CaseRow, EventRow, MessageRow

# Built once: every message fetched is looked up. Most mail is new, so a plain (Core) query
# asks only for the id, and the whole row (its raw bytes too) is loaded only for mail seen
# before. Nothing unflushed can hold a Message-ID: record_message writes its row at once.
_MESSAGES = MessageRow.metadata.tables[MessageRow.__tablename__]
_RECORDED_ID = select(_MESSAGES.c.id).where(_MESSAGES.c.message_id == bindparam("message_id"))


def find_message(session: Session, message_id: str) -> MessageRow | None:
    found = session.connection().execute(_RECORDED_ID, {"message_id": message_id}).scalar()
    return None if found is None else session.get(MessageRow, found)


def ledger_key(session: Session, raw: bytes) -> tuple[str, MessageRow | None]:
    """The key this mail is recorded under, and the row already recorded under it if any.

    The key is the Message-ID. A different mail that reuses a Message-ID already seen (a
    scanner or a business system numbering its mail from 1 again) must not be skipped as
    a duplicate: it is recorded under a key of its own, made from its content, the same
    for every copy of it."""
    message_id = message_id_of(raw)
    seen = find_message(session, message_id)
    # Erased bytes (the retention purge) cannot be compared, and are taken as the same
    # mail: nothing is answered twice.
    if seen is None or not seen.raw:
        return message_id, seen
    arrived = content_fingerprint(raw)
    if content_fingerprint(seen.raw) == arrived:  # a copy, whatever route each took
        return message_id, seen
    if _same_letter(seen.raw, raw):  # a copy another mail server wrote out again
        return message_id, seen
    reused = hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    twin = f"<{arrived[:24]}.{reused}@reused-id.mailbot.invalid>"
    return twin, find_message(session, twin)


def content_fingerprint(raw: bytes) -> str:
    """The author's part of a mail: its body and its From, Date and Subject, not the trace
    headers (Received, Authentication-Results) each server on the way adds."""
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    headers = BytesHeaderParser(policy=compat32).parsebytes(head + b"\n\n")
    author = "\n".join(str(headers.get(name, "")).strip() for name in ("From", "Date", "Subject"))
    digest = hashlib.sha256(author.encode("utf-8", "surrogateescape"))
    digest.update(b"\0" + body.rstrip())
    return digest.hexdigest()


def _same_letter(first: bytes, second: bytes) -> bool:
    """True if two mails under one Message-ID have the same sender address, the same Date
    to the second and the same Subject once decoded: one letter whose MIME a mail server
    wrote out again. Exchange keeps what a message says, not its bytes: the same message
    read after a move to Microsoft 365 (or through another API) comes with new boundaries,
    another transfer encoding, the display name quoted, so its body bytes differ. A system
    that reuses Message-IDs sends its next mail at another moment, or about another thing.
    Without a sender or a readable Date, nothing is assumed."""
    a, b = _letter(first), _letter(second)
    return a is not None and a == b


def _letter(raw: bytes) -> tuple[str, datetime, str] | None:
    head = raw.replace(b"\r\n", b"\n").partition(b"\n\n")[0]
    headers = BytesHeaderParser(policy=compat32).parsebytes(head + b"\n\n")
    sender = parseaddr(str(headers.get("From", "")))[1].strip().lower()
    try:
        when = parsedate_to_datetime(str(headers.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    if not sender or when.tzinfo is None:
        return None
    return sender, when, " ".join(_decoded(headers, "Subject").split())


def _decoded(headers: Message, name: str) -> str:
    value = headers.get(name)
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value))))
    except (UnicodeError, LookupError, ValueError):  # a broken encoded word: take it as it is
        return str(value)


def record_message(
    session: Session,
    fetched: FetchedMessage,
    message_id: str,
    now: datetime,
    parsed: ParsedMessage | ParseFailure | None = None,
) -> MessageRow:
    """Keep the raw bytes before any stage acts on them: nothing is ever lost. With the
    parsed message, its sender and subject are recorded in the same INSERT.

    The row is written at once, by one prebuilt INSERT on the session's connection, and
    then handed to the session as the row it now is (persistent, every column known), so
    what the stages change in it is written by the next flush as before. This spares the
    ORM's unit of work for one new object (about 50 µs on SQLite) on every message."""
    row = MessageRow(
        message_id=message_id,
        folder=fetched.folder,
        backend_ref=fetched.ref,
        raw=fetched.raw,
        size=len(fetched.raw),
        received_at=now,
        sender="",
        subject="",
        status=MessageStatus.RECEIVED,
        reason="",
        automatic=None,
        case_id=None,
        duplicates=0,
        purged_at=None,
    )
    note_parsed(row, parsed)
    return insert_now(session, row)


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


# The audit trail is only ever appended to and read by queries, never changed through the
# session: each entry is one plain INSERT when it is recorded, not an ORM object that the
# session tracks, flushes one by one and asks its new id back for (half the ORM's work on
# a new case's transaction). Built once: it runs several times for every message.
_INSERT_EVENT = insert(EventRow.metadata.tables[EventRow.__tablename__])


def record_event(
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    detail: str = "",
    *,
    case: CaseRow | None = None,
    message: MessageRow | None = None,
    case_id: int | None = None,
) -> None:
    """Append an entry to the audit trail, in this unit of work: written at once, so later
    queries in it see it, and gone with the rest if it rolls back. The case's and the
    message's ids are taken as they are when it is called."""
    # The case an entry is about, so that anonymising the case (retention, erasure on
    # request) blanks its text too: the outbox's entries name the mail's recipients.
    if case is not None:
        case_id = case.id
    elif message is not None:
        case_id = message.case_id
    session.connection().execute(
        _INSERT_EVENT,
        {
            "at": now,
            "actor": actor[:320],
            "action": action,
            "detail": detail,
            "case_id": case_id,
            "message_id": message.id if message is not None else None,
        },
    )
