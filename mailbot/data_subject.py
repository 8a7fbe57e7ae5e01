"""Everything mailbot holds about one person: for a subject access request (UK GDPR
Article 15) and for erasure on request (Article 17).

A person is given by their addresses and, if wanted, their names. What concerns them:
- a case whose member they are (member_email, or member_name for a name given), or whose
  officer they are (officer_email);
- a message received, or a mail sent, with one of their addresses (or, for a name, a
  display name) in From, Sender, Reply-To, To or Cc; and every message and mail of a
  case whose member they are;
- an audit trail entry or clock change they made, of a case of theirs, about a message
  found, or whose text names one of their addresses;
- a classifier corrections line whose headers name them, that a person wrote as them, or
  that holds a message found.
With `in_text`, also mail, case subjects, audit entries and corrections lines whose text
names one of their addresses or names: residents appear only inside the mail members
forward. Searching is inclusive (a name in any order in a header, any case): a person
reads what was found before anything is sent on or erased.

This module is the search. Who is searched for and what names them is
mailbot.data_subject_person, what was found mailbot.data_subject_found; their names used
elsewhere are given here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from mailbot.corrections_file import json_object
from mailbot.data_subject_found import (
    IN_ERROR,
    IN_SUBJECT,
    MEMBER,
    NAMES_THEIR_CASE,
    OFFICER,
    Findings,
    FoundCase,
    FoundClockChange,
    FoundCorrection,
    FoundEvent,
    FoundMail,
    FoundMessage,
)
from mailbot.data_subject_person import (
    ADDRESS_HEADERS,
    Matcher,
    Person,
    PersonError,
    addresses_in,
    people_in_mail,
    person,
)
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message
from mailbot.refs import refs_in
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App

# The names of the modules this one was split into, as other modules and tests use them.
__all__ = [
    "ADDRESS_HEADERS", "IN_ERROR", "IN_SUBJECT", "MEMBER", "NAMES_THEIR_CASE", "OFFICER",
    "Findings", "FoundCase", "FoundClockChange", "FoundCorrection", "FoundEvent",
    "FoundMail", "FoundMessage", "Matcher", "Person", "PersonError", "case_roles",
    "cases_listed", "correction_id", "find", "mail_why", "people_in_mail", "person",
]

BATCH = 200  # rows of mail read at a time: raw mail can be large


def correction_id(message_id: str) -> str:
    """The id a corrections line carries for a message (classify.data.append_correction)."""
    return f"correction-{message_id.strip('<>')}"


# --- the search -------------------------------------------------------------------------


def find(app: App, who: Person) -> Findings:
    """Everything in the database and the corrections file that concerns `who`."""
    matcher = Matcher(who)
    findings = Findings(who, corrections_path=app.settings.corrections_path)
    with app.store.transaction() as session:
        findings.cases = _cases(session, matcher)
        theirs = {c.id for c in findings.cases if MEMBER in c.roles}
        findings.messages = _messages(session, matcher, theirs)
        refs = {c.ref: c.id for c in findings.cases if MEMBER in c.roles}
        findings.mail = _mail(session, matcher, theirs, refs)
        _add_cases_of_found_mail(session, findings)
        findings.events = _events(session, matcher, theirs, {m.id for m in findings.messages})
        findings.clock_changes = _clock_changes(session, matcher, theirs)
    message_ids = {correction_id(m.message_id) for m in findings.messages}
    findings.corrections = _corrections(app.settings.corrections_path, matcher, message_ids)
    findings.directory = _directory_lines(app, who)
    return findings


def _cases(session: Session, matcher: Matcher) -> list[FoundCase]:
    """Every case is looked at by the columns that may name the person; only the cases
    found are read whole."""
    named = select(CaseRow.id, CaseRow.member_email, CaseRow.member_name,
                   CaseRow.officer_email, CaseRow.subject).execution_options(yield_per=5000)
    roles_of = {row.id: roles for row in session.execute(named)
                if (roles := case_roles(row, matcher))}
    found = []
    for chunk in _chunks(sorted(roles_of)):
        for case in session.scalars(select(CaseRow).where(CaseRow.id.in_(chunk))
                                    .order_by(CaseRow.id)):
            found.append(_found_case(case, roles_of[case.id]))
    return found


def case_roles(row: Any, matcher: Matcher) -> list[str]:
    """How a case (a CaseRow, or a row of its member_email, member_name, officer_email and
    subject) concerns the person: their case, one they handle, or one naming them."""
    roles = []
    if row.member_email.lower() in matcher.addresses or (
        row.member_name and matcher.named(row.member_name)
    ):
        roles.append(MEMBER)
    if (row.officer_email or "").lower() in matcher.addresses:
        roles.append(OFFICER)
    if matcher.person.in_text and matcher.in_text(row.subject):
        roles.append(IN_SUBJECT)
    return roles


def _found_case(row: CaseRow, roles: list[str]) -> FoundCase:
    return FoundCase(row.id, row.ref, row.kind, row.status, row.received_at, row.member_email,
                     row.member_name, row.officer_email, row.subject, row.anonymised_at, roles)


def _in_batches(session: Session, statement: Any, key: Any) -> Iterator[Any]:
    """Rows of `statement` a batch at a time, by ascending `key`: raw mail is never all
    in memory at once."""
    last = 0
    while True:
        batch = session.execute(statement.where(key > last).order_by(key).limit(BATCH)).all()
        yield from batch
        if len(batch) < BATCH:
            return
        last = getattr(batch[-1], key.key)


def mail_why(raw: bytes, matcher: Matcher, in_their_case: bool) -> list[str]:
    """Why a message (received or sent) concerns the person; empty if it does not."""
    why = ["their case"] if in_their_case else []
    if not raw or (not matcher.person.in_text and not matcher.may_be_in_headers(raw)):
        return why  # nothing to parse: erased, or headers that cannot name them
    why += matcher.in_headers(BytesHeaderParser(policy=compat32).parsebytes(raw))
    if matcher.person.in_text:
        parsed = parse_message(raw)
        if isinstance(parsed, ParsedMessage) and matcher.in_text(parsed.subject, parsed.text):
            why.append("text")
        elif not isinstance(parsed, ParsedMessage) and matcher.in_text(
            raw.decode("utf-8", "replace")
        ):
            why.append("text")  # mail no parser reads (quarantined): its bytes as they are
    return why


def _messages(session: Session, matcher: Matcher, theirs: set[int]) -> list[FoundMessage]:
    """Only mail not yet erased is read (the partial index ix_messages_kept): an erased
    message has no bytes left, and concerns the person only as mail of their case."""
    why_of: dict[int, list[str]] = {}
    kept = select(MessageRow.id, MessageRow.raw, MessageRow.case_id).where(
        MessageRow.purged_at.is_(None))
    for row in _in_batches(session, kept, MessageRow.id):
        if why := mail_why(row.raw, matcher, row.case_id in theirs):
            why_of[row.id] = why
    for chunk in _chunks(sorted(theirs)):
        for message_id in session.scalars(select(MessageRow.id).where(
                MessageRow.case_id.in_(chunk), MessageRow.purged_at.is_not(None))):
            why_of[message_id] = ["their case"]
    columns = select(MessageRow.id, MessageRow.message_id, MessageRow.received_at,
                     MessageRow.status, MessageRow.sender, MessageRow.subject,
                     MessageRow.case_id, MessageRow.purged_at)
    return [FoundMessage(row.id, row.message_id, row.received_at, row.status, row.sender,
                         row.subject, row.case_id, row.purged_at, why_of[row.id])
            for row in _rows_of(session, columns, MessageRow.id, why_of)]


def _mail(
    session: Session, matcher: Matcher, theirs: set[int], their_refs: dict[str, int]
) -> list[FoundMail]:
    """Mail not yet erased is read whole (ix_outbox_kept); of erased mail only the
    recipients are left to name the person (and whose case it was). Mail of no one case
    (reminder summaries, digests) is also theirs where it lists one of their cases."""
    why_of: dict[int, list[str]] = {}
    listed: dict[int, tuple[int, ...]] = {}
    kept = select(OutboxRow.id, OutboxRow.mime, OutboxRow.recipients, OutboxRow.last_error,
                  OutboxRow.case_id).where(OutboxRow.purged_at.is_(None))
    erased = select(OutboxRow.id, OutboxRow.recipients, OutboxRow.last_error,
                    OutboxRow.case_id).where(OutboxRow.purged_at.is_not(None))
    for row in _in_batches(session, kept, OutboxRow.id):
        why = _sent_mail_why(row.mime, row.recipients, row.last_error, matcher,
                             row.case_id in theirs)
        if row.case_id is None and their_refs and (named := cases_listed(row.mime, their_refs)):
            listed[row.id] = tuple(their_refs[ref] for ref in named)
            why += [f"{NAMES_THEIR_CASE} {ref}" for ref in named]
        if why:
            why_of[row.id] = why
    for row in session.execute(erased):
        if why := _sent_mail_why(b"", row.recipients, row.last_error, matcher,
                                 row.case_id in theirs):
            why_of[row.id] = why
    columns = select(OutboxRow.id, OutboxRow.message_id, OutboxRow.purpose,
                     OutboxRow.recipients, OutboxRow.status, OutboxRow.created_at,
                     OutboxRow.sent_at, OutboxRow.case_id, OutboxRow.purged_at)
    return [FoundMail(row.id, row.message_id, row.purpose, row.recipients, row.status,
                      row.created_at, row.sent_at, row.case_id, row.purged_at, why_of[row.id],
                      listed.get(row.id, ()))
            for row in _rows_of(session, columns, OutboxRow.id, why_of)]


def cases_listed(mime: bytes, refs: dict[str, int]) -> list[str]:
    """The references among `refs` that a mail's subject or text gives, in order."""
    parsed = parse_message(mime)
    if not isinstance(parsed, ParsedMessage):
        return []
    return [ref for ref in dict.fromkeys(refs_in(f"{parsed.subject}\n{parsed.text}"))
            if ref in refs]


def _sent_mail_why(mime: bytes, recipients: str, error: str, matcher: Matcher,
                   in_their_case: bool) -> list[str]:
    why = mail_why(mime, matcher, in_their_case)
    if "To" not in why and matcher.addresses & set(addresses_in(recipients)):
        why.append("recipients")
    if _text_names(matcher, error):
        why.append(IN_ERROR)
    return why


def _add_cases_of_found_mail(session: Session, findings: Findings) -> None:
    """The cases the mail found belongs to, so each is named (by ref, with its status):
    whether one is still open decides what erasure may touch."""
    known = findings.cases_by_id
    wanted = {m.case_id for m in findings.messages} | {m.case_id for m in findings.mail}
    missing = sorted(i for i in wanted if i is not None and i not in known)
    for chunk in _chunks(missing):
        for row in session.scalars(select(CaseRow).where(CaseRow.id.in_(chunk))):
            findings.cases.append(_found_case(row, ["holds mail found"]))
    findings.cases.sort(key=lambda case: case.id)


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _rows_of(session: Session, statement: Any, key: Any, ids: Iterable[int]) -> Iterator[Any]:
    """The rows of `statement` whose `key` is one of `ids`, by ascending key, a chunk of
    ids at a time (a database takes only so many parameters in one IN)."""
    for chunk in _chunks(sorted(ids)):
        yield from session.execute(statement.where(key.in_(chunk)).order_by(key))


def _events(
    session: Session, matcher: Matcher, theirs: set[int], messages: set[int]
) -> list[FoundEvent]:
    who = matcher.person
    text_terms = list(who.addresses) + (list(who.names) if who.in_text else [])
    wanted: list[ColumnElement[bool]] = (
        [EventRow.actor.in_(who.addresses)] if who.addresses else [])
    wanted += [func.lower(EventRow.detail).contains(term.lower(), autoescape=True)
               for term in text_terms]
    for chunk in _chunks(sorted(theirs)):
        wanted.append(EventRow.case_id.in_(chunk))
    for chunk in _chunks(sorted(messages)):
        wanted.append(EventRow.message_id.in_(chunk))
    if not wanted:
        return []
    found = []
    for row in session.scalars(select(EventRow).where(or_(*wanted)).order_by(EventRow.id)):
        why = []
        if row.actor.lower() in matcher.addresses:
            why.append("made by them")
        if row.case_id in theirs:
            why.append("their case")
        if row.message_id in messages:
            why.append("a message found")
        if _text_names(matcher, row.detail):
            why.append("text")
        if why:
            found.append(FoundEvent(row.id, row.at, row.case_id, row.message_id, row.actor,
                                    row.action, row.detail, why))
    return found


def _text_names(matcher: Matcher, text: str) -> bool:
    """Audit text naming an address given, or (with in_text) a name given."""
    if not text:
        return False
    if matcher.person.in_text:
        return matcher.in_text(text)
    return bool(matcher.addresses & set(addresses_in(text)))


def _clock_changes(session: Session, matcher: Matcher, theirs: set[int]) -> list[FoundClockChange]:
    who = matcher.person
    wanted: list[ColumnElement[bool]] = (
        [ClockEventRow.who.in_(who.addresses)] if who.addresses else [])
    text_terms = list(who.addresses) + (list(who.names) if who.in_text else [])
    wanted += [func.lower(ClockEventRow.why).contains(term.lower(), autoescape=True)
               for term in text_terms]
    for chunk in _chunks(sorted(theirs)):
        wanted.append(ClockEventRow.case_id.in_(chunk))
    if not wanted:
        return []
    found = []
    statement = select(ClockEventRow).where(or_(*wanted)).order_by(ClockEventRow.id)
    for row in session.scalars(statement):
        why = []
        if row.who.lower() in matcher.addresses:
            why.append("made by them")
        if row.case_id in theirs:
            why.append("their case")
        if _text_names(matcher, row.why):
            why.append("text")
        if why:
            due = row.new_due.isoformat() if row.new_due else None
            found.append(FoundClockChange(row.id, row.case_id, row.clock, row.action, row.at,
                                          row.who, row.why, due, why))
    return found


def _corrections(path: Path, matcher: Matcher, message_ids: set[str]) -> list[FoundCorrection]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        row = json_object(line)
        if row is None:
            if matcher.in_text(line):  # not JSON (edited by hand): its text as it is
                found.append(FoundCorrection(number, line, ["text"]))
            continue
        why = matcher.in_correction(row, message_ids)
        if why:
            found.append(FoundCorrection(number, line, why))
    return found


def _directory_lines(app: App, who: Person) -> list[str]:
    """What members.csv and officers.csv say about them: mailbot reads these, the council
    keeps them."""
    lines = []
    directory = app.directory
    matcher = Matcher(who)
    # A member is listed under each address they write from: once each here.
    members = {member.email: member for member in directory.members.values()}
    for member in members.values():
        addresses = {member.email, *member.other_emails}
        if addresses & set(who.addresses) or matcher.named(member.name):
            also = sorted(addresses - set(who.addresses))
            lines.append(f"{directory.members_path or 'members.csv'}: a member, {member.name} "
                         f"<{member.email}>, ward {member.ward or '(none)'}"
                         + (f"; also writes from {', '.join(also)} (search those too)"
                            if also else ""))
    for officer in directory.officers.values():
        if officer.email in who.addresses or matcher.named(officer.name):
            lines.append(f"{directory.officers_path or 'officers.csv'}: an officer, "
                         f"{officer.name} <{officer.email}>, {officer.service or 'no service'}")
    return lines
