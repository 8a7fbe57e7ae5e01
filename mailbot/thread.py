"""Matching a message to the case it belongs to.

Headers first (In-Reply-To, References) against every Message-ID we have seen or sent;
then the [MB-YYYY-NNNNN] tag in the subject, trusted from the case's member (if a
known member), its officer or a known officer, or from anyone replying to all with the
member among the recipients; then a known member's own reference typed in their own words
("Any update on MB-2026-00042?"); a stranger's tag typed to the mailbox alone does not find
the case here (thread_senders.follow_named_case puts such mail on the case as an unlisted
address's, not the member's; and mail in a case's thread from someone other than the member
changes nothing on it: the officer is told, and nobody is answered). Staff's mail with neither
may still name its case by Outlook's conversation (case_by_conversation, used by the
thread stage): an Outlook forward carries no In-Reply-To or References.
"""

from __future__ import annotations

import base64
import binascii
import re
from email.parser import BytesHeaderParser
from email.policy import compat32

from sqlalchemy import ColumnElement, LargeBinary, func, select
from sqlalchemy.orm import Session

from mailbot.addresses import address_key, address_keys, same_address
from mailbot.directory import Directory
from mailbot.model import UNFINISHED, ParsedMessage
from mailbot.quoting import own_text
from mailbot.refs import refs_in
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow


def subject_refs(subject: str) -> list[str]:
    """The case references in a subject, in order, as we store them."""
    return refs_in(subject)


def find_case(session: Session, message: ParsedMessage, directory: Directory) -> CaseRow | None:
    case = (_by_headers(session, message) or _by_tag(session, message, directory)
            or _by_reference_in_text(session, message, directory))
    # An anonymised case (mailbot/retention.py) no longer knows its member, so it cannot
    # take new mail: a reply in its thread, years on, starts a case of its own.
    return case if case is not None and case.anonymised_at is None else None


def _by_headers(session: Session, message: ParsedMessage) -> CaseRow | None:
    """The case of the nearest message this one answers: In-Reply-To first, then the
    References from the newest back. A thread can run through two cases (a follow-up after
    the answer opens a new one, linked to the old): the officer's reply to the new mail
    belongs to the new case, though its References still name the old case's messages."""
    ids = [i for i in [message.in_reply_to, *reversed(message.references)] if i]
    if not ids:
        return None
    found: dict[str, int] = {}
    for table in (OutboxRow, MessageRow):  # a MessageRow, if both, wins: it is the case's
        for message_id, case_id in session.execute(
            select(table.message_id, table.case_id).where(
                table.message_id.in_(ids), table.case_id.is_not(None)
            )
        ):
            if case_id is not None:
                found[message_id] = case_id
    case_id = next((found[i] for i in ids if i in found), None)
    return session.get(CaseRow, case_id) if case_id is not None else None


def _by_tag(session: Session, message: ParsedMessage, directory: Directory) -> CaseRow | None:
    if message.sender is None:
        return None
    sender = message.sender.email
    # Our tag is the last one in the subject (compose.reply_subject appends it); an older
    # tag before it may be another person's case, so each is tried from the end.
    for ref in reversed(subject_refs(message.subject)):
        case = session.scalar(select(CaseRow).where(CaseRow.ref == ref))
        if case is not None and (
            _trusted_for_tag(case, sender, directory)
            or _writes_to_the_member(case, message, directory)
        ):
            return case
    return None


def _by_reference_in_text(
    session: Session, message: ParsedMessage, directory: Directory
) -> CaseRow | None:
    """A known member chasing a case of theirs by the reference the acknowledgement gave
    them, typed in a new mail's text ("Any update on MB-2026-00042?"): that case, if their
    own words (not quoted or forwarded mail) name one reference and it is theirs."""
    sender = message.sender
    if sender is None or directory.member(sender.email) is None:
        return None
    refs = set(refs_in(own_text(message.text).text))
    if len(refs) != 1:
        return None
    case = session.scalar(select(CaseRow).where(CaseRow.ref == refs.pop()))
    if case is None or not same_member(directory, sender.email, case.member_email):
        return None
    return case


def _writes_to_the_member(case: CaseRow, message: ParsedMessage, directory: Directory) -> bool:
    """Someone else replying to all in the member's thread, the member among To and Cc (a
    resident the member forwarded our mail to, whose client dropped the thread's
    Message-IDs): the mail joins the case, where the officer is told it is not the
    member's and nobody is answered. A tag typed to the mailbox alone proves nothing."""
    recipients = (*message.to, *message.cc)
    return any(same_member(directory, a.email, case.member_email) for a in recipients)


def _trusted_for_tag(case: CaseRow, sender: str, directory: Directory) -> bool:
    """The case's own member, if they are a known member (a stranger's typed tag proves
    nothing), from any of their addresses; the assigned officer; any officer."""
    if directory.member(sender) is not None and same_member(directory, sender, case.member_email):
        return True
    return (
        same_address(sender, case.officer_email or "") or directory.officer(sender) is not None
    )


def same_member(directory: Directory, one: str, other: str) -> bool:
    """The same address, or two addresses of one member (members.csv other_emails: the
    council address and the phone's personal one)."""
    if same_address(one, other):
        return True
    member = directory.member(one)
    return member is not None and member == directory.member(other)


# Outlook's Thread-Index: a 22-byte head naming the conversation (a reserved byte, 5 of
# the time it began, 16 of its GUID), then 5 bytes for each reply or forward in it.
CONVERSATION_BYTES = 22
HEADERS_READ = 16_384  # of each stored mail, for its Thread-Index: the header block


def conversation(thread_index: str) -> bytes | None:
    """The conversation a Thread-Index value names, or None if it is not one."""
    try:
        index = base64.b64decode("".join(thread_index.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return index[:CONVERSATION_BYTES] if len(index) >= CONVERSATION_BYTES else None


def case_by_conversation(session: Session, message: ParsedMessage) -> CaseRow | None:
    """The one case still running whose mail is in the same Outlook conversation as this
    message: for staff's mail that names neither a Message-ID of the case nor its tag (an
    Outlook forward has no In-Reply-To or References; a reply can lose them on the way).
    None if no such case, or if the conversation runs through two (mailbot does not
    guess)."""
    wanted = conversation(message.headers.get("thread-index", ""))
    if wanted is None:
        return None
    head = func.substr(MessageRow.raw, 1, HEADERS_READ, type_=LargeBinary)
    heads = session.execute(
        select(MessageRow.case_id, head)
        .join(CaseRow, CaseRow.id == MessageRow.case_id)
        .where(CaseRow.status.in_(UNFINISHED), CaseRow.anonymised_at.is_(None),
               # Only the mail whose header block holds the conversation's first 21 bytes
               # as base64 (the same 28 characters in every Thread-Index of it) is read
               # and parsed here: not every stored mail of every running case.
               _holds(session, head, base64.b64encode(wanted[:21])))
    )
    found = {case_id for case_id, head in heads if _conversation_of(head) == wanted}
    return session.get(CaseRow, found.pop()) if len(found) == 1 else None


# An Outlook recall gets a Thread-Index of its own: the original's GUID (its last 16 bytes
# of the head) under a later time, so only the GUID is compared (mailbot/recall.py).
GUID_AT = 6


def conversation_guid(thread_index: str) -> bytes | None:
    """The GUID part of a Thread-Index's head, or None if it is not one."""
    head = conversation(thread_index)
    return head[GUID_AT:] if head is not None else None


def cases_with_guid(session: Session, guid: bytes) -> set[int]:
    """The cases (not anonymised, any status) holding mail whose Thread-Index has this
    GUID. Its first 15 bytes begin on a base64 boundary (byte 6), so they are the same 20
    characters in every Thread-Index with it: only such mail is read and parsed."""
    head = func.substr(MessageRow.raw, 1, HEADERS_READ, type_=LargeBinary)
    heads = session.execute(
        select(MessageRow.case_id, head)
        .join(CaseRow, CaseRow.id == MessageRow.case_id)
        .where(CaseRow.anonymised_at.is_(None),
               _holds(session, head, base64.b64encode(guid[:15])))
    )
    found = set()
    for case_id, value in heads:
        whole = _conversation_of(value)
        if case_id is not None and whole is not None and whole[GUID_AT:] == guid:
            found.add(case_id)
    return found


def _holds(session: Session, column: ColumnElement[bytes], part: bytes) -> ColumnElement[bool]:
    """SQL for: the bytes of `column` hold `part`. SQLite's LIKE matches no BLOB; its
    instr() finds bytes in one, and PostgreSQL's LIKE works on bytea."""
    if session.get_bind().dialect.name == "sqlite":
        return func.instr(column, part) > 0
    return column.like(b"%" + part + b"%")


def _conversation_of(head: bytes | None) -> bytes | None:
    if not head:
        return None
    value = BytesHeaderParser(policy=compat32).parsebytes(head).get("Thread-Index")
    return conversation(str(value)) if value is not None else None


# Our Message-IDs (compose.new_message_id): found in bounces that quote our mail.
OUR_ID = re.compile(rb"<[^<>\s]+\.mailbot@[^<>\s]+>")


def referenced_ids(message: ParsedMessage, raw: bytes = b"") -> list[str]:
    """Message-IDs this message answers: its headers, then any of ours quoted in the raw
    bytes (a bounce carries the original's headers in an attached part)."""
    ids = [i for i in [message.in_reply_to, *reversed(message.references)] if i]
    for found in OUR_ID.findall(raw[:500_000]):
        text = found.decode("ascii", "replace")
        if text not in ids:
            ids.append(text)
    return ids


def our_mail_answered(
    session: Session, message: ParsedMessage, raw: bytes = b""
) -> tuple[OutboxRow, CaseRow] | None:
    """The mail of ours (with its case) that this message replies to or bounces, if any."""
    ids = referenced_ids(message, raw)
    if not ids:
        return None
    rows = {
        row.message_id: row
        for row in session.scalars(
            select(OutboxRow).where(OutboxRow.message_id.in_(ids), OutboxRow.case_id.is_not(None))
        )
    }
    for message_id in ids:  # the nearest of ours first, as in _by_headers
        row = rows.get(message_id)
        case = session.get(CaseRow, row.case_id) if row is not None else None
        if row is not None and case is not None:
            return row, case
    return None


def sent_to_officer(row: OutboxRow, case: CaseRow) -> bool:
    """Mail of ours about a case that did not go to the member: an assignment, a
    reminder, a redirect — anything an officer may answer with a command."""
    return address_key(case.member_email) not in address_keys(row.recipients)


def tagged_case(session: Session, message: ParsedMessage) -> CaseRow | None:
    """The case named by the subject's [MB-] tag, whoever sent it (callers decide trust)."""
    refs = subject_refs(message.subject)
    if not refs:
        return None
    return session.scalar(select(CaseRow).where(CaseRow.ref == refs[-1]))  # ours is last


def answers_caseless_mail(session: Session, message: ParsedMessage) -> OutboxRow | None:
    """Our mail about no case (a weekly digest, say) that this message replies to."""
    ids = [i for i in [message.in_reply_to, *message.references] if i]
    if not ids:
        return None
    return session.scalar(
        select(OutboxRow).where(OutboxRow.message_id.in_(ids), OutboxRow.case_id.is_(None)).limit(1)
    )
