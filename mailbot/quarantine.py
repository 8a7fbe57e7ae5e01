"""Quarantined messages: what a person can do with them.

The pipeline quarantines what it cannot handle (no usable sender, bytes no parser can
read, an internal error) and keeps the raw bytes. A person can list them, save one as
an .eml to look at, and run one through the pipeline again once the cause is fixed (a
sender added to the directory, mailbot upgraded): it is then handled as if it had just
arrived, with its clock counted from when it first did.

A message the backend could not read at all is left in the mailbox and quarantined with no
bytes (mailbot/left_unread.py): there is nothing to save or run again. A person deals with
it in the mailbox and then says so (`mark_dealt_with`), which takes it off the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from mailbot import ledger
from mailbot.left_unread import is_left_unread
from mailbot.model import MessageStatus
from mailbot.pipeline import Outcome, reprocess
from mailbot.recall import UNMATCHED as RECALL
from mailbot.store.db import Store
from mailbot.store.tables import MessageRow

if TYPE_CHECKING:
    from mailbot.app import App


class NotQuarantined(ValueError):
    """No such row, not quarantined, or its bytes were erased by the retention purge."""


@dataclass(frozen=True)
class Quarantined:
    id: int
    received_at: datetime
    message_id: str
    sender: str
    reason: str


def list_quarantined(store: Store, *, limit: int = 50) -> list[Quarantined]:
    """Newest first; only those whose bytes are still held (the retention purge and an
    erasure on request leave nothing to look at, save or retry)."""
    with store.transaction() as session:
        rows = session.scalars(
            select(MessageRow)
            .where(MessageRow.status == MessageStatus.QUARANTINED,
                   MessageRow.purged_at.is_(None))
            .order_by(MessageRow.id.desc())
            .limit(limit)
        ).all()
        return [Quarantined(r.id, r.received_at, r.message_id, r.sender, r.reason) for r in rows]


def raw_bytes(store: Store, row_id: int) -> bytes:
    """The message exactly as it arrived, to save as an .eml."""
    with store.transaction() as session:
        return _quarantined(session.get(MessageRow, row_id), row_id).raw


def retry(app: App, row_id: int, now: datetime, *, by: str) -> Outcome:
    """Run it through the pipeline again, in one transaction. If it fails again it is
    quarantined again, with the new reason; an internal error leaves it as it was."""
    with app.store.transaction() as session:
        row = _quarantined(session.get(MessageRow, row_id, with_for_update=True), row_id)
        ledger.record_event(
            session, now, by, "quarantine retry", f"was quarantined: {row.reason}"[:1000],
            message=row,
        )
        return reprocess(app, session, row, now)


def mark_dealt_with(store: Store, row_id: int, now: datetime, *, by: str) -> Quarantined:
    """A person dealt with a message left unread in the mailbox (see left_unread), or with
    a member's Outlook recall that matched no case (mailbot/recall.py): it is no longer
    listed. Only for those: any other quarantined message mailbot holds is retried."""
    with store.transaction() as session:
        row = session.get(MessageRow, row_id, with_for_update=True)
        if row is None or row.status != MessageStatus.QUARANTINED:
            raise NotQuarantined(f"message row {row_id} is not quarantined")
        if not is_left_unread(row.message_id) and not row.reason.startswith(RECALL):
            raise NotQuarantined(
                f"message row {row_id} was read by mailbot: run it again with "
                f"`mailbot quarantine retry {row_id}` once the cause is fixed"
            )
        row.status = MessageStatus.IGNORED
        ledger.record_event(session, now, by, "left unread dealt with",
                            f"was: {row.reason}"[:1000], message=row)
        return Quarantined(row.id, row.received_at, row.message_id, row.sender, row.reason)


def _quarantined(row: MessageRow | None, row_id: int) -> MessageRow:
    if row is None:
        raise NotQuarantined(f"there is no message row {row_id}")
    if row.status != MessageStatus.QUARANTINED:
        raise NotQuarantined(f"message row {row_id} is {row.status}, not quarantined")
    if is_left_unread(row.message_id):
        raise NotQuarantined(
            f"message row {row_id} was never read: the mailbox could not give it ({row.reason}). "
            f"Once dealt with: mailbot quarantine done {row_id}"
        )
    if row.purged_at is not None or not row.raw:
        raise NotQuarantined(
            f"message row {row_id}'s content was erased by the retention purge; "
            "nothing is left to run again"
        )
    return row
