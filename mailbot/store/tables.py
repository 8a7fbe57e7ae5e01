"""SQLAlchemy 2 tables. The database is the source of truth for everything mailbot did."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from mailbot.matter import KEY_LENGTH
from mailbot.matter import matter_key as key_of


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every database (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Clipped(TypeDecorator[str]):
    """Text that comes from mail or from a person (an address, a name, a subject), cut to
    the column's size on the way in. PostgreSQL refuses a longer value where SQLite keeps
    it, and one message with a 400-character From must not stop the poll for every
    message behind it. The message's raw bytes are kept whole in any case."""

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return value[: self.length] if value is not None else value


# A row the retention purge has not erased yet: its partial indexes hold only these.
KEPT = text("purged_at IS NULL")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class MessageRow(Base):
    """The intake ledger: every message ever fetched, kept with its raw bytes."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    folder: Mapped[str] = mapped_column(String(16), default="inbox")
    backend_ref: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime]
    sender: Mapped[str] = mapped_column(Clipped(320), default="")
    subject: Mapped[str] = mapped_column(Clipped(300), default="")
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    automatic: Mapped[str | None] = mapped_column(String(16), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the retention purge erased the raw bytes; the row (and its Message-ID, the
    # dedup ledger) stays.
    purged_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (
        Index("ix_messages_status", "status"),
        Index("ix_messages_case", "case_id"),
        Index("ix_messages_received", "received_at"),  # status's bulk share, the purge
        # Mail not yet erased (partial), for the retention purge: mail of no case, and
        # the mail of closed cases, each picked in batches by id
        Index("ix_messages_kept_case", "case_id", "id", sqlite_where=KEPT,
              postgresql_where=KEPT),
        Index("ix_messages_kept", "id", "case_id", sqlite_where=KEPT, postgresql_where=KEPT),
    )


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    status: Mapped[str] = mapped_column(String(16))
    member_email: Mapped[str] = mapped_column(Clipped(320))
    member_name: Mapped[str] = mapped_column(Clipped(200), default="")
    known_member: Mapped[bool] = mapped_column(Boolean, default=False)
    officer_email: Mapped[str | None] = mapped_column(Clipped(320), nullable=True)
    subject: Mapped[str] = mapped_column(Clipped(300), default="")
    # mailbot.matter's key of the subject, kept by _keep_matter_key whatever sets it; a
    # Core UPDATE of the subject must set it too (the erasures blank both).
    matter_key: Mapped[str] = mapped_column(String(KEY_LENGTH), default="", server_default="")
    policy: Mapped[str] = mapped_column(Clipped(100))
    received_at: Mapped[datetime]
    ack_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    response_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    responded_at: Mapped[datetime | None] = mapped_column(nullable=True)
    root_message_id: Mapped[str] = mapped_column(String(998))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Set when the retention purge erased the member's details; ref, kind, dates stay.
    anonymised_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # A subject access request (UK GDPR Article 15) for the person's own data: the member
    # and the officer are told data protection law's one calendar month (access_request).
    subject_access: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())

    __table_args__ = (
        Index("ix_cases_status_due", "status", "response_due"),
        Index("ix_cases_officer", "officer_email"),
        Index("ix_cases_received", "received_at"),
        Index("ix_cases_responded", "responded_at"),  # the digest's answered-since query
        Index("ix_cases_parent", "parent_id"),  # `mailbot case`: the cases split from it
        # A member's open cases, listed in each assignment and chaser mail to an officer
        Index("ix_cases_member", "member_email", "status"),
        # A mail sent again, or forwarded by staff, looked up by its matter
        Index("ix_cases_matter", "matter_key"),
    )

    @validates("subject")
    def _keep_matter_key(self, _name: str, subject: str | None) -> str | None:
        self.matter_key = key_of(subject or "")
        return subject


class ClockEventRow(Base):
    """Pause, resume, extend, restart, stop: the inputs from which due dates are derived."""

    __tablename__ = "clock_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    clock: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]
    who: Mapped[str] = mapped_column(Clipped(320))
    why: Mapped[str] = mapped_column(Text, default="")
    new_due: Mapped[date | None] = mapped_column(Date, nullable=True)


class EventRow(Base):
    """The audit trail: who did what, when and why."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), nullable=True)
    actor: Mapped[str] = mapped_column(Clipped(320))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_events_action_at", "action", "at"),)  # the digest's reopened


class OutboxRow(Base):
    """Mail waiting to go, or gone. Only the outbox flush sends; dedup_key stops repeats."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    purpose: Mapped[str] = mapped_column(String(30))
    recipients: Mapped[str] = mapped_column(Text)  # comma-separated addresses
    mime: Mapped[bytes] = mapped_column(LargeBinary)
    automatic: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    not_before: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(nullable=True)  # MIME erased

    __table_args__ = (
        Index("ix_outbox_status", "status", "not_before"),
        Index("ix_outbox_sent", "status", "sent_at"),  # the per-recipient cap's window
        # A case's mail: the reminder sweep's "already queued?", `mailbot case`, replies
        Index("ix_outbox_case", "case_id", "purpose"),
        # Mail of one purpose by its key's prefix: an officer's reminder summaries, a
        # recipient's digests (found at each send)
        Index("ix_outbox_purpose", "purpose", "dedup_key"),
        # The reminders kept back for a summary: queued with it, at the same moment
        Index("ix_outbox_created", "created_at"),
        # Sent mail not yet erased (partial), for the retention purge
        Index("ix_outbox_kept", "id", "case_id", sqlite_where=KEPT, postgresql_where=KEPT),
    )


class StateRow(Base):
    """Small named values that must survive a restart: backend cursors, last digest week."""

    __tablename__ = "state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RefCounterRow(Base):
    __tablename__ = "ref_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ReadFailureRow(Base):
    """A message the mailbox failed to give, remembered across polls and restarts (see
    mailbot/backends/unreadable.py): how often it failed alone, when, and when it was left
    for a person. `mailbox` is a digest of the backend and the mailbox read (see
    store/read_failures.py), `message` the backend's key for the message."""

    __tablename__ = "read_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backend: Mapped[str] = mapped_column(String(20))
    mailbox: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(1000))
    failures: Mapped[int] = mapped_column(Integer)
    first_failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]
    left_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (
        Index("ix_read_failures_message", "mailbox", "message", unique=True),
    )
