"""Matching a message to the case it belongs to.

Headers first (In-Reply-To, References) against every Message-ID we have seen or sent;
then the [MB-YYYY-NNNNN] tag in the subject, trusted only from someone already on the
case or a known officer, so a stranger cannot attach mail to a case by typing a tag.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.directory import Directory
from mailbot.model import ParsedMessage
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow

REF_TAG = re.compile(r"\[(MB-\d{4}-\d{5,})\]")


def find_case(session: Session, message: ParsedMessage, directory: Directory) -> CaseRow | None:
    return _by_headers(session, message) or _by_tag(session, message, directory)


def _by_headers(session: Session, message: ParsedMessage) -> CaseRow | None:
    ids = [i for i in [message.in_reply_to, *reversed(message.references)] if i]
    if not ids:
        return None
    case_id = session.scalar(
        select(MessageRow.case_id)
        .where(MessageRow.message_id.in_(ids), MessageRow.case_id.is_not(None))
        .limit(1)
    ) or session.scalar(
        select(OutboxRow.case_id)
        .where(OutboxRow.message_id.in_(ids), OutboxRow.case_id.is_not(None))
        .limit(1)
    )
    return session.get(CaseRow, case_id) if case_id is not None else None


def _by_tag(session: Session, message: ParsedMessage, directory: Directory) -> CaseRow | None:
    found = REF_TAG.search(message.subject)
    if not found or message.sender is None:
        return None
    case = session.scalar(select(CaseRow).where(CaseRow.ref == found.group(1)))
    if case is None:
        return None
    sender = message.sender.email
    participants = {case.member_email, case.officer_email}
    if sender in participants or directory.officer(sender) is not None:
        return case
    return None
