"""Mail a person must decide about, and the two decisions: send it again, or record
that it went.

The outbox never resends on its own a mail that may already have gone (`uncertain`),
and gives up on one the server refused (`failed`); the per-recipient cap holds back
automatic mail (`suppressed`). An administrator checks (the recipient's inbox, the
mail server's log) and then either releases the row to the next flush, or records it
as sent. Each decision is written to the audit trail with who made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from mailbot import ledger
from mailbot.store.db import Store
from mailbot.store.tables import OutboxRow

# The mail did not, or may not, have gone: `mailbot status` reports these.
NEEDS_A_PERSON = ("failed", "uncertain")
# What a person may release or settle: those, and mail the per-recipient cap held back.
DECIDABLE = (*NEEDS_A_PERSON, "suppressed")


class NotDecidable(ValueError):
    """The row is missing, or in a state no person should change (pending, sent...)."""


@dataclass(frozen=True)
class StuckMail:
    id: int
    created_at: datetime
    status: str
    purpose: str
    recipients: str
    error: str


def list_stuck(
    store: Store, *, include_suppressed: bool = False, limit: int = 50
) -> list[StuckMail]:
    """Newest first."""
    states = DECIDABLE if include_suppressed else NEEDS_A_PERSON
    with store.transaction() as session:
        rows = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.status.in_(states))
            .order_by(OutboxRow.id.desc())
            .limit(limit)
        ).all()
        return [
            StuckMail(r.id, r.created_at, r.status, r.purpose, r.recipients, r.last_error)
            for r in rows
        ]


def release_for_resending(store: Store, row_id: int, now: datetime, *, by: str) -> StuckMail:
    """Back to `pending`, due now, with a fresh count of attempts: the next flush sends it.
    A person's decision is not an automatic reply, so the per-recipient cap (there to stop
    loops) does not hold it back again."""
    with store.transaction() as session:
        row = _decidable(session.get(OutboxRow, row_id, with_for_update=True), row_id)
        was = row.status
        row.status, row.attempts, row.not_before = "pending", 0, now
        row.automatic = False
        # The case's entry (it names the recipients), so anonymising the case blanks it.
        ledger.record_event(
            session, now, by, "outbox resend",
            f"row {row_id} ({row.purpose} to {row.recipients}) was {was}; released to be sent",
            case_id=row.case_id,
        )
        return _stuck(row, was)


def record_as_sent(store: Store, row_id: int, now: datetime, *, by: str) -> StuckMail:
    """A person found that it went (in the recipient's inbox, in the server's log)."""
    with store.transaction() as session:
        row = _decidable(session.get(OutboxRow, row_id, with_for_update=True), row_id)
        was = row.status
        row.status, row.sent_at = "sent", now
        ledger.record_event(
            session, now, by, "outbox marked sent",
            f"row {row_id} ({row.purpose} to {row.recipients}) was {was}; recorded as sent",
            case_id=row.case_id,
        )
        return _stuck(row, was)


def _decidable(row: OutboxRow | None, row_id: int) -> OutboxRow:
    if row is None:
        raise NotDecidable(f"there is no outbox row {row_id}")
    if row.status not in DECIDABLE:
        raise NotDecidable(
            f"outbox row {row_id} is {row.status}; only {', '.join(DECIDABLE)} mail waits "
            "for a person"
        )
    return row


def _stuck(row: OutboxRow, status: str) -> StuckMail:
    return StuckMail(row.id, row.created_at, status, row.purpose, row.recipients, row.last_error)
