"""Domain types shared by every stage. Plain data: no I/O, no clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    ENQUIRY = "enquiry"
    FOI = "foi"
    COMPLAINT = "complaint"
    CONFIDENTIALITY = "confidentiality"


class Priority(StrEnum):
    NORMAL = "normal"
    IMPORTANT = "important"


class Automatic(StrEnum):
    """Why a message is machine-generated and must never be answered."""

    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    BULK = "bulk"
    RECEIPT = "receipt"
    CALENDAR = "calendar"


class MessageStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    AUTOMATIC = "automatic"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


class CaseStatus(StrEnum):
    OPEN = "open"
    NEEDS_TRIAGE = "needs_triage"
    PAUSED = "paused"
    RESPONDED = "responded"
    CLOSED = "closed"


# The member has the answer: no clock runs and no reminder goes (str values, for SQL too).
FINISHED = (CaseStatus.RESPONDED, CaseStatus.CLOSED)
# The rest, named rather than "not finished" so SQL can use the status index.
UNFINISHED = tuple(status for status in CaseStatus if status not in FINISHED)


@dataclass(frozen=True)
class Address:
    name: str
    email: str  # lower-cased addr-spec

    def __str__(self) -> str:
        return self.email


@dataclass(frozen=True)
class Classification:
    kind: Kind | None
    confidential: bool
    priority: Priority
    confidence: float
    automatic: Automatic | None = None
    # A subject access request (UK GDPR Article 15) for the person's own data: an
    # enquiry, or an FOI request when it also asks for the council's general records.
    subject_access: bool = False


@dataclass(frozen=True)
class FetchedMessage:
    """What a mailbox backend hands over: the raw bytes and how to find them again."""

    ref: str  # backend-specific handle, used by mark_processed
    raw: bytes
    folder: str = "inbox"  # "inbox" or "sent": sent items let us see officers' replies


@dataclass(frozen=True)
class OutgoingMail:
    """A fully rendered MIME message ready for a backend to send."""

    message_id: str
    recipients: tuple[str, ...]
    mime: bytes


class NotRead(StrEnum):
    """Why mail passed on as an attachment is missing from a message's text."""

    BROKEN = "broken"  # mailbot reads such mail, but this one could not be read
    TOO_MANY = "too_many"  # past the attached emails read per message
    TOO_DEEP = "too_deep"  # attached more forwards deep than are read
    IN_WINMAIL = "in_winmail"  # an email inside winmail.dat, which mailbot does not open
    # Its letter is Rich Text (RTF) past what mailbot reads in one mail (mailbot.tnef's
    # RtfBudget): read only in part, or not at all.
    TOO_MUCH_RTF = "too_much_rtf"


@dataclass(frozen=True)
class UnreadAttachment:
    """Mail passed on as an attachment that is missing from the text, named as the officer
    sees it in the original: its file name, else its subject ("" if neither is known)."""

    name: str
    why: NotRead = NotRead.BROKEN


@dataclass(frozen=True)
class AttachedFile:
    """A file the member attached (not an inline picture), by name and decoded size in
    bytes (0 if unknown), so the officer knows to open the original to see it."""

    name: str
    size: int


@dataclass
class ParsedMessage:
    message_id: str
    subject: str
    sender: Address | None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    date: datetime | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    text: str = ""  # the body as plain text (HTML converted)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names, first value
    # Every value of a header that appears more than once, in the order written: a list
    # relay adds its own List-Id or Precedence beside the sender's (mailbot.own_relay).
    repeated_headers: dict[str, list[str]] = field(default_factory=dict)
    # The message's own parts; an attached message (message/rfc822) is one part, its
    # insides are someone else's mail. attachment_types: those sent as attachments.
    content_types: list[str] = field(default_factory=list)
    attachment_types: list[str] = field(default_factory=list)
    # A delivery report's per-recipient Action fields (failed, delayed, delivered, ...)
    delivery_actions: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    # Mail passed on as an attachment whose words are missing from `text` (a broken .msg
    # or attached email, a winmail.dat, one past the limits of what is read), which may
    # then be only the member's covering note.
    unread_attachments: list[UnreadAttachment] = field(default_factory=list)
    # The files sent as attachments, by name and size (mailbot.attached_files).
    attached_files: list[AttachedFile] = field(default_factory=list)
