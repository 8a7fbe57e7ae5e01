"""What a search of what mailbot holds found about a person (mailbot.data_subject.find):
the cases, messages received, mail sent, audit trail entries, clock changes and classifier
corrections lines that concern them, each with why (their case, one they handle, a header
or the text naming them), and what the directory's files say of them. Read by the subject
access export (mailbot.subject_access) and the erasure on request (mailbot.erasure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mailbot.data_subject_person import Person
from mailbot.model import FINISHED

MEMBER, OFFICER, IN_SUBJECT = "the member", "the officer", "named in the subject"
# Why a mail of no one case (a reminder summary, a digest) concerns a member: it lists one
# of their cases, with its subject and, in a summary, their name and address.
NAMES_THEIR_CASE = "names their case"
IN_ERROR = "its error"  # a sent mail's error (why it was held back or failed) names them


@dataclass
class FoundCase:
    id: int
    ref: str
    kind: str
    status: str
    received_at: datetime
    member_email: str
    member_name: str
    officer_email: str | None
    subject: str
    anonymised_at: datetime | None
    roles: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.status not in FINISHED


@dataclass
class FoundMessage:
    id: int
    message_id: str
    received_at: datetime
    status: str
    sender: str
    subject: str
    case_id: int | None
    purged_at: datetime | None
    why: list[str]


@dataclass
class FoundMail:
    """A mail mailbot sent (or queued) from the outbox."""

    id: int
    message_id: str
    purpose: str
    recipients: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    case_id: int | None
    purged_at: datetime | None
    why: list[str]
    names_cases: tuple[int, ...] = ()  # their cases it lists, when it is of no one case

    @property
    def only_lists_cases(self) -> bool:
        """Found only because it lists cases of theirs (not by its headers or text)."""
        return bool(self.why) and all(w.startswith(NAMES_THEIR_CASE) for w in self.why)


@dataclass
class FoundEvent:
    id: int
    at: datetime
    case_id: int | None
    message_id: int | None
    actor: str
    action: str
    detail: str
    why: list[str]


@dataclass
class FoundClockChange:
    id: int
    case_id: int
    clock: str
    action: str
    at: datetime
    who: str
    reason: str
    new_due: str | None
    why: list[str]


@dataclass
class FoundCorrection:
    line: int  # 1-based, in the corrections file
    text: str
    why: list[str]


@dataclass
class Findings:
    person: Person
    cases: list[FoundCase] = field(default_factory=list)
    messages: list[FoundMessage] = field(default_factory=list)
    mail: list[FoundMail] = field(default_factory=list)
    events: list[FoundEvent] = field(default_factory=list)
    clock_changes: list[FoundClockChange] = field(default_factory=list)
    corrections: list[FoundCorrection] = field(default_factory=list)
    corrections_path: Path | None = None
    directory: list[str] = field(default_factory=list)  # what members/officers.csv say

    def ref_of(self, case_id: int | None) -> str:
        case = self.cases_by_id.get(case_id) if case_id is not None else None
        return case.ref if case is not None else ""

    @property
    def cases_by_id(self) -> dict[int, FoundCase]:
        return {case.id: case for case in self.cases}

    @property
    def total(self) -> int:
        return (len(self.cases) + len(self.messages) + len(self.mail) + len(self.events)
                + len(self.clock_changes) + len(self.corrections))
