"""Which mail of ours a bounce returns.

When it returns the mail's headers, that mail's Message-ID says: ours, or not ours at
all (an officer's own mail sent from the shared mailbox in Outlook, whose References may
name our acknowledgement, is not our acknowledgement). Otherwise, by any of our
Message-IDs it quotes; failing that, by its case reference, as follows.

Many servers return only part of the original's headers, or just its subject, so
thread.our_mail_answered finds nothing. Such a bounce is matched, carefully, by what it
still says: exactly one case reference ([MB-YYYY-NNNNN]) anywhere in it (its subject,
its text, the returned headers), and a failed recipient (mailbot.dsn; or the address
the report says it was forwarded from) who is that case's member or an officer. It is
then taken for a bounce of the most recent mail we sent to that address about that case.
Two references, none, or a failed address that is neither the member's nor an officer's,
or no mail of ours to it on the case: no match, and the bounce stays only automatic mail,
as before.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.addresses import same_address
from mailbot.dsn import failures
from mailbot.model import ParsedMessage
from mailbot.refs import refs_in
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.thread import our_mail_answered, same_member

if TYPE_CHECKING:
    from mailbot.app import App

# A Message-ID header line below the bounce's own headers: the returned mail's (in a
# message/rfc822 or text/rfc822-headers part, or quoted in its text).
_MESSAGE_ID_LINE = re.compile(rb"^Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_HEADERS_END = re.compile(rb"\r?\n\r?\n")


def bounced_mail(
    app: App, session: Session, message: ParsedMessage, raw: bytes
) -> tuple[OutboxRow, CaseRow, bool] | None:
    """Our mail (with its case) this bounce returns, and whether it was taken by the case
    reference (bounced_by_reference); None if it is not ours or not certain, or its case
    was anonymised (purged, or erased on request): a late report must not write the
    member's address back into its trail."""
    returned = returned_message_ids(raw)
    found = _ours(session, returned) if returned else our_mail_answered(session, message, raw)
    if found is not None:
        return None if found[1].anonymised_at is not None else (*found, False)
    if returned:
        return None  # the mail it returns is not ours
    found = bounced_by_reference(app, session, message, raw)
    return None if found is None else (*found, True)


def returned_message_ids(raw: bytes) -> set[str]:
    """The Message-IDs of the mail the bounce returns: those below its own headers."""
    own_headers = _HEADERS_END.search(raw)
    below = raw[own_headers.end() : 500_000] if own_headers else b""
    return {i.decode("ascii", "replace") for i in _MESSAGE_ID_LINE.findall(below)}


def _ours(session: Session, ids: set[str]) -> tuple[OutboxRow, CaseRow] | None:
    for row in session.scalars(select(OutboxRow).where(
            OutboxRow.message_id.in_(sorted(ids)), OutboxRow.case_id.is_not(None))):
        case = session.get(CaseRow, row.case_id)
        if case is not None:
            return row, case
    return None


def refs_in_bounce(message: ParsedMessage, raw: bytes) -> set[str]:
    """Every case reference the bounce names: subject, readable text, raw bytes (the
    returned headers of a text/rfc822-headers part)."""
    where = (message.subject, message.text, raw[:500_000].decode("latin-1"))
    return {ref for text in where for ref in refs_in(text)}


def bounced_by_reference(
    app: App, session: Session, message: ParsedMessage, raw: bytes
) -> tuple[OutboxRow, CaseRow] | None:
    """Our mail (with its case) this bounce returns, by its one case reference and the
    failed address; None when that is not certain."""
    refs = refs_in_bounce(message, raw)
    if len(refs) != 1:
        return None
    case = session.scalar(select(CaseRow).where(CaseRow.ref == refs.pop()))
    if case is None or case.anonymised_at is not None:
        return None
    failed = failures(raw, message.text, message.headers.get("x-failed-recipients", ""))
    for failure in failed:
        # The address we wrote to, also when the report names where it was forwarded.
        for address in (failure.recipient, failure.original):
            if not _on_the_case(app, case, address):
                continue
            row = last_mail_to(session, case, address)
            if row is not None:
                return row, case
    return None


def _on_the_case(app: App, case: CaseRow, address: str) -> bool:
    """The case's member (any of their addresses), its officer, or any known officer."""
    return bool(address) and (
        same_member(app.directory, address, case.member_email)
        or same_address(address, case.officer_email or "")
        or app.directory.officer(address) is not None
    )


def last_mail_to(session: Session, case: CaseRow, address: str) -> OutboxRow | None:
    """The most recent mail we sent to `address` about `case`."""
    sent = session.scalars(
        select(OutboxRow)
        .where(OutboxRow.case_id == case.id, OutboxRow.status == "sent")
        .order_by(OutboxRow.sent_at.desc(), OutboxRow.id.desc())
    )
    for row in sent:
        if any(same_address(r, address) for r in row.recipients.split(",") if r.strip()):
            return row
    return None
