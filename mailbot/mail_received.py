"""When a later mail on a case came, for the officer's mail that quotes it.

An officer's "Update:" (the member writing again on an open case, a reopening) quotes the
new mail, so its "Received" line is that mail's day, not the day the case opened: the
case's own day is shown beside it under its own label. The day is counted as the case's
was (intake.receipt_time: the sender's Date if believable, else when mailbot saw it).
"""

from __future__ import annotations

from datetime import UTC, date

from sqlalchemy import select
from sqlalchemy.orm import object_session

from mailbot.cases import LONDON
from mailbot.intake import receipt_time
from mailbot.model import ParsedMessage
from mailbot.store.tables import CaseRow, MessageRow


def later_mail_received(case: CaseRow, message: ParsedMessage | None) -> date | None:
    """The London day `message` came, when it is a later mail on `case` than the one that
    opened it; None for the case's first mail (or none quoted), whose day is the case's."""
    if message is None or message.message_id == case.root_message_id:
        return None
    session = object_session(case)
    seen = None if session is None else session.scalar(
        select(MessageRow.received_at).where(MessageRow.message_id == message.message_id)
    )
    if seen is None:  # not in the intake ledger: only its own Date can say
        return None if message.date is None else message.date.astimezone(LONDON).date()
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)
    return receipt_time(message, seen).astimezone(LONDON).date()
